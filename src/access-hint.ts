/**
 * Why the kernel refused (EACCES) to show another process's namespaces: /proc/<pid>/ns/* and the
 * pidfd namespace ioctls both check ptrace_may_access(PTRACE_MODE_READ_FSCREDS), which root
 * passes only with CAP_SYS_PTRACE in the target's user namespace (or an ancestor of it). The
 * hint says which part of that rule this process fails, so a root caller is not told to be root.
 */
import { readFileSync } from './sync-fs.js';
import { hasEffectiveCapability } from './capabilities.js';

const CAP_SYS_PTRACE = 19;

/** Whether this process is in the initial user namespace: its uid_map is the full identity map. */
function inInitialUserNamespace(): boolean {
  try {
    return readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') === '0 0 4294967295';
  } catch {
    return true;
  }
}

/** The hint for an EACCES on the namespaces of `who` ('process 4711', 'the join target'). */
export function namespaceAccessHint(who: string): string {
  const rule =
    `seeing the namespaces of ${who} needs ptrace read access to it (PTRACE_MODE_READ_FSCREDS): ` +
    "the same uid as the target while it is dumpable, or CAP_SYS_PTRACE in the target's user namespace or an ancestor of it";
  if (!hasEffectiveCapability(CAP_SYS_PTRACE)) return `${rule}; this thread has no CAP_SYS_PTRACE: run as the target's user, or as root`;
  if (!inInitialUserNamespace()) {
    return `${rule}; this process has CAP_SYS_PTRACE only in its own user namespace, and ${who} lives outside it (as the host's processes do, seen from a container)`;
  }
  return `${rule}; this process has CAP_SYS_PTRACE in the initial user namespace, so a security module (SELinux, AppArmor, …) refused it`;
}
