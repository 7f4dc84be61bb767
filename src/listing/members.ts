/**
 * namespaceMembers(inode, type?): the processes of one namespace, like `lsns <namespace>`: one
 * record per member process (pid, parent pid, effective uid, command line), by pid. From the same
 * batched /proc scan as listNamespaces(): processes whose ns links we may not read (EACCES) are
 * not seen, and one that exits during the scan is left out.
 */
import { addon } from '../native/addon.js';
import { ALL_NAMESPACE_FLAGS, kindOf, type NamespaceType } from '../kinds.js';
import { describe } from '../validate.js';
import type { NamespaceMember } from './types.js';

function checkInode(value: unknown): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`inode must be a namespace inode as a bigint, got ${describe(value)}`);
  if (value <= 0n || value > 0xffff_ffff_ffff_ffffn) throw new RangeError(`inode must be a positive 64-bit inode, got ${describe(value)}`);
  return value;
}

/** Members of the namespace with this nsfs inode (of kind `type` only, when given); [] when none. */
export function namespaceMembers(inode: bigint, type?: NamespaceType): NamespaceMember[] {
  const wanted = checkInode(inode);
  const flags = type === undefined ? ALL_NAMESPACE_FLAGS : kindOf(type, 'type').flag;
  const native = addon();
  const scan = native.scanProcesses(flags, false);
  const slots = scan.kinds.length;
  const slotFlags = scan.kinds.map((name) => kindOf(name).flag);
  const found: { pid: number; uid: number }[] = [];
  for (let i = 0; i < scan.pids.length; i++) {
    for (let slot = 0; slot < slots; slot++) {
      if (scan.inodes[i * slots + slot] !== wanted) continue;
      // Inodes are unique within nsfs; the kind check only honours `type`.
      if ((slotFlags[slot]! & flags) === 0) continue;
      found.push({ pid: scan.pids[i]!, uid: scan.uids[i]! });
      break;
    }
  }
  found.sort((a, b) => a.pid - b.pid);
  const details = native.readProcessDetails(Int32Array.from(found, (m) => m.pid));
  const commands = details.commands.split('\0');
  const members: NamespaceMember[] = [];
  found.forEach((m, i) => {
    const ppid = details.ppids[i]!;
    if (ppid < 0 && commands[i] === '') return; // exited after the scan
    members.push({ pid: m.pid, ppid: ppid < 0 ? null : ppid, uid: m.uid, command: commands[i] === '' ? null : commands[i]! });
  });
  return members;
}
