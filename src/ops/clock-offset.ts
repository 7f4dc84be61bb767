/** The scenario op 'clockOffset'. */
import { clockOffset as model } from '../model/namespaces/time-offsets.js';
import { name, oneOf } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Result: how far `proc`'s clock is from the host's, in whole seconds. */
export interface ClockOffsetStep {
  /** clock_gettime(2), compared with the host's clock. */
  op: 'clockOffset';
  /** The process whose clock is read (its active time namespace decides). */
  proc: ProcName;
  /** CLOCK_MONOTONIC or CLOCK_BOOTTIME. */
  clock: 'monotonic' | 'boottime';
}

export const clockOffsetOp: OpDescriptor<ClockOffsetStep> = {
  shape: [{ proc: name, clock: oneOf(['monotonic', 'boottime']) }],
  model,
  kernel: {
    // clock_gettime(2) in the caller's time namespace; the result is its distance from the
    // driver's own clock, in whole seconds.
    schema: { handler: 'Clock', args: [{ enum: ['monotonic', 'boottime'] }], reply: ['int', 'int'] },
    encode: (step) => [step.clock],
    decode: ([sec, nsec], k, step) => Math.round((sec as number) + (nsec as number) / 1e9 - k.hostClock(step.clock)) + 0, // + 0: no -0
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'clockOffset', proc: r.proc, clock: r.bits & 1 ? 'boottime' : 'monotonic' }) },
};
