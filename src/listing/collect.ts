/**
 * Gathers the raw facts in a few batched native calls and folds them into one record per
 * namespace: members (count, lowest pid), then fd and bind-mount holders.
 */
import { addon } from '../native/addon.js';
import { NAMESPACE_KINDS, kindOf, type NamespaceType } from '../kinds.js';
import { nsfsMounts } from './holders.js';

export interface Collected {
  /** Index into NAMESPACE_KINDS. */
  kind: number;
  type: NamespaceType;
  device: bigint;
  inode: bigint;
  processes: number;
  lowestPid: number;
  lowestUid: number;
  mounts: string[];
  fds: { pid: number; fd: number }[];
}

/** Key of a namespace: the nsfs inode (unique within nsfs, the only filesystem of namespaces). */
export function collect(options: { fds: boolean; flags: number; pidFilter: number | undefined }): Map<bigint, Collected> {
  const native = addon();
  const scan = native.scanProcesses(options.flags, options.fds);
  const byInode = new Map<bigint, Collected>();
  const { pids, uids, inodes, device } = scan;
  // The scan's slots are the native table's order; entries carry the NAMESPACE_KINDS index.
  const slots = scan.kinds.length;
  const kindOfSlot = scan.kinds.map((name) => NAMESPACE_KINDS.indexOf(kindOf(name)));
  const wanted = (kind: number): boolean => (options.flags & NAMESPACE_KINDS[kind]!.flag) !== 0;
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const base = i * slots;
    for (let slot = 0; slot < slots; slot++) {
      const k = kindOfSlot[slot]!;
      if (!wanted(k)) continue;
      const inode = inodes[base + slot]!;
      if (inode === 0n) continue; // not readable (EACCES): not counted, like lsns
      let entry = byInode.get(inode);
      if (entry === undefined) {
        entry = { kind: k, type: NAMESPACE_KINDS[k]!.type, device, inode, processes: 0, lowestPid: pid, lowestUid: uids[i]!, mounts: [], fds: [] };
        byInode.set(inode, entry);
      }
      entry.processes++;
      if (pid < entry.lowestPid) {
        entry.lowestPid = pid;
        entry.lowestUid = uids[i]!;
      }
    }
  }
  for (let i = 0; i < scan.fdPids.length; i++) {
    const k = kindOfSlot[scan.fdKinds[i]!]!;
    if (!wanted(k)) continue;
    const inode = scan.fdInodes[i]!;
    const entry = byInode.get(inode) ?? orphan(byInode, k, device, inode);
    entry.fds.push({ pid: scan.fdPids[i]!, fd: scan.fds[i]! });
  }
  for (const mount of nsfsMounts()) {
    const k = NAMESPACE_KINDS.findIndex((kind) => kind.type === mount.type);
    if (!wanted(k)) continue;
    const entry = byInode.get(mount.inode) ?? orphan(byInode, k, device, mount.inode);
    entry.mounts.push(mount.mountPoint);
  }
  if (options.pidFilter !== undefined) filterByPid(byInode, scan.pids, inodes, slots, options.pidFilter);
  return byInode;
}

function orphan(map: Map<bigint, Collected>, kind: number, device: bigint, inode: bigint): Collected {
  const entry: Collected = { kind, type: NAMESPACE_KINDS[kind]!.type, device, inode, processes: 0, lowestPid: 0, lowestUid: 0, mounts: [], fds: [] };
  map.set(inode, entry);
  return entry;
}

/** Keep only the namespaces `pid` is a member of (its counts stay those of all members). */
function filterByPid(map: Map<bigint, Collected>, pids: Int32Array, inodes: BigUint64Array, slots: number, pid: number): void {
  const index = pids.indexOf(pid);
  const mine = new Set<bigint>(index < 0 ? [] : inodes.subarray(index * slots, index * slots + slots));
  for (const inode of map.keys()) if (!mine.has(inode)) map.delete(inode);
}
