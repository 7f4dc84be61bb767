/** The scenario op 'readSetgroups'. */
import { readSetgroups as model } from '../model/namespaces/setgroups.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { READ_FILE } from './file-commands.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Read /proc/<target>/setgroups. Result: 'allow' or 'deny'. */
export interface ReadSetgroupsStep {
  /** Read /proc/<pid>/setgroups. */
  op: 'readSetgroups';
  /** The process that reads. */
  proc: ProcName;
  /** The process whose user namespace's setgroups is read. */
  target: ProcName;
}

export const readSetgroupsOp: OpDescriptor<ReadSetgroupsStep> = {
  shape: [{ proc: name, target: name }],
  model,
  kernel: {
    schema: READ_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/setgroups`],
    decode: ([content]) => String(content).trim(),
  },
  requires: NOTHING_MORE,
  random: { weight: 0, make: (r) => ({ op: 'readSetgroups', proc: r.proc, target: r.target }) },
};
