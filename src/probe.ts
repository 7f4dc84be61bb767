/**
 * probe(): what this host supports, and why. Every check asks the kernel directly (a syscall that
 * answers with a telling errno, or a /proc or /sys file); none creates a process or changes a
 * namespace of the caller.
 */
import { accessSync, constants as fsConstants, existsSync, readFileSync } from './sync-fs.js';
import { release } from 'node:os';
import { constants as osConstants } from 'node:os';
import { addon } from './native/addon.js';
import { PidTranslation } from './native/binding.js';
import { NAMESPACE_KINDS, kindOf, type NamespaceType } from './kinds.js';
import { isSystemError } from './errors.js';
import { findCgroup2Mount } from './cgroup2.js';
import { hasEffectiveCapability } from './capabilities.js';

/** One probe result: the answer and the evidence for it. */
export interface FeatureReport {
  /** Whether this host (kernel, configuration, this process's rights) has it. */
  supported: boolean;
  /** Why: the kernel's answer or the file that decided it. */
  detail: string;
}

/** The features probe() checks, each named after what spawn() or the raw calls would use. */
export type FeatureName =
  | 'clone3'
  | 'cloneIntoCgroup'
  | 'cgroup2'
  | 'pidfd'
  | 'pidfdSetnsMask'
  | 'pidfdNamespaces'
  | 'pidfdExitInfo'
  | 'nsGetId'
  | 'pidTranslation'
  | 'timeNamespaces'
  | 'userNamespaces'
  | 'unprivilegedUserNamespaces';

/** What probe() found. */
export interface ProbeReport {
  /** The running kernel, from uname(2). */
  kernel: {
    /** The release string, e.g. '6.18.0-rc4'. */
    release: string;
    /** [major, minor, patch] parsed from the release (0 for a part that is not a number). */
    version: [number, number, number];
  };
  /** CAP_SYS_ADMIN in the initial user namespace: may create every kind and join any namespace. */
  privileged: boolean;
  /** This process's real uid (-1 where the platform has none). */
  uid: number;
  /** This process's effective uid (-1 where the platform has none). */
  euid: number;
  /** Whether /proc/self/ns/<kind> exists, per kind. */
  namespaces: Record<NamespaceType, FeatureReport>;
  /** Per feature: whether the kernel has it, and the syscall answer or file that says so. */
  features: Record<FeatureName, FeatureReport>;
}

const CAP_SYS_ADMIN = 21;
const EINVAL = osConstants.errno.EINVAL;
const EBADF = osConstants.errno.EBADF;

/**
 * What this host supports, and why: the kernel release, this process's privilege, which namespace
 * kinds exist, and the features of {@link FeatureName}. Creates no process and changes no namespace.
 */
export function probe(): ProbeReport {
  const native = addon();
  const namespaces = Object.fromEntries(
    NAMESPACE_KINDS.map((k) => {
      const path = `/proc/self/ns/${k.procName}`;
      const supported = existsSync(path);
      return [k.type, { supported, detail: supported ? `${path} exists` : `${path} is missing (added in Linux ${k.since})` }];
    }),
  ) as Record<NamespaceType, FeatureReport>;

  const clone3Errno = native.clone3Probe('clone3');
  const intoCgroupErrno = native.clone3Probe('intoCgroup');
  const cgroup2 = findCgroup2();

  const features: Record<FeatureName, FeatureReport> = {
    clone3: {
      supported: clone3Errno === EINVAL,
      detail: `clone3(NULL, 0) → ${errnoName(clone3Errno)} (EINVAL: present, ENOSYS: missing; Linux 5.3)`,
    },
    cloneIntoCgroup: {
      supported: intoCgroupErrno === EBADF,
      detail: `clone3(CLONE_INTO_CGROUP, cgroup=INT_MAX) → ${errnoName(intoCgroupErrno)} (EBADF: flag known, EINVAL: unknown; Linux 5.7)`,
    },
    cgroup2,
    ...withSelfPidfd(),
    timeNamespaces: namespaces.time,
    ...userNamespaceFeatures(),
  };

  const [major = 0, minor = 0, patch = 0] = release().split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  return {
    kernel: { release: release(), version: [major, minor, patch] },
    privileged: isPrivileged(),
    uid: process.getuid?.() ?? -1,
    euid: process.geteuid?.() ?? -1,
    namespaces,
    features,
  };
}

/** The checks that need a pidfd of this process. */
function withSelfPidfd(): Pick<ProbeReport['features'], 'pidfd' | 'pidfdSetnsMask' | 'pidfdNamespaces' | 'pidfdExitInfo' | 'nsGetId' | 'pidTranslation'> {
  const native = addon();
  let pidfd;
  try {
    pidfd = native.pidfdOpen(process.pid, 0);
  } catch (error) {
    const missing = { supported: false, detail: `pidfd_open(self) → ${codeOf(error)} (Linux 5.3)` };
    return { pidfd: missing, pidfdSetnsMask: missing, pidfdNamespaces: missing, pidfdExitInfo: missing, nsGetId: probeNsGetId(), pidTranslation: probePidTranslation() };
  }
  try {
    return {
      pidfd: { supported: true, detail: 'pidfd_open(self) succeeded' },
      pidfdSetnsMask: probeSetnsMask(pidfd.fd),
      pidfdNamespaces: tryCall(
        () => native.pidfdGetNamespace(pidfd.fd, kindOf('net').pidfdIoctl).close(),
        'ioctl(pidfd, PIDFD_GET_NET_NAMESPACE)',
        'Linux 6.11',
      ),
      pidfdExitInfo: tryCall(() => native.pidfdExitInfo(pidfd.fd), 'ioctl(pidfd, PIDFD_GET_INFO, PIDFD_INFO_EXIT)', 'Linux 6.15; 6.13-6.14 accept the ioctl but never report exit info'),
      nsGetId: probeNsGetId(),
      pidTranslation: probePidTranslation(),
    };
  } finally {
    pidfd.close();
  }
}

