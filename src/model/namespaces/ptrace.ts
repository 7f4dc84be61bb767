/**
 * ptrace_may_access() in PTRACE_MODE_READ: the check /proc/<pid>/ns links (FSCREDS → EACCES) and
 * setns() through a pidfd (REALCREDS → EPERM) make before looking at another process's
 * namespaces. kernel/ptrace.c __ptrace_may_access + security/commoncap.c cap_ptrace_access_check.
 *
 * The model's credentials have one uid and one gid (real = effective = saved = fs), and either
 * every capability in their user namespace or none, so:
 *   1. the same thread group is always allowed;
 *   2. the caller's uid and gid must equal the target's, or the caller needs CAP_SYS_PTRACE in the
 *      target's user namespace;
 *   3. a non-dumpable target additionally needs CAP_SYS_PTRACE in its memory's user namespace
 *      (see dumpable.ts; the model takes every memory's user namespace to be the initial one:
 *      the kernel driver's agents are started there and never exec);
 *   4. commoncap: same user namespace and the target's capabilities a subset of the caller's, or
 *      CAP_SYS_PTRACE in the target's user namespace.
 * Yama's ptrace_scope applies to attaching only, not to these read checks.
 */
import { capableIn } from '../creds.js';
import type { Process, World } from '../world.js';
import { isDumpable } from './dumpable.js';

export function ptraceMayAccess(world: World, caller: Process, target: Process): boolean {
  if (caller.name === target.name) return true;
  const mine = caller.cred;
  const theirs = target.cred;
  const ptraceCap = capableIn(world, mine, theirs.userns);
  if (!(mine.uid === theirs.uid && mine.gid === theirs.gid) && !ptraceCap) return false;
  // A zombie has no mm any more, yet 6.18 still refuses a non-dumpable zombie (checked with the
  // kernel driver: EACCES on /proc/<zombie>/ns/* after setuid), so the check applies to it too.
  if (!isDumpable(world, target) && !capableIn(world, mine, world.host.user)) return false;
  if (mine.userns === theirs.userns && (mine.caps || !theirs.caps)) return true;
  return ptraceCap;
}
