/** The scenario op 'setSubreaper'. */
import { setSubreaper as model } from '../model/tasks/subreaper.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below `proc` are reparented to it instead of to init. */
export interface SetSubreaperStep {
  /** prctl(PR_SET_CHILD_SUBREAPER). */
  op: 'setSubreaper';
  /** The process that becomes a subreaper. */
  proc: ProcName;
}

export const setSubreaperOp: OpDescriptor<SetSubreaperStep> = {
  shape: [{ proc: name }],
  model,
  kernel: {
    schema: { handler: 'SetSubreaper', args: [], reply: [] },
    encode: () => [],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'setSubreaper', proc: r.proc }) },
};
