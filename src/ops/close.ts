/** The scenario op 'close'. */
import { close as model } from '../model/tasks/pidfd.js';
import { name } from '../model/fields.js';
import type { HandleName, ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** close(2) of a handle. */
export interface CloseStep {
  /** close(2). */
  op: 'close';
  /** The process whose fd is closed. */
  proc: ProcName;
  /** The handle to close; one that `proc` does not hold is EBADF. */
  handle: HandleName;
}

export const closeOp: OpDescriptor<CloseStep> = {
  shape: [{ proc: name, handle: name }],
  model,
  kernel: {
    schema: { handler: 'Close', args: ['fd'], reply: [] },
    encode: (step, k) => [k.handle(step.handle)],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'close', proc: r.proc, handle: r.handle }) },
};
