/**
 * Opening a writable per-process /proc file (uid_map, gid_map, setgroups, timens_offsets: all mode
 * 0644) before the file's own rules apply: /proc/<pid> must still exist, and the opener must pass
 * the inode permission check. The inode's owner is the process's euid — or root when its memory
 * is not dumpable, or it has none (a zombie) — fs/proc/base.c task_dump_owner.
 */
import { capableIn, fromKernelId } from '../creds.js';
import { check, defineRule } from '../rules.js';
import type { ProcName } from '../steps.js';
import type { Process, TaskNamespaces, World } from '../world.js';
import { procTask } from './task-state.js';
import { isDumpable } from './dumpable.js';

const RULE_PROC_FILE_GONE = defineRule({
  id: 'userns.proc-file-gone',
  calls: ['/proc/<pid>'],
  errno: 'ENOENT',
  reason: '/proc/<pid>/…: the process has been reaped, so /proc/<pid> no longer exists',
});

const RULE_PROC_FILE_ACCESS = defineRule({
  id: 'userns.proc-file-not-owner',
  calls: ['/proc/<pid>'],
  errno: 'EACCES',
  reason: 'opening /proc/<pid>/{uid_map,gid_map,setgroups,timens_offsets} for writing: the file belongs to the process\'s euid (root when it is not dumpable), and the opener is neither that user nor privileged over it (CAP_DAC_OVERRIDE with the owner mapped in its user namespace)',
  source: 'fs/proc/base.c task_dump_owner, fs/namei.c generic_permission / capable_wrt_inode_uidgid',
});

/** The kuid and kgid that own `target`'s /proc/<pid> files. */
function procFileOwner(world: World, target: Process): { uid: number; gid: number } {
  if (target.state === 'zombie' || !isDumpable(world, target)) return { uid: 0, gid: 0 };
  return { uid: target.cred.uid, gid: target.cred.gid };
}

/** The task behind /proc/<name>/<file> (its process, and its own nsproxy), or ENOENT when that /proc entry is gone. */
export function procFileTask(world: World, name: ProcName, file: string): { proc: Process; nsproxy: TaskNamespaces } {
  const found = procTask(world, name);
  check(found !== null && found.proc.state !== 'reaped', RULE_PROC_FILE_GONE, file);
  return found;
}

/** The process behind /proc/<name>/<file>, or ENOENT when that /proc entry is gone. */
export function procFileTarget(world: World, name: ProcName, file: string): Process {
  return procFileTask(world, name, file).proc;
}

/** Refuse opening /proc/<target>/<file> for writing as the kernel would. */
export function checkProcFileWrite(world: World, caller: Process, target: Process, file: string): void {
  const owner = procFileOwner(world, target);
  const mine = caller.cred;
  const allowed = mine.uid === owner.uid
    || (capableIn(world, mine, mine.userns)
      && fromKernelId(world, mine.userns, owner.uid, 'uid') !== null
      && fromKernelId(world, mine.userns, owner.gid, 'gid') !== null);
  check(allowed, RULE_PROC_FILE_ACCESS, file);
}
