/**
 * The namespaces to create and to join (`namespaces`, `join`) and how the pid namespace and the
 * credentials of a joined user namespace apply (`pidForChildrenOnly`, `preserveCredentials`).
 * Pure checks; resolving a join against the kernel is the plan builder's (join-resolution.ts).
 */
import type { NativeSpawnPlan } from '../../native/binding.js';
import { NAMESPACE_KINDS, NAMESPACE_TYPES, kindOf, type NamespaceKind, type NamespaceType } from '../../kinds.js';
import { Namespace } from '../../namespace.js';
import { ProcessHandle } from '../../process-handle.js';
import { systemError } from '../../errors.js';
import { checkBoolean, checkKeys, checkObject, checkPid, describe, isPlainObject, ownElement } from '../../validate.js';
import { StepFailure } from '../preparation-failure.js';
import type { ResolvedJoins } from '../join-resolution.js';
import { maskOf, type Given } from './common.js';

/** Existing namespaces to enter, nsenter-style. */
export interface JoinOptions {
  /** The process whose namespaces to join; a pid is opened as a ProcessHandle and closed by release(). */
  target?: ProcessHandle | number;
  /** Which of the target's namespaces to join. Default: every kind not created and not given a handle. */
  kinds?: readonly NamespaceType[] | 'all';
  /** A cgroup namespace to join by handle (setns with its fd, CLONE_NEWCGROUP). */
  cgroup?: Namespace;
  /** An ipc namespace to join by handle (CLONE_NEWIPC). */
  ipc?: Namespace;
  /** A mount namespace to join by handle (CLONE_NEWNS); without `cwd` the program then starts at its root, as setns leaves it. */
  mnt?: Namespace;
  /** A network namespace to join by handle (CLONE_NEWNET). */
  net?: Namespace;
  /** A pid namespace to join by handle (CLONE_NEWPID): the program is created in it, unless pidForChildrenOnly. */
  pid?: Namespace;
  /**
   * A time namespace to join by handle (CLONE_NEWTIME). One other than this process's makes the
   * spawn a fork-style clone: the kernel refuses the join to a child sharing this process's memory (EUSERS).
   */
  time?: Namespace;
  /** A user namespace to join by handle (CLONE_NEWUSER), joined before the other handles; the program becomes root there unless preserveCredentials. */
  user?: Namespace;
  /** A uts namespace to join by handle (CLONE_NEWUTS). */
  uts?: Namespace;
}

export const namespaceKeys = ['namespaces', 'join', 'preserveCredentials', 'pidForChildrenOnly'] as const;

const joinKeys: readonly string[] = ['target', 'kinds', ...NAMESPACE_TYPES];

export function checkCreates({ namespaces: value }: Given<typeof namespaceKeys>): Set<NamespaceType> {
  const creates = new Set<NamespaceType>();
  if (value === undefined) return creates;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const { type } = kindOf(ownElement(value, i), `options.namespaces[${i}] namespace type`);
      if (creates.has(type)) throw new RangeError(`options.namespaces lists ${describe(type)} twice`);
      creates.add(type);
    }
    return creates;
  }
  if (!isPlainObject(value)) {
    throw new TypeError(`options.namespaces must be an array of namespace types or an object of booleans, got ${describe(value)}`);
  }
  for (const [key, on] of Object.entries(value)) { // own properties only
    const { type } = kindOf(key, 'options.namespaces key');
    if (on !== undefined && checkBoolean(on, `options.namespaces.${type}`)) creates.add(type);
  }
  return creates;
}

export interface JoinRequest {
  target: ProcessHandle | number | null;
  /** Kinds to join through the target, before the identical-namespace skip. */
  targetKinds: NamespaceKind[];
  /** Whether targetKinds was an explicit list: then a kind this kernel lacks is an error, not skipped. */
  targetKindsListed: boolean;
  handles: Map<NamespaceType, Namespace>;
}

/** A ProcessHandle target that may still be joined (else a TypeError / RangeError, or the setns step failing). */
function checkTargetHandle(target: ProcessHandle): ProcessHandle {
  if (target.reaped) {
    // Its process exited and nsbridge reaped it: a setup failure like any exited target.
    throw new StepFailure('setns', systemError('ESRCH', 'setns', `ESRCH: No such process, setns (pid ${target.pid} exited and was reaped)`));
  }
  if (target.closed) throw new RangeError(`options.join.target is closed (ProcessHandle of pid ${target.pid})`);
  return target;
}

function checkHandles(join: Record<string, unknown>, creates: ReadonlySet<NamespaceType>): Map<NamespaceType, Namespace> {
  const handles = new Map<NamespaceType, Namespace>();
  for (const { type } of NAMESPACE_KINDS) {
    const handle = join[type];
    if (handle === undefined) continue;
    const name = `options.join.${type}`;
    if (!(handle instanceof Namespace)) throw new TypeError(`${name} must be a Namespace, got ${describe(handle)}`);
    if (handle.type !== type) throw new TypeError(`${name} must be a ${type} Namespace, got a ${handle.type} namespace`);
    if (handle.closed) throw new RangeError(`${name} is closed`);
    if (creates.has(type)) throw new RangeError(`${name} conflicts with options.namespaces.${type}: a namespace is either created or joined`);
    handles.set(type, handle);
  }
  return handles;
}

