/**
 * spawn() options → NativeSpawnPlan.
 *
 * Two phases. First every check that needs no kernel state: wrong types are TypeErrors, impossible
 * values and contradicting options RangeErrors, each naming the option; nothing is opened yet.
 * Then the fds the plan refers to are opened (a pidfd for a target given as a pid, the cgroup
 * directory, /dev/null) and the joins are resolved against this process's own namespaces; if any
 * of that fails, everything opened so far is closed again before the error propagates.
 */
import type { NativeSpawnPlan } from '../native/binding.js';
import { addon } from '../native/addon.js';
import { NAMESPACE_KINDS, NAMESPACE_TYPES, kindOf, type NamespaceKind, type NamespaceType } from '../kinds.js';
import { Namespace } from '../namespace.js';
import { ProcessHandle } from '../process-handle.js';
import { hasEffectiveCapability } from '../capabilities.js';
import { readNsPid } from '../proc.js';
import { checkArray, checkBoolean, checkFd, checkId, checkInteger, checkPath, checkPid, checkSignal, checkString, checkKeys, checkObject, classProperty, describe, isPlainObject, ownElement } from '../validate.js';
import { isSystemError, type SystemErrorShape } from '../errors.js';
import type { SpawnErrorContext } from './spawn-error.js';
import { parseCwd, parsePersist, parsePropagation, parseRoot, type DirectoryOption, type PersistEntry, type Propagation } from './fs-options.js';

export type { Propagation } from './fs-options.js';

// --- public types ---------------------------------------------------------------------------

/** One line of a uid_map / gid_map: ids inside..inside+count-1 are outside..outside+count-1. */
export interface IdMapEntry {
  /** First id of the range in the new user namespace (0 to 4294967294). */
  inside: number;
  /** First id of the range in the parent user namespace, the one the new namespace is created in (0 to 4294967294). */
  outside: number;
  /** How many ids the range has (at least 1; neither range may reach 4294967295, which is "no id"). */
  count: number;
}

/**
 * One stdio slot, as child_process takes it: 'pipe' (a socketpair: this process gets a Socket),
 * 'inherit' (this process's fd of the same number), 'ignore' (/dev/null for slots 0-2, closed
 * beyond), an fd of this process, an object with an fd (a FileHandle, a net.Socket), or
 * null / undefined: 'pipe' for slots 0-2, 'ignore' beyond.
 */
export type StdioSlotOption =
  | 'pipe' | 'inherit' | 'ignore' | number
  | {
      /** An open fd of this process to give the program in this slot (a FileHandle's fd). */
      fd: number;
    }
  | {
      /** The native handle of a Node stream (a net.Socket's), whose fd the slot gets. */
      _handle: {
        /** The handle's fd in this process. */
        fd: number;
      };
    }
  | null | undefined;

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

/**
 * The options of spawn(): the namespaces to create and to join, how to set them up, and the
 * program's process attributes. All are checked before anything is cloned: a wrong type is a
 * TypeError, an impossible value or a contradiction a RangeError naming the option.
 */
