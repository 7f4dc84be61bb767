/** The scenario op 'readLastPid'. */
import { readLastPid as model } from '../model/tasks/last-pid.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { READ_FILE } from './file-commands.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** /proc/sys/kernel/ns_last_pid of the caller's active pid namespace. */
export interface ReadLastPidStep {
  /** Read /proc/sys/kernel/ns_last_pid. */
  op: 'readLastPid';
  /** The process that reads it. */
  proc: ProcName;
}

export const readLastPidOp: OpDescriptor<ReadLastPidStep> = {
  shape: [{ proc: name }],
  model,
  kernel: {
    schema: READ_FILE,
    encode: () => ['/proc/sys/kernel/ns_last_pid'],
    decode: ([content]) => Number(String(content).trim()),
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'readLastPid', proc: r.proc }) },
};
