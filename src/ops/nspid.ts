/** The scenario op 'nspid'. */
import { nspid as model } from '../model/tasks/pids.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { READ_FILE } from './file-commands.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** The NSpid line of /proc/<target>/status, read by `proc` (from T's proc mount: outermost first). */
export interface NspidStep {
  /** Read the NSpid line of /proc/<pid>/status. */
  op: 'nspid';
  /** The process that reads it. */
  proc: ProcName;
  /** The process whose status is read. Default: `proc` itself (/proc/self). */
  target?: ProcName;
}

export const nspidOp: OpDescriptor<NspidStep> = {
  shape: [{ proc: name }, { target: name }],
  model,
  kernel: {
    schema: READ_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/status`],
    decode: ([content]) => {
      const line = /^NSpid:\s*(.*)$/m.exec(String(content));
      if (line === null) throw new Error('no NSpid line in /proc/<pid>/status');
      return line[1]!.trim().split(/\s+/).map(Number);
    },
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'nspid', proc: r.proc, target: r.target }) },
};
