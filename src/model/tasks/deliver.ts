/**
 * What happens to a signal once it has been sent (permission already checked):
 * kernel/signal.c prepare_signal / sig_ignored / sig_task_ignored / complete_signal. The result
 * is the rule naming the outcome (every outcome is a success for the sender).
 */
import { isAlive } from '../access.js';
import { defineRule, type Rule } from '../rules.js';
import type { Process, World } from '../world.js';
import { continueProcess, exitProcess, stopProcess } from './lifecycle.js';
import { activePidNs } from './lookup.js';
import { SIGCONT, SIGKILL, SIGSTOP, STOP_SIGNALS, defaultAction, isKernelOnly, isStopSignal } from './signal-table.js';

const RULE_SIGNAL_TARGET_EXITED = defineRule({
  id: 'signal.target-exited',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'the target has already exited (a zombie not yet reaped, or a namespace init waiting for its namespace to empty): the signal is dropped and the call still succeeds',
  source: 'kernel/signal.c prepare_signal: SIGNAL_GROUP_EXIT → the signal is dropped',
});

const RULE_SIGNAL_INIT_PROTECTED = defineRule({
  id: 'signal.init-protected',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  kinds: ['pid'],
  reason: 'the target is the init (pid 1) of its pid namespace and has no handler for this signal: init only gets signals it handles, plus SIGKILL/SIGSTOP sent from an ancestor pid namespace; the signal is ignored (the call succeeds)',
  source: 'kernel/signal.c sig_task_ignored: SIGNAL_UNKILLABLE && handler == SIG_DFL && !(force && sig_kernel_only(sig)); pid_namespaces(7)',
});

const RULE_SIGNAL_FORCED_FROM_ANCESTOR = defineRule({
  id: 'signal.init-forced-from-ancestor',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  kinds: ['pid'],
  reason: 'SIGKILL or SIGSTOP sent to a pid namespace\'s init from an ancestor pid namespace is forced through its protection',
  source: 'kernel/signal.c send_signal_locked: force when the sender has no pid in the target\'s namespace (task_pid_nr_ns(current, task_active_pid_ns(t)) == 0)',
});

const RULE_SIGNAL_DEFAULT_IGNORE = defineRule({
  id: 'signal.default-ignore',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'the target has no handler and this signal\'s default action is to ignore it (SIGCHLD, SIGURG, SIGWINCH, SIGCONT to a running process)',
  source: 'kernel/signal.c sig_handler_ignored: SIG_DFL && sig_kernel_ignore(sig); signal(7)',
});

const RULE_SIGNAL_HANDLED = defineRule({
  id: 'signal.handled',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  kinds: ['pid'],
  reason: 'the target\'s handler runs; si_pid is the sender\'s pid in the receiver\'s pid namespace, or 0 when the sender is not visible there (an ancestor namespace)',
  source: 'kernel/signal.c send_signal_locked: "info->si_pid = 0" for a sender from an ancestor pid namespace',
});

const RULE_SIGNAL_PENDING = defineRule({
  id: 'signal.pending-while-stopped',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'the target is stopped: the signal stays pending (once per signal number) until SIGCONT — then a fatal default kills, and handlers run, the highest signal number first; only SIGKILL acts on a stopped process at once',
  source: 'kernel/signal.c complete_signal → wants_signal: "if (sig == SIGKILL) return true; if (task_is_stopped_or_traced(p)) return false" (signal(7) does not say that a fatal signal waits)',
});

const RULE_SIGNAL_TERMINATES = defineRule({
  id: 'signal.default-terminate',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'the target has no handler and this signal\'s default action terminates it (its wait status shows the signal); SIGKILL ends even a stopped process',
  source: 'kernel/signal.c complete_signal: sig_fatal → the whole thread group exits',
});

const RULE_SIGNAL_TTY_STOP_ORPHANED = defineRule({
  id: 'signal.tty-stop-in-orphaned-group',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'SIGTSTP, SIGTTIN and SIGTTOU do not stop a process of an orphaned process group — and the scenario world is one (its init leads a session of its own) — so without a handler they are discarded',
  source: 'kernel/signal.c get_signal: "if (sig != SIGSTOP && is_current_pgrp_orphaned()) goto relock"',
});

const RULE_SIGNAL_STOPS = defineRule({
  id: 'signal.default-stop',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'the target has no handler and this signal stops it (SIGSTOP always); its parent gets SIGCHLD (CLD_STOPPED)',
  source: 'kernel/signal.c do_signal_stop / do_notify_parent_cldstop',
});