/**
 * setns(pidfd, several flags) joins all or none (5.8). Probe it by "joining" this process's own
 * uts+ipc namespaces: allowed in a multithreaded process and a no-op when it succeeds; EPERM still
 * proves the pidfd path exists, since older kernels reject a pidfd with EINVAL before any check.
 */
function probeSetnsMask(pidfd: number): FeatureReport {
  const mask = kindOf('uts').flag | kindOf('ipc').flag;
  try {
    addon().setns(pidfd, mask);
    return { supported: true, detail: 'setns(pidfd, CLONE_NEWUTS|CLONE_NEWIPC) on itself succeeded (Linux 5.8)' };
  } catch (error) {
    const code = codeOf(error);
    return { supported: code === 'EPERM', detail: `setns(pidfd, CLONE_NEWUTS|CLONE_NEWIPC) on itself → ${code} (EPERM: present, EINVAL: missing; Linux 5.8)` };
  }
}

function probeNsGetId(): FeatureReport {
  const native = addon();
  const ns = native.openPath('/proc/self/ns/net');
  try {
    return tryCall(() => native.nsGetId(ns.fd), 'ioctl(NS_GET_ID)', 'Linux 6.18');
  } finally {
    ns.close();
  }
}

function probePidTranslation(): FeatureReport {
  const native = addon();
  const ns = native.openPath('/proc/self/ns/pid');
  try {
    const translated = native.nsTranslatePid(ns.fd, PidTranslation.PidInNs, process.pid);
    const ok = translated === process.pid;
    return { supported: ok, detail: `ioctl(NS_GET_PID_IN_PIDNS, own pid) → ${ok ? 'own pid' : translated} (Linux 6.11)` };
  } catch (error) {
    return { supported: false, detail: `ioctl(NS_GET_PID_IN_PIDNS) → ${codeOf(error)} (Linux 6.11)` };
  } finally {
    ns.close();
  }
}

function tryCall(call: () => unknown, what: string, since: string): FeatureReport {
  try {
    call();
    return { supported: true, detail: `${what} succeeded (${since})` };
  } catch (error) {
    return { supported: false, detail: `${what} → ${codeOf(error)} (${since})` };
  }
}

function findCgroup2(): FeatureReport {
  const mountPoint = findCgroup2Mount()?.mountPoint;
  if (mountPoint === undefined) return { supported: false, detail: 'no cgroup2 mount in /proc/self/mountinfo' };
  try {
    accessSync(`${mountPoint}/cgroup.procs`, fsConstants.W_OK);
    return { supported: true, detail: `cgroup2 mounted at ${mountPoint}, cgroup.procs writable` };
  } catch {
    return { supported: false, detail: `cgroup2 mounted at ${mountPoint}, but cgroup.procs is not writable by this user` };
  }
}

function userNamespaceFeatures(): Pick<ProbeReport['features'], 'userNamespaces' | 'unprivilegedUserNamespaces'> {
  const max = readSysctl('user/max_user_namespaces');
  const userNamespaces: FeatureReport = {
    supported: existsSync('/proc/self/ns/user') && max !== undefined && max > 0,
    detail: `user.max_user_namespaces = ${max ?? 'missing'}`,
  };
  // Distribution switches that turn unprivileged user namespaces off although the kernel has them.
  const debianSwitch = readSysctl('kernel/unprivileged_userns_clone');
  const apparmorSwitch = readSysctl('kernel/apparmor_restrict_unprivileged_userns');
  const details = [userNamespaces.detail];
  if (debianSwitch !== undefined) details.push(`kernel.unprivileged_userns_clone = ${debianSwitch}`);
  if (apparmorSwitch !== undefined) details.push(`kernel.apparmor_restrict_unprivileged_userns = ${apparmorSwitch}`);
  return {
    userNamespaces,
    unprivilegedUserNamespaces: {
      supported: userNamespaces.supported && debianSwitch !== 0 && apparmorSwitch !== 1,
      detail: details.join(', '),
    },
  };
}

function readSysctl(name: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(`/proc/sys/${name}`, 'utf8'), 10);
  } catch {
    return undefined;
  }
}

/** CAP_SYS_ADMIN in the effective set, in the initial user namespace (whose uid_map maps all ids). */
function isPrivileged(): boolean {
  const initialUserNs = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') === '0 0 4294967295';
  return initialUserNs && hasEffectiveCapability(CAP_SYS_ADMIN);
}

function errnoName(errno: number): string {
  if (errno === 0) return 'success';
  return Object.entries(osConstants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`;
}

function codeOf(error: unknown): string {
  return isSystemError(error) ? error.code : String(error);
}
