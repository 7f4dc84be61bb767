/**
 * The scenario language shared by the model and the kernel driver. Everything here is plain,
 * JSON-serialisable data: a scenario is a list of steps over named processes, and running it on
 * either backend gives one StepResult per step. The harness compares the two lists.
 *
 * The world every scenario starts in (both backends build the same one):
 *   - 'init': pid 1 of a fresh pid namespace T (a child of the host's pid namespace), in a fresh
 *     mount namespace with T's proc mounted on /proc; every other namespace is the host's.
 *     Its parent lives outside T, so its getppid() is 0.
 *   - 'root': pid 2 in T, a child of 'init', in all of init's namespaces.
 *   Both are root (uid 0, gid 0) with every capability in the initial user namespace.
 *   Processes are named; a process created by clone3 gets the name in `child`.
 *   A process is single-threaded unless a clone3 with 'thread' adds threads to it.
 *   Zombies stay until a wait step reaps them (no process reaps automatically: every SIGCHLD
 *   disposition stays SIG_DFL).
 *
 * Pids in steps and results are always as the *caller* sees them (its active pid namespace), and
 * namespaces in results are NsRef values: raw ids that the harness renames N1, N2, … in order of
 * first appearance, so the model's ids and the kernel's inodes compare.
 */
import type { NamespaceType } from '../kinds.js';

export type ProcName = string;
/**
 * A named fd in one process's fd table (copied to a child at clone3, like real fds). Where a step
 * takes an fd, the name 'closed' stands for an fd number that is not open (EBADF).
 */
export type HandleName = string;

/** A /proc/<pid>/ns entry. */
export type NsEntry = NamespaceType | 'pid_for_children' | 'time_for_children';

export const SIGNALS = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGPIPE: 13,
  SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
} as const;
export type SignalName = keyof typeof SIGNALS;
/**
 * A signal by name, or a number: a 32-bit int, as kill(2) reads it (0 = the existence check;
 * out-of-range numbers test EINVAL).
 */
export type SignalSpec = SignalName | number;

/** A step's signal as the number the system call gets (names by the table, numbers as given). */
export function signalNumber(spec: SignalSpec): number {
  if (typeof spec === 'number') return spec;
  const nr = (SIGNALS as Record<string, number>)[spec];
  if (nr === undefined) throw new TypeError(`unknown signal name ${JSON.stringify(spec)}`);
  return nr;
}

/** clone3 flags other than the CLONE_NEW* ones (those go in `namespaces`). */
export type CloneFlag =
  | 'parent' | 'thread' | 'sighand' | 'vm' | 'fs' | 'files' | 'sysvsem' | 'pidfd'
  | 'clear_sighand' | 'detached' | 'unknown-bit';

/**
 * clone3's `size` argument: 'v0' (64), 'v1' (80), 'v2' (88, the default), 'short' (63),
 * 'long-zero' (a 128-byte struct with a zero tail), 'long-nonzero' (the tail has a set byte),
 * 'huge' (PAGE_SIZE + 8).
 */
export type CloneSize = 'v0' | 'v1' | 'v2' | 'short' | 'long-zero' | 'long-nonzero' | 'huge';

/** A pid-namespace-relative target: a named process, or a raw number (a 32-bit pid_t) in the caller's view. */
export type Target = ProcName | { pid: number };

