/** The scenario op 'openNull'. */
import { openNull as model } from '../model/tasks/pidfd.js';
import { name } from '../model/fields.js';
import type { HandleName, ProcName } from '../model/steps.js';
import { OPEN_FILE } from './file-commands.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** open("/dev/null") into handle `as`: an fd that is not a namespace. */
export interface OpenNullStep {
  /** open("/dev/null"). */
  op: 'openNull';
  /** The process that opens it. */
  proc: ProcName;
  /** The handle the new fd becomes. */
  as: HandleName;
}

export const openNullOp: OpDescriptor<OpenNullStep> = {
  shape: [{ proc: name, as: name }],
  model,
  kernel: {
    schema: OPEN_FILE,
    encode: (step, k) => [k.handle(step.as), '/dev/null'],
  },
  requires: NOTHING_MORE,
  random: { weight: 0, make: (r) => ({ op: 'openNull', proc: r.proc, as: r.newHandle }) },
};
