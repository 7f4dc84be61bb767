/**
 * nsbridge/raw — the system calls themselves, typed and argument-checked, with no policy.
 *
 * unshare() and setns() act on the *calling thread* only. Node is multithreaded, and the kernel
 * refuses some changes to a multithreaded process: creating or joining a user namespace (EINVAL),
 * joining a mount namespace while the fs state is shared between threads (EINVAL), joining a time
 * namespace (EUSERS, unless it is the one already in time_for_children). Changing the Node
 * process's own namespaces also affects libuv's threads unevenly. Prefer spawn() (a child does the
 * change) for anything but experiments.
 *
 * Every fd returned is O_CLOEXEC and owned by the returned object: close() it, or the garbage
 * collector (or worker/process teardown) will.
 */
import type { OwnedFd, RawExitStatus, RawFileIdentity } from './native/binding.js';
import { PidTranslation } from './native/binding.js';
import { addon } from './native/addon.js';
import { forChildrenOf, kindOf, kindOfFlag, type NamespaceType } from './kinds.js';
import { isSystemError, withHint } from './errors.js';
import { modelHint } from './model/hint.js';
import { booleanOption, checkFd, checkFlags, checkPath, checkPid, checkSignal, describe, ownElement } from './validate.js';

export type { OwnedFd as RawFd, RawExitStatus, RawFileIdentity };
export { PidTranslation };

/** A CLONE_NEW* mask given as a number or as kind names. */
export type NamespaceMask = number | NamespaceType | readonly NamespaceType[];

function maskOf(value: NamespaceMask, name: string): number {
  if (typeof value === 'number') return checkFlags(value, name);
  if (typeof value === 'string') return kindOf(value).flag;
  if (Array.isArray(value)) {
    // An index loop, not reduce(): a hole of a sparse array is an error, not skipped.
    let mask = 0;
    for (let i = 0; i < value.length; i++) mask |= kindOf(ownElement(value, i), `${name}[${i}] namespace type`).flag;
    return mask;
  }
  throw new TypeError(`${name} must be a flag mask, a namespace type or an array of types, got ${describe(value)}`);
}

/**
 * Run a system call; when it fails with an errno the model has a rule for (this call, this kind),
 * the error carries the model's reason as its hint.
 */
function explained<T>(syscall: string, mask: number, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!isSystemError(error) || error.hint !== undefined) throw error;
    const kind = kindOfFlag(mask)?.type;
    const reason = modelHint({ syscall, code: error.code, ...(kind === undefined ? {} : { kind }) });
    throw reason === undefined ? error : withHint(error, reason);
  }
}

/** unshare(2) on the calling thread. */
export function unshare(flags: NamespaceMask): void {
  const mask = maskOf(flags, 'flags');
  explained('unshare', mask, () => addon().unshare(mask));
}

/** setns(2) on the calling thread; `fd` is an nsfs fd or a pidfd; nstype 0 accepts any kind. */
export function setns(fd: number, nstype: NamespaceMask = 0): void {
  const mask = maskOf(nstype, 'nstype');
  explained('setns', mask, () => addon().setns(checkFd(fd), mask));
}

/**
 * A namespace file — /proc/<pid>/ns/<kind> or any nsfs bind mount — opened O_RDONLY | O_CLOEXEC
 * without ever blocking or opening anything else: a path that is not on nsfs (a FIFO, a device,
 * a regular file) is ENOTTY (syscall 'fstatfs') before it is opened.
 */
export function openNamespaceFile(path: string): OwnedFd {
  return addon().openNamespacePath(checkPath(path));
}

/** fstat + fstatfs: (st_dev, st_ino) and whether the fd is on nsfs. */
export function fileIdentity(fd: number): RawFileIdentity {
  return addon().fileIdentity(checkFd(fd));
}

/** ioctl(NS_GET_USERNS): the owning user namespace. */
export function nsGetUserns(fd: number): OwnedFd {
  return addon().nsGetUserns(checkFd(fd));
}

/** ioctl(NS_GET_PARENT): the parent pid or user namespace. */
export function nsGetParent(fd: number): OwnedFd {
  return addon().nsGetParent(checkFd(fd));
}

/** ioctl(NS_GET_NSTYPE): the CLONE_NEW* flag of the namespace. */
export function nsGetNstype(fd: number): number {
  return addon().nsGetNstype(checkFd(fd));
}

/** ioctl(NS_GET_OWNER_UID) on a user namespace. */
export function nsGetOwnerUid(fd: number): number {
  return addon().nsGetOwnerUid(checkFd(fd));
}

/** ioctl(NS_GET_ID) (Linux 6.18+). */
export function nsGetId(fd: number): bigint {
  return addon().nsGetId(checkFd(fd));
}

/** The pid-translation ioctls (Linux 6.11+) on a pid-namespace fd. */
export function nsTranslatePid(fd: number, which: PidTranslation, pid: number): number {
  if (!Object.values(PidTranslation).includes(which)) {
    throw new TypeError(`which must be one of PidTranslation's values, got ${describe(which)}`);
  }
  return addon().nsTranslatePid(checkFd(fd), which, checkPid(pid));
}

/** pidfd_open(2). */
export function pidfdOpen(pid: number, flags = 0): OwnedFd {
  return addon().pidfdOpen(checkPid(pid), checkFlags(flags));
}

/** pidfd_send_signal(2) with no siginfo. */
export function pidfdSendSignal(pidfd: number, signal: string | number, flags = 0): void {
  addon().pidfdSendSignal(checkFd(pidfd, 'pidfd'), checkSignal(signal), checkFlags(flags));
}

/** pidfd_getfd(2): a copy of another process's fd `targetFd`. */
export function pidfdGetfd(pidfd: number, targetFd: number): OwnedFd {
  return addon().pidfdGetfd(checkFd(pidfd, 'pidfd'), checkFd(targetFd, 'targetFd'));
}

/** ioctl(pidfd, PIDFD_GET_<KIND>[_FOR_CHILDREN]_NAMESPACE) (Linux 6.11+). */
export function pidfdGetNamespace(pidfd: number, type: NamespaceType, options: { forChildren?: boolean } = {}): OwnedFd {
  const kind = kindOf(type);
  const request = booleanOption(options, 'forChildren') ? forChildrenOf(kind).pidfdIoctl : kind.pidfdIoctl;
  return addon().pidfdGetNamespace(checkFd(pidfd, 'pidfd'), request);
}

/**
 * waitid(P_PIDFD, pidfd, WEXITED | WNOHANG [| WNOWAIT]): null while the process runs. Without
 * noWait this reaps the process: do it only for your own children.
 */
export function waitid(pidfd: number, options: { noWait?: boolean } = {}): RawExitStatus | null {
  return addon().waitidPidfd(checkFd(pidfd, 'pidfd'), booleanOption(options, 'noWait'));
}

/** ioctl(pidfd, PIDFD_GET_INFO, PIDFD_INFO_EXIT) (Linux 6.15+): the exit status, even after reaping. */
export function pidfdExitInfo(pidfd: number): RawExitStatus | null {
  return addon().pidfdExitInfo(checkFd(pidfd, 'pidfd'));
}