export type Step =
  /**
   * clone3(2). On success a new process `child` (or, with 'thread', a new thread of `proc`);
   * result: the new task's pid in the caller's view. With 'vm' and without 'thread' the child
   * shares memory and cannot run steps (it only sleeps), but it can be a target.
   * `pidfd` names the handle CLONE_PIDFD fills (required with the 'pidfd' flag).
   * `exitSignal` omitted: SIGCHLD, like fork — but 0 with 'thread' or 'parent', where clone3
   * refuses any other (a CLONE_PARENT child takes the caller's own exit signal).
   */
  | { op: 'clone3'; proc: ProcName; child?: ProcName; namespaces?: NamespaceType[]; flags?: CloneFlag[];
      exitSignal?: SignalSpec; setTid?: number[]; size?: CloneSize; pidfd?: HandleName }
  /** unshare(2) of CLONE_NEW* kinds plus other unshare flags. */
  | { op: 'unshare'; proc: ProcName; namespaces: NamespaceType[]; flags?: Array<'fs' | 'files' | 'thread' | 'vm' | 'sighand' | 'sysvsem'> }
  /** open(/proc/<target>/ns/<entry>) into handle `as`. */
  | { op: 'openNs'; proc: ProcName; as: HandleName; target: ProcName; entry: NsEntry }
  /** open("/dev/null") into handle `as`: an fd that is not a namespace. */
  | { op: 'openNull'; proc: ProcName; as: HandleName }
  | { op: 'pidfdOpen'; proc: ProcName; as: HandleName; target: Target; flags?: Array<'nonblock' | 'thread' | 'unknown-bit'> }
  | { op: 'close'; proc: ProcName; handle: HandleName }
  /**
   * setns(2). `fd` is a handle, or 'closed' (an fd number that is not open: EBADF).
   * `namespaces` is the nstype: [] = 0 (any kind); for a pidfd, the mask of kinds to join.
   */
  | { op: 'setns'; proc: ProcName; fd: HandleName; namespaces: NamespaceType[] }
  /** exit_group(code): all threads of `proc` exit. No result value. */
  | { op: 'exit'; proc: ProcName; code: number }
  | { op: 'kill'; proc: ProcName; target: Target; signal: SignalSpec }
  | { op: 'pidfdSendSignal'; proc: ProcName; fd: HandleName; signal: SignalSpec }
  /** Install a handler for `signal` (SA_SIGINFO) that records each delivery and its si_pid. */
  | { op: 'handle'; proc: ProcName; signal: SignalName }
  /** Result: the signals handled since the last 'signals' step, in order: [{signal, fromPid}]. */
  | { op: 'signals'; proc: ProcName }
  /**
   * waitid(WEXITED | WNOHANG): of `target` (P_PID), any child (P_ALL, target omitted) or a pidfd
   * handle (P_PIDFD). Result: {pid, code} / {pid, signal} for a reaped child, null when
   * no child has exited yet, or ECHILD.
   */
  | { op: 'wait'; proc: ProcName; target?: Target; fd?: HandleName }
  | { op: 'getpid'; proc: ProcName }
  | { op: 'getppid'; proc: ProcName }
  /** The NSpid line of /proc/<target>/status, read by `proc` (from T's proc mount: outermost first). */
  | { op: 'nspid'; proc: ProcName; target?: ProcName }
  /** readlink(/proc/<target>/ns/<entry>) by `proc`: result an NsRef. */
  | { op: 'nsId'; proc: ProcName; target?: ProcName; entry: NsEntry }
  /**
   * An nsfs ioctl on handle `fd`. NS_GET_PARENT / NS_GET_USERNS put the new fd in handle `as`
   * and result in its NsRef; NS_GET_NSTYPE gives the kind name; NS_GET_OWNER_UID the uid as the
   * caller sees it; NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS translate `target` (see below).
   */
  | { op: 'nsIoctl'; proc: ProcName; fd: HandleName; request: 'NS_GET_PARENT' | 'NS_GET_USERNS' | 'NS_GET_NSTYPE' | 'NS_GET_OWNER_UID'; as?: HandleName }
  /**
   * Pid translation through a pid-namespace handle `fd`: 'in' = NS_GET_PID_IN_PIDNS (the
   * target's pid in the caller's view → its pid in fd's namespace); 'from' = NS_GET_PID_FROM_PIDNS
   * (`pid` as numbered in fd's namespace → the caller's view). Result: a pid, or ESRCH.
   */
  | { op: 'translatePid'; proc: ProcName; fd: HandleName; direction: 'in'; target: Target }
  | { op: 'translatePid'; proc: ProcName; fd: HandleName; direction: 'from'; pid: number }
  /** Write /proc/<target>/{uid_map,gid_map}: lines of [inside, outside, count] (each 0 to 4294967295), in one write(2). */
  | { op: 'writeMap'; proc: ProcName; target: ProcName; map: 'uid_map' | 'gid_map'; lines: Array<[number, number, number]> }
  /** Result: the map's lines as `proc` reads them (ids relative to the reader's user namespace). */
  | { op: 'readMap'; proc: ProcName; target: ProcName; map: 'uid_map' | 'gid_map' }
  | { op: 'writeSetgroups'; proc: ProcName; target: ProcName; value: 'allow' | 'deny' }
  | { op: 'readSetgroups'; proc: ProcName; target: ProcName }
  /**
   * Write /proc/<target>/timens_offsets (the offsets of its time_for_children namespace); seconds
   * within ±(2^53 - 1), a fraction is written as is (EINVAL).
   */
  | { op: 'writeTimeOffsets'; proc: ProcName; target: ProcName; offsets: Array<{ clock: 'monotonic' | 'boottime'; seconds: number }> }
  /** Result: {monotonic, boottime} seconds as the file shows them. */
  | { op: 'readTimeOffsets'; proc: ProcName; target: ProcName }
  /** Result: how far `proc`'s clock is from the host's, in whole seconds. */
  | { op: 'clockOffset'; proc: ProcName; clock: 'monotonic' | 'boottime' }
  /** /proc/sys/kernel/ns_last_pid of the caller's active pid namespace. */
  | { op: 'readLastPid'; proc: ProcName }
  | { op: 'writeLastPid'; proc: ProcName; value: number }
  /**
   * setresgid(id) then setresuid(id) (ids as the caller sees them): drops capabilities unless 0.
   * `id` is a uid_t, -1 to 4294967295: -1 and 4294967295 are (uid_t)-1, which keeps every id.
   */
  | { op: 'setuid'; proc: ProcName; id: number }
  | { op: 'setSubreaper'; proc: ProcName }
  /** reboot(2) with the magic numbers (or bad ones) and a command. */
  | { op: 'reboot'; proc: ProcName; cmd: 'restart' | 'restart2' | 'power_off' | 'halt' | 'cad_on' | 'cad_off' | 'bad-magic' }
  /** The state of `target` as the host sees it: 'running' | 'stopped' | 'zombie' | 'gone'. */
  | { op: 'state'; target: ProcName };