const RULE_SIGNAL_CONTINUES = defineRule({
  id: 'signal.continues',
  calls: ['kill', 'pidfd_send_signal'],
  errno: null,
  reason: 'SIGCONT continues a stopped target whatever its disposition (even a protected init); signals held pending run then, lowest number first',
  source: 'kernel/signal.c prepare_signal: SIGCONT wakes every stopped thread before the ignore check',
});

export interface SendInfo {
  /** si_pid as the receiver will see it. */
  siPid: number;
  /** Whether the kernel forces kernel-only signals through an init's protection. */
  force: boolean;
}

function record(target: Process, sig: number, siPid: number): void {
  // A CLONE_VM sleeper runs the inherited handler, but it records nothing (kernel driver).
  if (!target.sleeper) target.received.push({ signal: sig, fromPid: siPid });
}

/** Keep a signal pending while the target is stopped (a standard signal is queued once). */
function keepPending(target: Process, sig: number, siPid: number): Rule {
  target.pendingSignals ??= new Map();
  if (!target.pendingSignals.has(sig)) target.pendingSignals.set(sig, siPid);
  return RULE_SIGNAL_PENDING;
}

/**
 * The signals held while the process was stopped act once it runs again. The kernel dequeues
 * them lowest number first, on one return to user space: each handled one gets a signal frame
 * stacked on the previous one, so the handlers then run in the reverse order (highest number
 * first — checked on 6.18); a fatal one ends the process where it is dequeued, before any of
 * those handlers has run.
 */
export function runPending(world: World, target: Process): void {
  const pending = target.pendingSignals;
  if (pending === undefined) return;
  target.pendingSignals = undefined;
  const frames: Array<[number, number]> = [];
  for (const sig of [...pending.keys()].sort((a, b) => a - b)) {
    if (target.handled.has(sig)) {
      frames.push([sig, pending.get(sig)!]);
    } else if (defaultAction(sig) === 'terminate') {
      exitProcess(world, target, { signal: sig });
      return;
    }
  }
  for (const [sig, siPid] of frames.reverse()) record(target, sig, siPid);
}

/** Deliver `sig` (1..64) to `target` and return the rule that names the outcome. */
export function deliverSignal(world: World, target: Process, sig: number, info: SendInfo): Rule {
  if (!isAlive(target) || target.exiting === true) return RULE_SIGNAL_TARGET_EXITED;
  const handled = target.handled.has(sig);
  // prepare_signal: a stop signal cancels a pending SIGCONT; SIGCONT cancels pending stops and
  // continues the process before anything decides whether SIGCONT itself is ignored.
  if (isStopSignal(sig)) target.pendingSignals?.delete(SIGCONT);
  if (sig === SIGCONT) {
    for (const stop of STOP_SIGNALS) target.pendingSignals?.delete(stop);
    if (target.state === 'stopped') {
      if (handled) {
        target.pendingSignals ??= new Map();
        if (!target.pendingSignals.has(sig)) target.pendingSignals.set(sig, info.siPid);
      }
      continueProcess(world, target);
      return RULE_SIGNAL_CONTINUES;
    }
  }
  const unkillable = activePidNs(world, target).init === target.name;
  if (unkillable && !handled) {
    if (!(info.force && isKernelOnly(sig))) return RULE_SIGNAL_INIT_PROTECTED;
  }
  const action = handled ? 'handler' : defaultAction(sig);
  if (action === 'ignore' || action === 'continue') return RULE_SIGNAL_DEFAULT_IGNORE;
  // complete_signal → wants_signal: a stopped process takes nothing but SIGKILL until continued
  // (a stop signal held then is dropped by the SIGCONT that continues it).
  if (target.state === 'stopped' && sig !== SIGKILL) return keepPending(target, sig, info.siPid);
  if (action === 'handler') {
    record(target, sig, info.siPid);
    return RULE_SIGNAL_HANDLED;
  }
  if (action === 'stop') {
    // Decided when the signal is taken (get_signal), like the pending check above.
    if (sig !== SIGSTOP) return RULE_SIGNAL_TTY_STOP_ORPHANED;
    stopProcess(world, target);
    return unkillable ? RULE_SIGNAL_FORCED_FROM_ANCESTOR : RULE_SIGNAL_STOPS;
  }
  exitProcess(world, target, { signal: sig });
  return unkillable ? RULE_SIGNAL_FORCED_FROM_ANCESTOR : RULE_SIGNAL_TERMINATES;
}