export interface SpawnOptions {
  /** Namespaces to create. */
  namespaces?: Partial<Record<NamespaceType, boolean>> | readonly NamespaceType[];
  /** Existing namespaces to enter: those of a target process and/or Namespace handles. A kind is either created or joined. */
  join?: JoinOptions;
  /**
   * When joining a user namespace, keep the uid and gid (as this process's ids map there) instead
   * of becoming root in it (nsenter --preserve-credentials); a uid or gid given is still set.
   */
  preserveCredentials?: boolean;
  /**
   * A new or joined pid namespace becomes only the program's pid_for_children: the program stays
   * in this process's pid namespace and its children are created in that one (nsenter --no-fork;
   * what setns / unshare do without a fork). Default false: the program itself is in it.
   */
  pidForChildrenOnly?: boolean;
  /**
   * The propagation of a new mount namespace, set before anything else runs in it (like
   * unshare(1)): 'private' (the default: nothing mounted there reaches the host, even where / is a
   * shared mount), 'slave' (the host's new mounts appear in it, none go back), 'shared' (mount
   * events cross both ways with each mount's peers) or 'unchanged' (as copied from the parent).
   */
  propagation?: Propagation;
  /**
   * Bind-mount the new namespaces of these kinds onto existing files before the program runs, so
   * they outlive it (unshare --net=FILE; iproute2's /run/netns/NAME files are such mounts).
   */
  persist?: Partial<Record<NamespaceType, string>>;
  /**
   * chroot into this directory before the working directory is set (unshare -R): a path in the
   * program's mount namespace, or `{ fd }` of a directory opened by the caller (nsenter -r).
   */
  root?: string | {
    /** An open directory fd of this process: fchdir to it, then chroot("."). */
    fd: number;
  };
  /**
   * The new user namespace's uid_map (1 to 340 lines, no two inside or outside ranges
   * overlapping), written by this process before the program runs. Requires namespaces.user.
   */
  uidMap?: readonly IdMapEntry[];
  /**
   * The new user namespace's gid_map, like uidMap. Without CAP_SETGID the kernel takes it only
   * after setgroups 'deny', which is then written first unless `setgroups` says otherwise.
   */
  gidMap?: readonly IdMapEntry[];
  /** Map root inside the new user namespace to this process's euid / egid. */
  mapRootUser?: boolean;
  /**
   * Keep the capabilities the new user namespace grants across the exec even when the program
   * does not run as root there: they are raised into the ambient set (unshare --keep-caps).
   */
  keepCapabilities?: boolean;
  /**
   * What to write to the new user namespace's /proc/<pid>/setgroups, before its gid_map. Default:
   * 'deny' where a gid map is written without CAP_SETGID, else the file is left alone. Requires namespaces.user.
   */
  setgroups?: 'allow' | 'deny';
  /**
   * Bring `lo` up in the new network namespace before the program runs, so 127.0.0.1/8 and ::1
   * answer (a new network namespace starts with lo down: ENETUNREACH). Requires namespaces.net.
   * A failure is the step 'loopback'.
   */
  loopback?: boolean;
  /** sethostname(2) in the new uts namespace: 1 to 64 bytes of UTF-8. Requires namespaces.uts. */
  hostname?: string;
  /** setdomainname(2) (the NIS domain name) in the new uts namespace: 1 to 64 bytes of UTF-8. Requires namespaces.uts. */
  domainname?: string;
  /** Mount a fresh proc: true for /proc, or the mount point. */
  mountProc?: boolean | string;
  /** Offsets of the new time namespace: bigint = nanoseconds, number = seconds (may be fractional). */
  timeOffsets?: {
    /** Offset of CLOCK_MONOTONIC, within ±9223372036 seconds (KTIME_SEC_MAX). */
    monotonic?: bigint | number;
    /** Offset of CLOCK_BOOTTIME (what /proc/uptime shows), within ±9223372036 seconds. */
    boottime?: bigint | number;
  };
  /** A cgroup v2 directory to start the program in (CLONE_INTO_CGROUP). */
  cgroup?: string;
  /** clone3 set_tid: the program's pid per pid namespace level, innermost first. */
  setTid?: readonly number[];
  /** The working directory: a path in the program's mount namespace (after root), or `{ fd }` of an open directory. */
  cwd?: string | URL | {
    /** An open directory fd of this process, to fchdir into. */
    fd: number;
  };
  /**
   * The program's environment (undefined values left out, numbers and booleans as strings, like
   * child_process); its PATH is where `file` is looked for. Default: process.env when spawn() is called.
   */
  env?: Record<string, string | undefined>;
  /** The program's argv[0]. Default: `file` as given. */
  argv0?: string;
  /**
   * setresuid(2) to this uid (0 to 4294967294) before the exec, as an id of the user namespace the
   * program ends up in. Default: unchanged, but 0 after joining a user namespace (unless preserveCredentials).
   */
  uid?: number;
  /** setresgid(2) to this gid before the uid is set, like `uid`. */
  gid?: number;
  /**
   * setgroups(2): the supplementary groups (at most 65536). Default: unchanged, but dropped
   * (where the kernel allows it) when uid or gid changes, like libuv.
   */
  groups?: readonly number[];
  /**
   * The program's stdio, as child_process takes it: one value for slots 0-2, or one per slot
   * (up to 1024; slots 0-2 left out are pipes). Default 'pipe'.
   */
  stdio?: 'pipe' | 'inherit' | 'ignore' | readonly StdioSlotOption[];
  /** PR_SET_PDEATHSIG: true = SIGKILL. */
  killOnParentDeath?: boolean | string | number;
  /**
   * Aborting it sends killSignal to the program and emits an AbortError as 'error'; if it is
   * already aborted, the program is never started.
   */
  signal?: AbortSignal;
  /** Sent when `signal` aborts. Default 'SIGTERM'. */
  killSignal?: string | number;
  /**
   * Put nsbridge's own init (nsbridge-init, shipped beside the addon) at pid 1 of the new pid
   * namespace, with the program as its child (pid 2), as `docker run --init` does with tini:
   * every signal sent to the child (kill(), an abort's killSignal) is forwarded to the program,
   * orphans are reaped, and `exited` reports the program's own exit code or signal. Needs 'pid'
   * in `namespaces`. `child.pid` is the init's. With `root`, the init is exec'd at its path in
   * the addon's directory, which must then exist inside the new root too.
   */
  init?: boolean;
}

export interface SpawnRequest {
  file: string;
  args: string[];
  plan: NativeSpawnPlan;
  /** per stdio slot as the user asked: 'pipe' slots become streams, others null */
  stdioKinds: ('pipe' | 'fd')[];
  signal: AbortSignal | undefined;
  killSignal: number;
  /** What a SpawnError's hint may refer to (the execve candidates, the persist files, the join target). */
  errorContext: SpawnErrorContext;
  /** close every fd/handle normalizeSpawn opened (target ProcessHandle opened from a pid, /dev/null, cgroup dir, namespace fds of the target). Idempotent. */
  release(): void;
}

// --- small checks ---------------------------------------------------------------------------

/** Every key of SpawnOptions; `satisfies` keeps this list in step with the interface. */
const optionKeys = Object.keys({
  namespaces: true, join: true, preserveCredentials: true, pidForChildrenOnly: true, propagation: true,
  persist: true, root: true, uidMap: true, gidMap: true, mapRootUser: true, keepCapabilities: true, setgroups: true,
  loopback: true, hostname: true, domainname: true, mountProc: true, timeOffsets: true, cgroup: true, setTid: true,
  cwd: true, env: true, argv0: true, uid: true, gid: true, groups: true, stdio: true,
  killOnParentDeath: true, signal: true, killSignal: true, init: true,
} satisfies Record<keyof SpawnOptions, true>);

