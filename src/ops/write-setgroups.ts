/** The scenario op 'writeSetgroups'. */
import { writeSetgroups as model } from '../model/namespaces/setgroups.js';
import { name, oneOf } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { WRITE_FILE } from './file-commands.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Write 'allow' or 'deny' to /proc/<target>/setgroups. */
export interface WriteSetgroupsStep {
  /** Write /proc/<pid>/setgroups. */
  op: 'writeSetgroups';
  /** The process that writes. */
  proc: ProcName;
  /** The process whose user namespace's setgroups is written. */
  target: ProcName;
  /** What to write: whether setgroups(2) is allowed in that user namespace. */
  value: 'allow' | 'deny';
}

export const writeSetgroupsOp: OpDescriptor<WriteSetgroupsStep> = {
  shape: [{ proc: name, target: name, value: oneOf(['allow', 'deny']) }],
  model,
  kernel: {
    schema: WRITE_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/setgroups`, `${step.value}\n`],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'writeSetgroups', proc: r.proc, target: r.target, value: r.bits & 1 ? 'allow' : 'deny' }) },
};
