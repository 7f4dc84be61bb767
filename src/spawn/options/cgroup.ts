/**
 * Where the program is created: a cgroup v2 directory (CLONE_INTO_CGROUP) and its pids per pid
 * namespace level (clone3 set_tid). The cgroup directory is opened, and the set_tid depth checked
 * against the kernel, by the plan builder.
 */
import { checkArray, checkPath, checkPid } from '../../validate.js';
import { mapEntries, type Given } from './common.js';

export const cgroupKeys = ['cgroup', 'setTid'] as const;

// clone3 takes at most MAX_PID_NS_LEVEL (32) set_tid entries.
const MAX_SET_TID = 32;

export function checkSetTid({ setTid }: Given<typeof cgroupKeys>): number[] {
  if (setTid === undefined) return [];
  return mapEntries(checkArray(setTid, 'options.setTid', 1, MAX_SET_TID), (pid, i) => checkPid(pid, `options.setTid[${i}]`));
}

/** The cgroup directory's path, or null. */
export function checkCgroup({ cgroup }: Given<typeof cgroupKeys>): string | null {
  return cgroup === undefined ? null : checkPath(cgroup, 'options.cgroup');
}
