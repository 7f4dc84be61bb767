/**
 * Signal numbers and default actions (x86-64 numbering, include/uapi/asm-generic/signal.h and
 * the SIG_KERNEL_*_MASK tables of include/linux/signal.h).
 */
import { SIGNALS, signalNumber } from '../steps.js';

export { signalNumber };

/** _NSIG: the highest valid signal number (valid_signal() accepts 0.._NSIG). */
const NSIG = 64;

export const SIGHUP = SIGNALS.SIGHUP;
export const SIGINT = SIGNALS.SIGINT;
export const SIGKILL = SIGNALS.SIGKILL;
export const SIGCHLD = SIGNALS.SIGCHLD;
export const SIGCONT = SIGNALS.SIGCONT;
export const SIGSTOP = SIGNALS.SIGSTOP;
// Numbers the step language does not name (no step sends them), for the default-action table.
const SIGTSTP = 20;
const SIGTTIN = 21;
const SIGTTOU = 22;
const SIGURG = 23;
const SIGWINCH = 28;

/** The stop signals (SIG_KERNEL_STOP_MASK). */
export const STOP_SIGNALS: readonly number[] = [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU];

/** valid_signal(): 0 (the existence probe) up to _NSIG. */
export function isValidSignal(sig: number): boolean {
  return Number.isInteger(sig) && sig >= 0 && sig <= NSIG;
}

/** sig_kernel_only(): SIGKILL and SIGSTOP, which no handler can catch. */
export function isKernelOnly(sig: number): boolean {
  return sig === SIGKILL || sig === SIGSTOP;
}

export type DefaultAction = 'terminate' | 'ignore' | 'stop' | 'continue';

/**
 * What SIG_DFL does with a signal: SIGCHLD, SIGURG, SIGWINCH are ignored (SIG_KERNEL_IGNORE_MASK,
 * which also holds SIGCONT: its only default effect is to continue a stopped process); SIGSTOP,
 * SIGTSTP, SIGTTIN, SIGTTOU stop; everything else terminates (with or without a core dump: the
 * wait status shows the signal either way). Real-time signals (32..64) terminate.
 */
export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: return 'ignore';
    case SIGCONT: return 'continue';
    default: return STOP_SIGNALS.includes(sig) ? 'stop' : 'terminate';
  }
}

/** sig_kernel_stop(): the stop signals. */
export function isStopSignal(sig: number): boolean {
  return defaultAction(sig) === 'stop';
}