const joinKeys: readonly string[] = ['target', 'kinds', ...NAMESPACE_TYPES];

/** Like Array.prototype.map, but holes of sparse arrays are visited (as undefined, never inherited). */
function mapEntries<T>(array: readonly unknown[], each: (value: unknown, index: number) => T): T[] {
  return Array.from({ length: array.length }, (_, i) => each(ownElement(array, i), i));
}

function requireCreated(creates: ReadonlySet<NamespaceType>, type: NamespaceType, option: string): void {
  if (!creates.has(type)) throw new RangeError(`${option} requires a new ${type} namespace (namespaces.${type})`);
}

function maskOf(kinds: Iterable<NamespaceType>): number {
  let mask = 0;
  for (const type of kinds) mask |= kindOf(type).flag;
  return mask;
}

// --- program --------------------------------------------------------------------------------

function checkProgram(file: unknown, args: unknown): { file: string; args: string[] } {
  const path = checkPath(file, 'file');
  if (args === undefined || args === null) return { file: path, args: [] };
  if (!Array.isArray(args)) throw new TypeError(`args must be an array of strings, got ${describe(args)}`);
  return { file: path, args: mapEntries(args, (arg, i) => checkString(arg, `args[${i}]`)) };
}

// --- namespaces to create and to join -------------------------------------------------------

function parseCreates(value: unknown): Set<NamespaceType> {
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

interface JoinRequest {
  target: ProcessHandle | number | null;
  /** Kinds to join through the target, before the identical-namespace skip. */
  targetKinds: NamespaceKind[];
  /** Whether targetKinds was an explicit list: then a kind this kernel lacks is an error, not skipped. */
  targetKindsListed: boolean;
  handles: Map<NamespaceType, Namespace>;
}

function parseJoin(value: unknown, creates: ReadonlySet<NamespaceType>): JoinRequest | null {
  if (value === undefined) return null;
  const join = checkObject(value, 'options.join');
  checkKeys(join, joinKeys, 'options.join key');

  let target: ProcessHandle | number | null = null;
  if (join.target instanceof ProcessHandle) {
    if (join.target.reaped) {
      // Its process exited and nsbridge reaped it: a setup failure like any exited target.
      const error = Object.assign(new Error(`ESRCH: No such process, setns (pid ${join.target.pid} exited and was reaped)`), {
        code: 'ESRCH', errno: -3, syscall: 'setns', step: 'setns',
      });
      throw error;
    }
    if (join.target.closed) throw new RangeError(`options.join.target is closed (ProcessHandle of pid ${join.target.pid})`);
    target = join.target;
  } else if (typeof join.target === 'number') {
    target = checkPid(join.target, 'options.join.target');
  } else if (join.target !== undefined) {
    throw new TypeError(`options.join.target must be a ProcessHandle or a pid, got ${describe(join.target)}`);
  }

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
  let targetKinds: NamespaceKind[];
  if (join.kinds === 'all') {
    targetKinds = [...NAMESPACE_KINDS];
  } else if (Array.isArray(join.kinds)) {
    targetKinds = [];
    for (let i = 0; i < join.kinds.length; i++) {
      const kind = kindOf(ownElement(join.kinds, i), `options.join.kinds[${i}] namespace type`);
      if (targetKinds.includes(kind)) throw new RangeError(`options.join.kinds lists ${describe(kind.type)} twice`);
      targetKinds.push(kind);
    }
  } else {
    throw new TypeError(`options.join.kinds must be 'all' or an array of namespace types, got ${describe(join.kinds)}`);
  }
  for (const { type } of targetKinds) {
    if (handles.has(type)) throw new RangeError(`options.join.kinds includes ${describe(type)}, which options.join.${type} also gives: join each kind one way`);
    if (creates.has(type)) throw new RangeError(`options.join.kinds includes ${describe(type)}, which options.namespaces.${type} creates: a namespace is either created or joined`);
  }
  return { target, targetKinds, targetKindsListed: Array.isArray(join.kinds), handles };
}

/** Whether the program will be in a pid namespace of `join` (before the identical-namespace skip). */
function joinsPid(join: JoinRequest | null): boolean {
  return join !== null && (join.handles.has('pid') || join.targetKinds.some((k) => k.type === 'pid'));
}

/** Whether `join` asks for a user namespace (before the identical-namespace skip). */
function joinsUser(join: JoinRequest | null): boolean {
  return join !== null && (join.handles.has('user') || join.targetKinds.some((k) => k.type === 'user'));
}

function parsePreserveCredentials(value: unknown, join: JoinRequest | null): boolean {
  if (value === undefined || !checkBoolean(value, 'options.preserveCredentials')) return false;
  if (!joinsUser(join)) throw new RangeError('options.preserveCredentials applies to joining a user namespace (options.join)');
  return true;
}

function parsePidForChildrenOnly(value: unknown, creates: ReadonlySet<NamespaceType>, join: JoinRequest | null, mountProc: string | null, setTid: readonly number[]): boolean {
  if (value === undefined || !checkBoolean(value, 'options.pidForChildrenOnly')) return false;
  if (!creates.has('pid') && !joinsPid(join)) throw new RangeError('options.pidForChildrenOnly requires a new pid namespace (namespaces.pid) or a joined one (options.join)');
  // A fresh proc shows the mounting process's own pid namespace, and set_tid would number the
  // program in ours: neither is the namespace the option is about.
  if (mountProc !== null) throw new RangeError('options.pidForChildrenOnly conflicts with options.mountProc: the program is not in the pid namespace that proc would show');
  if (setTid.length > 0) throw new RangeError('options.pidForChildrenOnly conflicts with options.setTid: the program is not created in that pid namespace');
  return true;
}

function parseLoopback(value: unknown, creates: ReadonlySet<NamespaceType>): boolean {
  if (value === undefined || !checkBoolean(value, 'options.loopback')) return false;
  requireCreated(creates, 'net', 'options.loopback');
  return true;
}

function parseKeepCapabilities(value: unknown, creates: ReadonlySet<NamespaceType>): boolean {
  if (value === undefined || !checkBoolean(value, 'options.keepCapabilities')) return false;
  requireCreated(creates, 'user', 'options.keepCapabilities');
  return true;
}

// --- user namespace -------------------------------------------------------------------------

// uid_map / gid_map hold at most UID_GID_MAP_MAX_EXTENTS (340) lines (Linux 4.15+).
const MAX_ID_MAP_LINES = 340;
// map_write() refuses a range that wraps in u32 arithmetic: start + count must stay below 2^32,
// so the last mappable id is 2^32 - 2 and (u32)-1 stays "no id".
const ID_RANGE_END = 0xffffffff;

function renderIdMap(value: unknown, name: string): string {
  const array = checkArray(value, name, 1, MAX_ID_MAP_LINES);
  const entries = mapEntries(array, (raw, i) => {
    const at = `${name}[${i}]`;
    const entry = checkObject(raw, at);
    checkKeys(entry, ['inside', 'outside', 'count'], `${at} key`);
    const inside = checkId(entry.inside, `${at}.inside`);
    const outside = checkId(entry.outside, `${at}.outside`);
    const count = checkInteger(entry.count, `${at}.count`, 1, 0xffffffff);
    for (const [side, start] of [['inside', inside], ['outside', outside]] as const) {
      if (start + count > ID_RANGE_END) {
        throw new RangeError(`${at}: ${side} + count must not exceed ${ID_RANGE_END}, got ${start} + ${count}`);
      }
    }
    return { inside, outside, count, index: i };
  });
  // The kernel refuses maps whose inside ranges or outside ranges overlap (mappings_overlap).
  for (const side of ['inside', 'outside'] as const) {
    const sorted = [...entries].sort((a, b) => a[side] - b[side]);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!;
      const next = sorted[k]!;
      if (next[side] < prev[side] + prev.count) {
        const [first, second] = [prev.index, next.index].sort((a, b) => a - b);
        throw new RangeError(`${name}[${first}] and ${name}[${second}] overlap in their ${side} ranges`);
      }
    }
  }
  return entries.map((e) => `${e.inside} ${e.outside} ${e.count}\n`).join('');
}

