/** The scenario op 'kill'. */
import { kill as model } from '../model/tasks/signals.js';
import { name, signal, target } from '../model/fields.js';
import type { ProcName, SignalSpec, Target } from '../model/steps.js';
import { signalNumber } from '../model/steps.js';
import { SIGNAL_CHOICES, pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** kill(2). */
export interface KillStep {
  /** kill(2). */
  op: 'kill';
  /** The process that sends the signal. */
  proc: ProcName;
  /** Who gets it: a named process, or { pid } as kill(2) reads it (0: the caller's process group, -1: every process it may signal). */
  target: Target;
  /** The signal (0: only the existence and permission checks). */
  signal: SignalSpec;
}

export const killOp: OpDescriptor<KillStep> = {
  shape: [{ proc: name, target, signal }],
  model,
  kernel: {
    schema: { handler: 'Kill', args: ['int', 'int'], reply: [] },
    encode: (step, k) => [k.pidFor(step.target), signalNumber(step.signal)],
    mayEndCaller: true,
  },
  requires: NOTHING_MORE,
  random: { weight: 2, make: (r) => ({ op: 'kill', proc: r.proc, target: r.target, signal: pick(SIGNAL_CHOICES, r.c) }) },
};
