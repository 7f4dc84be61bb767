/**
 * The one table of namespace kinds. Every layer (native flag checks, handles, the model, tests)
 * derives what it needs about a kind from here.
 */

import { describe } from './validate.js';

/** The eight Linux namespace kinds, by their /proc/<pid>/ns name. */
export type NamespaceType = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

/** What nsbridge knows about one namespace kind: its flag, its /proc names and its ioctls. */
export interface NamespaceKind {
  /** The kind's name, as in /proc/<pid>/ns and everywhere nsbridge takes a kind. */
  readonly type: NamespaceType;
  /** The CLONE_NEW* flag (also what NS_GET_NSTYPE returns and what setns(2) takes as nstype). */
  readonly flag: number;
  /** The flag's C name, e.g. 'CLONE_NEWNS' for mnt. */
  readonly flagName: string;
  /** Entry name under /proc/<pid>/ns/. */
  readonly procName: string;
  /**
   * The /proc/<pid>/ns entry naming the namespace the process's next children get, for kinds where
   * unshare/setns change only that and not the caller itself (pid, time); null otherwise.
   */
  readonly forChildrenProcName: string | null;
  /** Whether namespaces of this kind form a tree that NS_GET_PARENT walks (pid and user). */
  readonly hierarchical: boolean;
  /** The PIDFD_GET_<KIND>_NAMESPACE ioctl number (kernel >= 6.11). */
  readonly pidfdIoctl: number;
  /** The PIDFD_GET_<KIND>_FOR_CHILDREN_NAMESPACE ioctl number, where forChildrenProcName is set. */
  readonly pidfdForChildrenIoctl: number | null;
  /** Kernel release that introduced the kind. */
  readonly since: string;
}

// CLONE_NEW* values from <linux/sched.h>; CLONE_NEWTIME (5.6) is newer than some headers.
const table: readonly NamespaceKind[] = [
  { type: 'cgroup', flag: 0x02000000, flagName: 'CLONE_NEWCGROUP', procName: 'cgroup', forChildrenProcName: null, hierarchical: false, pidfdIoctl: 1, pidfdForChildrenIoctl: null, since: '4.6' },
  { type: 'ipc', flag: 0x08000000, flagName: 'CLONE_NEWIPC', procName: 'ipc', forChildrenProcName: null, hierarchical: false, pidfdIoctl: 2, pidfdForChildrenIoctl: null, since: '2.6.19' },
  { type: 'mnt', flag: 0x00020000, flagName: 'CLONE_NEWNS', procName: 'mnt', forChildrenProcName: null, hierarchical: false, pidfdIoctl: 3, pidfdForChildrenIoctl: null, since: '2.4.19' },
  { type: 'net', flag: 0x40000000, flagName: 'CLONE_NEWNET', procName: 'net', forChildrenProcName: null, hierarchical: false, pidfdIoctl: 4, pidfdForChildrenIoctl: null, since: '2.6.24' },
  { type: 'pid', flag: 0x20000000, flagName: 'CLONE_NEWPID', procName: 'pid', forChildrenProcName: 'pid_for_children', hierarchical: true, pidfdIoctl: 5, pidfdForChildrenIoctl: 6, since: '2.6.24' },
  { type: 'time', flag: 0x00000080, flagName: 'CLONE_NEWTIME', procName: 'time', forChildrenProcName: 'time_for_children', hierarchical: false, pidfdIoctl: 7, pidfdForChildrenIoctl: 8, since: '5.6' },
  { type: 'user', flag: 0x10000000, flagName: 'CLONE_NEWUSER', procName: 'user', forChildrenProcName: null, hierarchical: true, pidfdIoctl: 9, pidfdForChildrenIoctl: null, since: '3.8' },
  { type: 'uts', flag: 0x04000000, flagName: 'CLONE_NEWUTS', procName: 'uts', forChildrenProcName: null, hierarchical: false, pidfdIoctl: 10, pidfdForChildrenIoctl: null, since: '2.6.19' },
];

/** All kinds, in alphabetical order of their names. */
export const NAMESPACE_KINDS: readonly NamespaceKind[] = Object.freeze(table.map((k) => Object.freeze(k)));

/** The kind names, in the same order as NAMESPACE_KINDS. */
export const NAMESPACE_TYPES: readonly NamespaceType[] = Object.freeze(NAMESPACE_KINDS.map((k) => k.type));

const byType = new Map<string, NamespaceKind>(NAMESPACE_KINDS.map((k) => [k.type, k]));
const byFlag = new Map<number, NamespaceKind>(NAMESPACE_KINDS.map((k) => [k.flag, k]));

/** Bitwise OR of every CLONE_NEW* flag. */
export const ALL_NAMESPACE_FLAGS: number = NAMESPACE_KINDS.reduce((acc, k) => acc | k.flag, 0);

export function isNamespaceType(value: unknown): value is NamespaceType {
  return typeof value === 'string' && byType.has(value);
}

/** The kind of a name; TypeError naming the value for anything else. */
export function kindOf(type: unknown, what = 'namespace type'): NamespaceKind {
  const kind = typeof type === 'string' ? byType.get(type) : undefined;
  if (kind === undefined) {
    throw new TypeError(`Unknown ${what} ${describe(type)}: expected one of ${NAMESPACE_TYPES.join(', ')}`);
  }
  return kind;
}

/** The *_for_children entry and ioctl of a kind; TypeError for kinds without one (all but pid, time). */
export function forChildrenOf(kind: NamespaceKind): { procName: string; pidfdIoctl: number } {
  if (kind.forChildrenProcName === null || kind.pidfdForChildrenIoctl === null) {
    throw new TypeError(`forChildren applies to pid and time namespaces, not ${kind.type}`);
  }
  return { procName: kind.forChildrenProcName, pidfdIoctl: kind.pidfdForChildrenIoctl };
}

/** The kind of a CLONE_NEW* flag (as NS_GET_NSTYPE returns), or undefined. */
export function kindOfFlag(flag: number): NamespaceKind | undefined {
  return byFlag.get(flag);
}
