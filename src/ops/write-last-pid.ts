/** The scenario op 'writeLastPid'. */
import { writeLastPid as model } from '../model/tasks/last-pid.js';
import { int32, name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { WRITE_FILE } from './file-commands.js';
import { pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/**
 * Write /proc/sys/kernel/ns_last_pid of the caller's active pid namespace: the next process
 * there gets the lowest free pid above the value.
 */
export interface WriteLastPidStep {
  /** Write /proc/sys/kernel/ns_last_pid. */
  op: 'writeLastPid';
  /** The process that writes (it needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the user namespace owning its pid namespace). */
  proc: ProcName;
  /** The number written: 0 to pid_max, else EINVAL. */
  value: number;
}

export const writeLastPidOp: OpDescriptor<WriteLastPidStep> = {
  shape: [{ proc: name, value: int32 }],
  model,
  kernel: {
    schema: WRITE_FILE,
    encode: (step) => ['/proc/sys/kernel/ns_last_pid', String(step.value)],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'writeLastPid', proc: r.proc, value: pick([10, 99, 2, 0], r.c) }) },
};
