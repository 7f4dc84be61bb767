/**
 * Dumpability (get_dumpable(mm) == SUID_DUMP_USER). It decides who may look at a process through
 * /proc/<pid>/ns or setns(pidfd) (ptrace read access) and who owns its /proc/<pid> files (root
 * when not dumpable: uid_map, gid_map, setgroups and timens_offsets then need privilege to open
 * for writing).
 *
 * kernel/cred.c commit_creds: a credential change that alters the euid, egid, fsuid or fsgid, or
 * gives capabilities that are not a subset of the old ones (cred_cap_issubset), sets the memory
 * non-dumpable (fs.suid_dumpable = 0). Only execve makes it dumpable again, and the scenario
 * processes never exec. A fork-style child copies its parent's memory and with it the flag
 * (clone3 in tasks/clone3.ts copies the caller's membership of world.nonDumpable).
 */
import { userNs } from '../access.js';
import type { Credentials, Process, World } from '../world.js';

export function isDumpable(world: World, p: Process): boolean {
  return !(world.nonDumpable?.has(p.name) ?? false);
}

/**
 * cred_cap_issubset(old, new): same user namespace and new caps ⊆ old caps; or the new user
 * namespace lies below a namespace whose parent is the old one and whose owner is the old euid.
 */
function capsSubset(world: World, old: Credentials, next: Credentials): boolean {
  if (old.userns === next.userns) return old.caps || !next.caps;
  for (let ns = userNs(world, next.userns); ns.parent !== null; ns = userNs(world, ns.parent)) {
    if (ns.parent === old.userns && ns.ownerKuid === old.uid) return true;
  }
  return false;
}

/** Record what commit_creds() does to dumpability when `p`'s credentials change from `old`. */
export function noteCredChange(world: World, p: Process, old: Credentials): void {
  const next = p.cred;
  if (old.uid !== next.uid || old.gid !== next.gid || !capsSubset(world, old, next)) {
    (world.nonDumpable ??= new Set()).add(p.name);
  }
}