function checkTargetKinds(kinds: unknown): NamespaceKind[] {
  if (kinds === 'all') return [...NAMESPACE_KINDS];
  if (!Array.isArray(kinds)) throw new TypeError(`options.join.kinds must be 'all' or an array of namespace types, got ${describe(kinds)}`);
  const targetKinds: NamespaceKind[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const kind = kindOf(ownElement(kinds, i), `options.join.kinds[${i}] namespace type`);
    if (targetKinds.includes(kind)) throw new RangeError(`options.join.kinds lists ${describe(kind.type)} twice`);
    targetKinds.push(kind);
  }
  return targetKinds;
}

export function checkJoin({ join: value }: Given<typeof namespaceKeys>, creates: ReadonlySet<NamespaceType>): JoinRequest | null {
  if (value === undefined) return null;
  const join = checkObject(value, 'options.join');
  checkKeys(join, joinKeys, 'options.join key');

  let target: ProcessHandle | number | null = null;
  if (join.target instanceof ProcessHandle) target = checkTargetHandle(join.target);
  else if (typeof join.target === 'number') target = checkPid(join.target, 'options.join.target');
  else if (join.target !== undefined) throw new TypeError(`options.join.target must be a ProcessHandle or a pid, got ${describe(join.target)}`);

  const handles = checkHandles(join, creates);
  if (target === null) {
    if (join.kinds !== undefined) throw new RangeError('options.join.kinds requires options.join.target (the process whose namespaces to join)');
    if (handles.size === 0) {
      throw new RangeError(`options.join needs a target or at least one namespace handle (options.join.${NAMESPACE_TYPES.join(', options.join.')})`);
    }
    return { target, targetKinds: [], targetKindsListed: false, handles };
  }
  // Defaulted: every kind that is neither created nor given a handle.
  if (join.kinds === undefined) {
    const targetKinds = NAMESPACE_KINDS.filter((k) => !creates.has(k.type) && !handles.has(k.type));
    return { target, targetKinds, targetKindsListed: false, handles };
  }
  const targetKinds = checkTargetKinds(join.kinds);
  for (const { type } of targetKinds) {
    if (handles.has(type)) throw new RangeError(`options.join.kinds includes ${describe(type)}, which options.join.${type} also gives: join each kind one way`);
    if (creates.has(type)) throw new RangeError(`options.join.kinds includes ${describe(type)}, which options.namespaces.${type} creates: a namespace is either created or joined`);
  }
  return { target, targetKinds, targetKindsListed: Array.isArray(join.kinds), handles };
}

/** Whether `join` asks for a namespace of this kind (before the identical-namespace skip). */
export function joinsKind(join: JoinRequest | null, type: NamespaceType): boolean {
  return join !== null && (join.handles.has(type) || join.targetKinds.some((k) => k.type === type));
}

export function checkPreserveCredentials({ preserveCredentials: value }: Given<typeof namespaceKeys>, join: JoinRequest | null): boolean {
  if (value === undefined || !checkBoolean(value, 'options.preserveCredentials')) return false;
  if (!joinsKind(join, 'user')) throw new RangeError('options.preserveCredentials applies to joining a user namespace (options.join)');
  return true;
}

export function checkPidForChildrenOnly(
  { pidForChildrenOnly: value }: Given<typeof namespaceKeys>,
  creates: ReadonlySet<NamespaceType>,
  join: JoinRequest | null,
  mountProc: string | null,
  setTid: readonly number[],
): boolean {
  if (value === undefined || !checkBoolean(value, 'options.pidForChildrenOnly')) return false;
  if (!creates.has('pid') && !joinsKind(join, 'pid')) throw new RangeError('options.pidForChildrenOnly requires a new pid namespace (namespaces.pid) or a joined one (options.join)');
  // A fresh proc shows the mounting process's own pid namespace, and set_tid would number the
  // program in ours: neither is the namespace the option is about.
  if (mountProc !== null) throw new RangeError('options.pidForChildrenOnly conflicts with options.mountProc: the program is not in the pid namespace that proc would show');
  if (setTid.length > 0) throw new RangeError('options.pidForChildrenOnly conflicts with options.setTid: the program is not created in that pid namespace');
  return true;
}

type NamespacePlan = Pick<NativeSpawnPlan, 'cloneFlags' | 'unshareFlags' | 'joinPidfd' | 'joinMask' | 'joinFds' | 'joinTypes' | 'shareMemory' | 'pidForChildrenOnly'>;

/** The plan's namespace part, from the joins as resolved against this process's namespaces. */
export function namespacePlan(creates: ReadonlySet<NamespaceType>, joins: ResolvedJoins, pidForChildrenOnly: boolean): NamespacePlan {
  // unshare after the joins; also for pidForChildrenOnly, since clone3(CLONE_NEWPID) would make
  // the program itself pid 1 of the new namespace.
  const viaUnshare = joins.kinds.size > 0 || pidForChildrenOnly;
  const createMask = maskOf(creates);
  return {
    cloneFlags: viaUnshare ? 0 : createMask,
    unshareFlags: viaUnshare ? createMask : 0,
    joinPidfd: joins.pidfd,
    joinMask: joins.mask,
    joinFds: joins.fds,
    joinTypes: joins.types,
    // The kernel refuses a time namespace join to a task whose memory is shared (EUSERS).
    shareMemory: !joins.kinds.has('time'),
    pidForChildrenOnly,
  };
}
