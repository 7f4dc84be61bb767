/** The scenario op 'pidfdSendSignal'. */
import { pidfdSendSignal as model } from '../model/tasks/signals.js';
import { name, signal } from '../model/fields.js';
import type { HandleName, ProcName, SignalSpec } from '../model/steps.js';
import { signalNumber } from '../model/steps.js';
import { SIGNAL_CHOICES, pick } from './random-picks.js';
import type { OpDescriptor } from './descriptor.js';

/** pidfd_send_signal(2) through a pidfd handle, with no siginfo. */
export interface PidfdSendSignalStep {
  /** pidfd_send_signal(2). */
  op: 'pidfdSendSignal';
  /** The process that sends the signal. */
  proc: ProcName;
  /** The pidfd, by handle, or 'closed'. */
  fd: HandleName;
  /** The signal (0: only the checks). */
  signal: SignalSpec;
}

export const pidfdSendSignalOp: OpDescriptor<PidfdSendSignalStep> = {
  shape: [{ proc: name, fd: name, signal }],
  model,
  kernel: {
    schema: { handler: 'PidfdSendSignal', args: ['fd', 'int'], reply: [] },
    encode: (step, k) => [k.handle(step.fd), signalNumber(step.signal)],
    mayEndCaller: true,
  },
  requires: () => ['pidfd'],
  random: { weight: 1, make: (r) => ({ op: 'pidfdSendSignal', proc: r.proc, fd: r.handle, signal: pick(SIGNAL_CHOICES, r.c) }) },
};