interface UserSetup {
  uidMap: string | null;
  gidMap: string | null;
  setgroups: 'allow' | 'deny' | null;
}

function parseUserSetup(options: Record<string, unknown>, creates: ReadonlySet<NamespaceType>): UserSetup {
  const { uidMap, gidMap, mapRootUser, setgroups } = options;
  const setup: UserSetup = { uidMap: null, gidMap: null, setgroups: null };
  if (uidMap !== undefined) setup.uidMap = renderIdMap(uidMap, 'options.uidMap');
  if (gidMap !== undefined) setup.gidMap = renderIdMap(gidMap, 'options.gidMap');
  if (setgroups !== undefined) {
    if (setgroups !== 'allow' && setgroups !== 'deny') throw new TypeError(`options.setgroups must be 'allow' or 'deny', got ${describe(setgroups)}`);
    setup.setgroups = setgroups;
  }
  const root = mapRootUser !== undefined && checkBoolean(mapRootUser, 'options.mapRootUser');
  if (root) {
    if (uidMap !== undefined) throw new RangeError('options.mapRootUser conflicts with options.uidMap: give one or the other');
    if (gidMap !== undefined) throw new RangeError('options.mapRootUser conflicts with options.gidMap: give one or the other');
    setup.uidMap = `0 ${process.geteuid!()} 1\n`;
    setup.gidMap = `0 ${process.getegid!()} 1\n`;
  }
  if (uidMap !== undefined) requireCreated(creates, 'user', 'options.uidMap');
  if (gidMap !== undefined) requireCreated(creates, 'user', 'options.gidMap');
  if (root) requireCreated(creates, 'user', 'options.mapRootUser');
  if (setgroups !== undefined) requireCreated(creates, 'user', 'options.setgroups');
  // user_namespaces(7): a writer without CAP_SETGID in the parent user namespace may write a
  // gid_map only after "deny" went to setgroups, so an unprivileged caller gets 'deny' first.
  if (setup.gidMap !== null && setup.setgroups === null && !hasEffectiveCapability(CAP_SETGID)) setup.setgroups = 'deny';
  return setup;
}

const CAP_SETGID = 6;

// --- uts, mnt, time -------------------------------------------------------------------------