export type StepOp = Step['op'];

/*
 * Result values, by op (both backends must give exactly these shapes):
 *   clone3            pid number (caller's view)            getpid / getppid / readLastPid  number
 *   nspid             number[]                              nsId                 NsRef
 *   nsIoctl           NsRef (PARENT/USERNS), kind name (NSTYPE), uid number (OWNER_UID)
 *   translatePid      number                                readMap              [inside, outside, count][]
 *   readSetgroups     'allow' | 'deny'                      readTimeOffsets      {monotonic, boottime}
 *   clockOffset       integer seconds                       signals              [{signal, fromPid}]
 *   wait              null | {pid, code} | {pid, signal}    state                'running' | 'stopped' | 'zombie' | 'gone'
 *   every other op    no value (ok only)
 * A step whose `proc` cannot run steps (it has exited, is stopped, or is a sleeper) gives ESRCH
 * on both sides without reaching the kernel. A handle name that `proc` does not hold acts like
 * a closed fd (EBADF).
 */

/** A namespace in a result: `ns` is a backend-specific id that the harness canonicalises. */
export interface NsRef { ns: string }

export type Value = null | boolean | number | string | NsRef | Value[] | { [key: string]: Value };

export type ErrnoName =
  | 'EPERM' | 'ENOENT' | 'ESRCH' | 'EINTR' | 'EBADF' | 'ECHILD' | 'EAGAIN' | 'ENOMEM' | 'EACCES'
  | 'EFAULT' | 'EBUSY' | 'EEXIST' | 'EINVAL' | 'ENOSPC' | 'ENOTTY' | 'ERANGE' | 'ENOSYS' | 'E2BIG'
  | 'EUSERS' | 'EOPNOTSUPP' | 'EMFILE';

export type StepResult =
  | { ok: true; value?: Value }
  | { ok: false; errno: ErrnoName };

/** A rule-area label for reports and `nsbridge verify --area`. */
export type Area =
  | 'pid-numbering' | 'visibility' | 'orphans' | 'signals' | 'init' | 'unshare' | 'setns'
  | 'clone3' | 'userns' | 'timens' | 'nsfs' | 'pidfd' | 'ns_last_pid' | 'reboot' | 'threads'
  /** Sequences made by the random generator (random.ts). */
  | 'random';

export interface Scenario {
  /** Unique, 'area/short-name'. */
  name: string;
  area: Area;
  /** One line: the rule the scenario shows. */
  description: string;
  steps: Step[];
}
