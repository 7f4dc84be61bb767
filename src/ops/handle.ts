/** The scenario op 'handle'. */
import { handle as model } from '../model/tasks/signals.js';
import { name, signalName } from '../model/fields.js';
import type { ProcName, SignalName } from '../model/steps.js';
import { signalNumber } from '../model/steps.js';
import { SIGNAL_CHOICES, pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Install a handler for `signal` (SA_SIGINFO) that records each delivery and its si_pid. */
export interface HandleStep {
  /** sigaction(2) with a recording handler. */
  op: 'handle';
  /** The process that installs it. */
  proc: ProcName;
  /** The signal to catch; SIGKILL and SIGSTOP cannot be caught (EINVAL). */
  signal: SignalName;
}

export const handleOp: OpDescriptor<HandleStep> = {
  shape: [{ proc: name, signal: signalName }],
  model,
  kernel: {
    schema: { handler: 'Handle', args: ['int'], reply: [] },
    encode: (step) => [signalNumber(step.signal)],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'handle', proc: r.proc, signal: pick(SIGNAL_CHOICES.filter((s) => s !== 'SIGKILL'), r.c) }) },
};