// sethostname / setdomainname take at most __NEW_UTS_LEN (64) bytes.
const UTS_NAME_MAX = 64;

function parseUtsName(value: unknown, name: string, creates: ReadonlySet<NamespaceType>): string | null {
  if (value === undefined) return null;
  const text = checkString(value, name);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes < 1 || bytes > UTS_NAME_MAX) throw new RangeError(`${name} must be 1 to ${UTS_NAME_MAX} bytes (UTF-8), got ${bytes}: ${describe(text)}`);
  requireCreated(creates, 'uts', name);
  return text;
}

function parseMountProc(value: unknown, creates: ReadonlySet<NamespaceType>, join: JoinRequest | null): string | null {
  if (value === undefined || value === false) return null;
  let path: string;
  if (value === true) {
    path = '/proc';
  } else if (typeof value === 'string') {
    path = checkPath(value, 'options.mountProc');
    if (!path.startsWith('/')) throw new RangeError(`options.mountProc must be an absolute path, got ${describe(path)}`);
  } else {
    throw new TypeError(`options.mountProc must be a boolean or a path, got ${describe(value)}`);
  }
  // Mounting proc over the host's /proc needs a mount namespace of its own, and a fresh proc
  // shows the pid namespace the program is in: one that is new or joined.
  requireCreated(creates, 'mnt', 'options.mountProc');
  if (!creates.has('pid') && !joinsPid(join)) {
    throw new RangeError('options.mountProc requires a new pid namespace (namespaces.pid) or a joined one (options.join)');
  }
  return path;
}

const NSEC_PER_SEC = 1_000_000_000n;
// timens_offsets refuses |seconds| > KTIME_SEC_MAX = KTIME_MAX / NSEC_PER_SEC with ERANGE.
const KTIME_SEC_MAX = 9_223_372_036n;

