/**
 * The joins of a spawn resolved against the kernel: which of the requested namespaces differ
 * from this process's own (a join of one's own namespace is dropped), and how many pid namespace
 * levels the program will have (set_tid). Reads namespace fds and /proc; opens nothing that
 * outlives the call.
 */
import { kindOf, type NamespaceKind, type NamespaceType } from '../kinds.js';
import { Namespace } from '../namespace.js';
import { ProcessHandle } from '../process-handle.js';
import { readNsPid } from '../proc.js';
import { isSystemError } from '../errors.js';
import { describe } from '../validate.js';
import { duringStep } from './preparation-failure.js';
import type { JoinRequest } from './options/namespaces.js';

export interface ResolvedJoins {
  /** Kinds actually joined (after the identical-namespace skip). */
  kinds: Set<NamespaceType>;
  pidfd: number;
  mask: number;
  fds: number[];
  types: number[];
  /** Through what the pid namespace is joined, if it is. */
  pidVia: ProcessHandle | Namespace | null;
}

/**
 * The namespace of a kind a child of this process starts in: for pid and time that is the
 * *_for_children one. Null when this kernel lacks the kind (no /proc/self/ns entry).
 */
function childNamespace(kind: NamespaceKind): Namespace | null {
  try {
    return Namespace.of('self', kind.type, { forChildren: kind.forChildrenProcName !== null });
  } catch (error) {
    if (isSystemError(error, 'ENOENT')) return null;
    throw error;
  }
}

/** The target's namespace of a kind: through the pidfd (6.11+), else through /proc. */
function targetNamespace(target: ProcessHandle, kind: NamespaceKind): Namespace {
  return duringStep('setns', () => {
    try {
      return target.namespace(kind.type);
    } catch (error) {
      if (!isSystemError(error, 'ENOTTY')) throw error;
      return Namespace.of(target.pid, kind.type);
    }
  });
}

/**
 * Whether joining `ns` is a no-op for a child of this process. Such joins are dropped: setns to
 * the caller's own user namespace is EINVAL, and to its own time namespace pointless but refused
 * (EUSERS) from a child sharing our memory.
 */
function isOwn(kind: NamespaceKind, ns: Namespace): boolean {
  const own = childNamespace(kind);
  try {
    return own !== null && own.equals(ns);
  } finally {
    own?.close();
  }
}

/** Adds the target's namespaces of the requested kinds that differ from ours (one setns(pidfd, mask)). */
function resolveTarget(join: JoinRequest, target: ProcessHandle, resolved: ResolvedJoins): void {
  for (const kind of join.targetKinds) {
    const own = childNamespace(kind);
    if (own === null) {
      // This kernel lacks the kind: nothing to join unless the caller named it.
      if (join.targetKindsListed) throw new RangeError(`options.join.kinds includes ${describe(kind.type)}, but this kernel has no ${kind.type} namespaces`);
      continue;
    }
    try {
      const theirs = targetNamespace(target, kind);
      try {
        if (own.equals(theirs)) continue;
      } finally {
        theirs.close();
      }
    } finally {
      own.close();
    }
    resolved.kinds.add(kind.type);
    resolved.mask |= kind.flag;
    if (kind.type === 'pid') resolved.pidVia = target;
  }
  if (resolved.mask !== 0) resolved.pidfd = target.fd;
}

export function resolveJoins(join: JoinRequest | null, target: ProcessHandle | null): ResolvedJoins {
  const resolved: ResolvedJoins = { kinds: new Set(), pidfd: -1, mask: 0, fds: [], types: [], pidVia: null };
  if (join === null) return resolved;
  if (target !== null) resolveTarget(join, target, resolved);
  // Handles one at a time, the user namespace first (nsenter's order).
  const ordered = [...join.handles].sort(([a], [b]) => Number(b === 'user') - Number(a === 'user'));
  for (const [type, handle] of ordered) {
    const kind = kindOf(type);
    if (isOwn(kind, handle)) continue;
    resolved.kinds.add(type);
    resolved.fds.push(handle.fd);
    resolved.types.push(kind.flag);
    if (type === 'pid') resolved.pidVia = handle;
  }
  return resolved;
}

/**
 * The kernel refuses (EINVAL) more set_tid entries than the new process has pid-namespace levels.
 * Counted from this process's pid namespace down: ours, or the joined one's, plus a new one.
 * Needs the kernel's view (the target's NSpid, the joined namespace's parents), so it runs once
 * the joins are resolved, not among the option checks.
 */
export function checkSetTidDepth(setTid: readonly number[], createsPid: boolean, joined: ResolvedJoins): void {
  if (setTid.length === 0) return;
  let levels: number;
  const target = joined.pidVia;
  if (target instanceof ProcessHandle) levels = duringStep('setns', () => target.nspid()).length;
  else if (target instanceof Namespace) levels = readNsPid('self').length + levelsBelowOurs(target);
  else levels = readNsPid('self').length;
  if (createsPid) levels += 1;
  if (setTid.length > levels) {
    throw new RangeError(`options.setTid has ${setTid.length} entries, but the program will be in ${levels} pid namespace level(s) visible from here: at most ${levels} allowed`);
  }
}

/** How many levels a pid namespace lies below ours: NS_GET_PARENT answers EPERM (null) at ours. */
function levelsBelowOurs(ns: Namespace): number {
  let steps = 0;
  let current = ns.parent();
  try {
    while (current !== null) {
      steps += 1;
      const next: Namespace | null = current.parent();
      current.close();
      current = next;
    }
  } finally {
    current?.close();
  }
  return steps;
}