/** An offset as (seconds, nanoseconds 0..999999999), flooring negative values like a timespec. */
function timeOffset(value: unknown, name: string): [bigint, bigint] {
  let secs: bigint;
  let nsecs: bigint;
  if (typeof value === 'bigint') {
    secs = value / NSEC_PER_SEC;
    nsecs = value % NSEC_PER_SEC;
    if (nsecs < 0n) {
      secs -= 1n;
      nsecs += NSEC_PER_SEC;
    }
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of seconds, got ${describe(value)}`);
    let whole = Math.floor(value);
    let frac = Math.round((value - whole) * 1e9);
    if (frac === 1e9) {
      whole += 1;
      frac = 0;
    }
    secs = BigInt(whole);
    nsecs = BigInt(frac);
  } else {
    throw new TypeError(`${name} must be a bigint (nanoseconds) or a number (seconds), got ${describe(value)}`);
  }
  if (secs > KTIME_SEC_MAX || secs < -KTIME_SEC_MAX) {
    throw new RangeError(`${name} must be within ±${KTIME_SEC_MAX} seconds, got ${describe(value)}`);
  }
  return [secs, nsecs];
}

function renderTimeOffsets(value: unknown, creates: ReadonlySet<NamespaceType>): string | null {
  if (value === undefined) return null;
  const offsets = checkObject(value, 'options.timeOffsets');
  checkKeys(offsets, ['monotonic', 'boottime'], 'options.timeOffsets key');
  let text = '';
  for (const clock of ['monotonic', 'boottime'] as const) {
    if (offsets[clock] === undefined) continue;
    const [secs, nsecs] = timeOffset(offsets[clock], `options.timeOffsets.${clock}`);
    text += `${clock} ${secs} ${nsecs}\n`;
  }
  if (text === '') throw new RangeError('options.timeOffsets must set monotonic and/or boottime');
  requireCreated(creates, 'time', 'options.timeOffsets');
  return text;
}

// --- set_tid --------------------------------------------------------------------------------

// clone3 takes at most MAX_PID_NS_LEVEL (32) set_tid entries.
const MAX_SET_TID = 32;

function parseSetTid(value: unknown): number[] {
  if (value === undefined) return [];
  return mapEntries(checkArray(value, 'options.setTid', 1, MAX_SET_TID), (pid, i) => checkPid(pid, `options.setTid[${i}]`));
}

/**
 * The kernel refuses (EINVAL) more set_tid entries than the new process has pid-namespace levels.
 * Counted from this process's pid namespace down: ours, or the joined one's, plus a new one.
 */
function checkSetTidDepth(setTid: readonly number[], creates: ReadonlySet<NamespaceType>, joined: ResolvedJoins): void {
  if (setTid.length === 0) return;
  let levels: number;
  const target = joined.pidVia;
  if (target instanceof ProcessHandle) levels = asStep('setns', () => target.nspid()).length;
  else if (joined.pidVia instanceof Namespace) levels = readNsPid('self').length + levelsBelowOurs(joined.pidVia);
  else levels = readNsPid('self').length;
  if (creates.has('pid')) levels += 1;
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

// --- process attributes ---------------------------------------------------------------------

/**
 * "K=V" strings (undefined values skipped, numbers and booleans coerced like child_process), and
 * PATH. Without options.env, this process's environment, read through process.env — which Node
 * reads under its environment lock: the addon copying the C environ itself raced with setenv on
 * other threads (a Worker with SHARE_ENV, a native thread) and crashed. It costs ~20 µs for 35
 * variables.
 */
function renderEnv(value: unknown): { envp: string[]; path: string | undefined } {
  if (value === undefined) return renderProcessEnv();
  const env = value;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new TypeError(`options.env must be an object, got ${describe(env)}`);
  const envp: string[] = [];
  let path: string | undefined;
  for (const [key, raw] of Object.entries(env as Record<string, unknown>)) {
    if (raw === undefined) continue;
    if (key === '') throw new RangeError('options.env must not have an empty key');
    if (key.includes('=')) throw new RangeError(`options.env key ${describe(key)} must not contain '='`);
    if (key.includes('\0')) throw new RangeError(`options.env key ${describe(key)} must not contain NUL bytes`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new TypeError(`options.env.${key} must be a string, got ${describe(raw)}`);
    }
    const text = checkString(String(raw), `options.env.${key}`);
    envp.push(`${key}=${text}`);
    if (key === 'PATH') path = text;
  }
  return { envp, path };
}

/**
 * process.env, read in JS (under Node's environment lock, unlike the C environ: a worker with
 * SHARE_ENV may change it meanwhile) at every spawn, as child_process does. On the hot path:
 * Object.keys (one call into Node for the names) then one read per name is the cheapest way in
 * (about 17 µs at 35 variables, against 25 µs for Object.entries). Node never shows a name that
 * is empty or has '=', nor a value with a NUL; a name deleted meanwhile reads undefined.
 */
function renderProcessEnv(): { envp: string[]; path: string | undefined } {
  const env = process.env;
  const envp: string[] = [];
  for (const key of Object.keys(env)) {
    const text = env[key];
    if (text === undefined || key === '' || key.includes('=') || text.includes('\0')) continue;
    envp.push(`${key}=${text}`);
  }
  return { envp, path: env.PATH };
}

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * execvp's candidates, computed without touching the file system (the program may run in another
 * mount namespace): the file itself when it has a '/', else each PATH entry ('' = '.').
 */
function searchPath(file: string, pathVar: string | undefined): string[] {
  if (file.includes('/')) return [file];
  const dirs = (pathVar ?? DEFAULT_PATH).split(':');
  return [...new Set(dirs.map((dir) => `${dir === '' ? '.' : dir}/${file}`))];
}

// setgroups(2) takes at most NGROUPS_MAX (65536) groups.
const NGROUPS_MAX = 65536;

interface Credentials {
  uid: number | undefined;
  gid: number | undefined;
  groups: number[] | null;
}

function parseCredentials(options: Record<string, unknown>): Credentials {
  return {
    uid: options.uid === undefined ? undefined : checkId(options.uid, 'options.uid'),
    gid: options.gid === undefined ? undefined : checkId(options.gid, 'options.gid'),
    groups:
      options.groups === undefined
        ? null
        : mapEntries(checkArray(options.groups, 'options.groups', 0, NGROUPS_MAX), (id, i) => checkId(id, `options.groups[${i}]`)),
  };
}

// --- stdio ----------------------------------------------------------------------------------

type StdioSlot = { kind: 'pipe' } | { kind: 'ignore' } | { kind: 'fd'; fd: number };

const MAX_STDIO_SLOTS = 1024;

function parseStdioSlot(value: unknown, index: number): StdioSlot {
  const name = `options.stdio[${index}]`;
  if (value === undefined || value === null) return index < 3 ? { kind: 'pipe' } : { kind: 'ignore' };
  if (value === 'pipe' || value === 'ignore') return { kind: value };
  if (value === 'inherit') return { kind: 'fd', fd: index };
  if (typeof value === 'number') return { kind: 'fd', fd: checkFd(value, name) };
  if (typeof value === 'object') {
    // The object's or its class's own (a FileHandle's fd getter, a socket's _handle, whose fd is a
    // getter of the native handle class), never Object.prototype's: that would be pollution.
    const fd = classProperty(value, 'fd');
    const handle = classProperty(value, '_handle');
    if (typeof fd === 'number') return { kind: 'fd', fd: checkFd(fd, `${name}.fd`) };
    const handleFd = typeof handle === 'object' && handle !== null ? classProperty(handle, 'fd') : undefined;
    if (typeof handleFd === 'number') return { kind: 'fd', fd: checkFd(handleFd, `${name}._handle.fd`) };
  }
  throw new TypeError(`${name} must be 'pipe', 'inherit', 'ignore', null, an fd number or an object with an fd, got ${describe(value)}`);
}

function parseStdio(value: unknown): StdioSlot[] {
  if (value === undefined) value = 'pipe';
  if (value === 'pipe' || value === 'inherit' || value === 'ignore') return [0, 1, 2].map((i) => parseStdioSlot(value, i));
  if (!Array.isArray(value)) throw new TypeError(`options.stdio must be 'pipe', 'inherit', 'ignore' or an array, got ${describe(value)}`);
  if (value.length > MAX_STDIO_SLOTS) throw new RangeError(`options.stdio must have at most ${MAX_STDIO_SLOTS} slots, got ${value.length}`);
  return mapEntries(value, parseStdioSlot).concat(
    Array.from({ length: Math.max(0, 3 - value.length) }, () => ({ kind: 'pipe' }) as const),
  );
}

// --- signals --------------------------------------------------------------------------------

const SIGKILL = 9;

function parsePdeathSignal(value: unknown): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return SIGKILL;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TypeError(`options.killOnParentDeath must be a boolean or a signal, got ${describe(value)}`);
  }
  const signal = checkSignal(value, 'options.killOnParentDeath');
  if (signal === 0) throw new RangeError('options.killOnParentDeath must be a signal from 1 to 64 (0 would send nothing)');
  return signal;
}

function parseAbortSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new TypeError(`options.signal must be an AbortSignal, got ${describe(value)}`);
  return value;
}

// --- phase 1: everything that needs no kernel state -----------------------------------------

interface Checked {
  creates: Set<NamespaceType>;
  join: JoinRequest | null;
  user: UserSetup;
  hostname: string | null;
  domainname: string | null;
  mountProc: string | null;
  timeOffsets: string | null;
  cgroup: string | null;
  setTid: number[];
  propagation: number;
  root: DirectoryOption | null;
  cwd: DirectoryOption | null;
  persist: PersistEntry[];
  keepCapabilities: boolean;
  loopback: boolean;
  preserveCredentials: boolean;
  pidForChildrenOnly: boolean;
  envp: string[];
  paths: string[];
  argv0: string;
  credentials: Credentials;
  stdio: StdioSlot[];
  pdeathSignal: number;
  signal: AbortSignal | undefined;
  killSignal: number;
}

function checkOptions(value: unknown, file: string): Checked {
  const options = value === undefined ? (Object.create(null) as Record<string, unknown>) : checkObject(value, 'options');
  checkKeys(options, optionKeys, 'spawn option');
  // First, so that a step failing while the rest is checked (a join target found reaped) can be
  // reported on an NsChild with the right pipe slots.
  const stdio = parseStdio(options.stdio);
  try {
    return checkTheRest(options, file, stdio);
  } catch (error) {
    throw asPreparationFailure(error, stdio);
  }
}

function checkTheRest(options: Record<string, unknown>, file: string, stdio: StdioSlot[]): Checked {
  const creates = parseCreates(options.namespaces);
  const join = parseJoin(options.join, creates);
  const env = renderEnv(options.env);
  const credentials = parseCredentials(options);
  const setTid = parseSetTid(options.setTid);
  const mountProc = parseMountProc(options.mountProc, creates, join);
  return {
    creates,
    join,
    preserveCredentials: parsePreserveCredentials(options.preserveCredentials, join),
    pidForChildrenOnly: parsePidForChildrenOnly(options.pidForChildrenOnly, creates, join, mountProc, setTid),
    propagation: parsePropagation(options.propagation, creates.has('mnt')),
    persist: parsePersist(options.persist, creates),
    root: parseRoot(options.root),
    keepCapabilities: parseKeepCapabilities(options.keepCapabilities, creates),
    loopback: parseLoopback(options.loopback, creates),
    user: parseUserSetup(options, creates),
    hostname: parseUtsName(options.hostname, 'options.hostname', creates),
    domainname: parseUtsName(options.domainname, 'options.domainname', creates),
    mountProc,
    timeOffsets: renderTimeOffsets(options.timeOffsets, creates),
    cgroup: options.cgroup === undefined ? null : checkPath(options.cgroup, 'options.cgroup'),
    setTid,
    cwd: parseCwd(options.cwd),
    envp: env.envp,
    paths: searchPath(file, env.path),
    argv0: options.argv0 === undefined ? file : checkString(options.argv0, 'options.argv0'),
    credentials,
    stdio,
    pdeathSignal: parsePdeathSignal(options.killOnParentDeath),
    signal: parseAbortSignal(options.signal),
    killSignal: options.killSignal === undefined ? checkSignal('SIGTERM') : checkSignal(options.killSignal, 'options.killSignal'),
  };
}

// --- phase 2: open what the plan refers to --------------------------------------------------

/** What normalizeSpawn opened, closed in reverse order by release(). */
class Opened {
  #closers: (() => void)[] = [];

  add(close: () => void): void {
    this.#closers.push(close);
  }

  /** Close everything (idempotent); the first close error, if any, is rethrown after the rest. */
  release(): void {
    let failure: { error: unknown } | undefined;
    for (const close of this.#closers.splice(0).reverse()) {
      try {
        close();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}

interface ResolvedJoins {
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

/**
 * A kernel error while preparing a step in this process (the join target has exited, the cgroup
 * does not exist): tagged with the step, so spawn() reports it like a failure in the child.
 */
function asStep<T>(step: string, prepare: () => T): T {
  try {
    return prepare();
  } catch (error) {
    if (isSystemError(error)) (error as { step?: string }).step = step;
    throw error;
  }
}

/** The target's namespace of a kind: through the pidfd (6.11+), else through /proc. */
function targetNamespace(target: ProcessHandle, kind: NamespaceKind): Namespace {
  return asStep('setns', () => {
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

function resolveJoins(join: JoinRequest | null, target: ProcessHandle | null): ResolvedJoins {
  const resolved: ResolvedJoins = { kinds: new Set(), pidfd: -1, mask: 0, fds: [], types: [], pidVia: null };
  if (join === null) return resolved;
  if (target !== null) {
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

function buildPlan(program: { file: string; args: string[] }, checked: Checked, opened: Opened): SpawnRequest {
  let target: ProcessHandle | null = null;
  if (checked.join?.target instanceof ProcessHandle) {
    target = checked.join.target;
  } else if (typeof checked.join?.target === 'number') {
    const pid = checked.join.target;
    const handle = asStep('setns', () => ProcessHandle.open(pid));
    opened.add(() => handle.close());
    target = handle;
  }
  const joins = resolveJoins(checked.join, target);
  checkSetTidDepth(checked.setTid, checked.creates, joins);

  let cgroupFd = -1;
  if (checked.cgroup !== null) {
    const path = checked.cgroup;
    const owned = asStep('cgroup', () => addon().openDirectoryPath(path));
    opened.add(() => owned.close());
    cgroupFd = owned.fd;
  }

  // 'ignore' is /dev/null (-2, opened by the addon) for 0-2 and a closed fd (-3) beyond, like
  // child_process.
  const stdio = checked.stdio.map((slot, i) => (slot.kind === 'pipe' ? -1 : slot.kind === 'ignore' ? (i < 3 ? -2 : -3) : slot.fd));

  // unshare after the joins; also for pidForChildrenOnly, since clone3(CLONE_NEWPID) would make
  // the program itself pid 1 of the new namespace.
  const viaUnshare = joins.kinds.size > 0 || checked.pidForChildrenOnly;
  const createMask = maskOf(checked.creates);
  let { uid, gid } = checked.credentials;
  // Like nsenter: entering a user namespace makes the program root there (uid and gid 0, each
  // unless given) unless the credentials are to be preserved (then only given ids change).
  if (joins.kinds.has('user') && !checked.preserveCredentials) {
    uid ??= 0;
    gid ??= 0;
  }
  const { root, cwd } = checked;

  const plan: NativeSpawnPlan = {
    paths: checked.paths,
    argv: [checked.argv0, ...program.args],
    envp: checked.envp,
    // null: the program inherits our cwd - or, after joining a mount namespace, starts at its
    // root (setns resets it), like nsenter.
    cwd: cwd !== null && 'path' in cwd ? cwd.path : null,
    cloneFlags: viaUnshare ? 0 : createMask,
    unshareFlags: viaUnshare ? createMask : 0,
    joinPidfd: joins.pidfd,
    joinMask: joins.mask,
    joinFds: joins.fds,
    joinTypes: joins.types,
    shareMemory: !joins.kinds.has('time'),
    setTid: checked.setTid,
    cgroupFd,
    uidMap: checked.user.uidMap,
    gidMap: checked.user.gidMap,
    setgroups: checked.user.setgroups,
    timeOffsets: checked.timeOffsets,
    hostname: checked.hostname,
    domainname: checked.domainname,
    mountProc: checked.mountProc,
    uid: uid ?? -1,
    gid: gid ?? -1,
    groups: checked.credentials.groups,
    stdio,
    pdeathSignal: checked.pdeathSignal,
    propagation: checked.propagation,
    root: root !== null && 'path' in root ? root.path : null,
    rootFd: root !== null && 'fd' in root ? root.fd : -1,
    cwdFd: cwd !== null && 'fd' in cwd ? cwd.fd : -1,
    keepCapabilities: checked.keepCapabilities,
    persistKinds: checked.persist.map((entry) => entry.flag),
    persistPaths: checked.persist.map((entry) => entry.path),
    pidForChildrenOnly: checked.pidForChildrenOnly,
    loopbackUp: checked.loopback,
  };
  return {
    file: program.file,
    args: program.args,
    plan,
    stdioKinds: checked.stdio.map((slot) => (slot.kind === 'pipe' ? 'pipe' : 'fd')),
    signal: checked.signal,
    killSignal: checked.killSignal,
    errorContext: {
      paths: checked.paths,
      persist: Object.fromEntries(checked.persist.map((entry) => [entry.type, entry.path])),
      ...(target === null ? {} : { targetPid: target.pid }),
    },
    release: () => opened.release(),
  };
}

/**
 * Validate spawn(file, args, options) — or spawn(file, options) — and turn it into the plan the
 * addon runs. The caller must call release() once the spawn is done (or abandoned).
 */
/**
 * A setup step that failed while the spawn was being prepared (opening a join target, the
 * cgroup): the options were valid, so the NsChild is made with their pipe slots.
 */
export class PreparationFailure extends Error {
  constructor(
    readonly failure: SystemErrorShape & { step: string },
    /** Per stdio slot: whether it is a pipe. */
    readonly pipeSlots: boolean[],
  ) {
    super(failure.message);
  }
}

/** A system error tagged with its step becomes a PreparationFailure; anything else stays as it is. */
function asPreparationFailure(error: unknown, stdio: readonly StdioSlot[]): unknown {
  if (!isSystemError(error) || typeof (error as { step?: unknown }).step !== 'string') return error;
  return new PreparationFailure(error as SystemErrorShape & { step: string }, stdio.map((slot) => slot.kind === 'pipe'));
}

export function normalizeSpawn(file: unknown, args: unknown, options: unknown): SpawnRequest {
  if (options === undefined && isPlainObject(args)) {
    options = args;
    args = undefined;
  }
  const program = checkProgram(file, args);
  const checked = checkOptions(options, program.file);
  const opened = new Opened();
  try {
    return buildPlan(program, checked, opened);
  } catch (error) {
    try {
      opened.release();
    } catch {
      // The original error matters more than a failed close.
    }
    throw asPreparationFailure(error, checked.stdio);
  }
}
