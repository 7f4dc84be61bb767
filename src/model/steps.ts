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

/** A process's name in a scenario: 'init', 'root', or the `child` of the clone3 that made it. */
export type ProcName = string;
/**
 * A named fd in one process's fd table (copied to a child at clone3, like real fds). Where a step
 * takes an fd, the name 'closed' stands for an fd number that is not open (EBADF).
 */
export type HandleName = string;

/** A /proc/<pid>/ns entry. */
export type NsEntry = NamespaceType | 'pid_for_children' | 'time_for_children';

/** The signals steps may name, with their numbers (x86-64 / asm-generic numbering). */
export const SIGNALS = {
  /** 1: hangup; also what init of a pid namespace shows as killed by after reboot(RESTART). */
  SIGHUP: 1,
  /** 2: interrupt; also init's killing signal after reboot(POWER_OFF / HALT) in its namespace. */
  SIGINT: 2,
  /** 3: quit. */
  SIGQUIT: 3,
  /** 9: kill; cannot be caught, and reaches a pid-namespace init from an ancestor namespace. */
  SIGKILL: 9,
  /** 10: user-defined signal 1. */
  SIGUSR1: 10,
  /** 12: user-defined signal 2. */
  SIGUSR2: 12,
  /** 13: broken pipe. */
  SIGPIPE: 13,
  /** 14: timer alarm. */
  SIGALRM: 14,
  /** 15: terminate. */
  SIGTERM: 15,
  /** 17: child stopped or exited; ignored by default, and the default exit signal of clone3. */
  SIGCHLD: 17,
  /** 18: continue a stopped process. */
  SIGCONT: 18,
  /** 19: stop; cannot be caught. */
  SIGSTOP: 19,
} as const;
/** A signal by its name in {@link SIGNALS}. */
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
export type Target = ProcName | {
  /** The number as the caller's pid namespace numbers it (0, negatives: as the call reads them). */
  pid: number;
};

/**
 * One step of a scenario: a system call (or a /proc file access) made by process `proc`, told
 * apart by `op`. The comment of each kind says what it does and what its result value is.
 */
export type Step =
  /**
   * clone3(2). On success a new process `child` (or, with 'thread', a new thread of `proc`);
   * result: the new task's pid in the caller's view. With 'vm' and without 'thread' the child
   * shares memory and cannot run steps (it only sleeps), but it can be a target.
   * `pidfd` names the handle CLONE_PIDFD fills (required with the 'pidfd' flag).
   * `exitSignal` omitted: SIGCHLD, like fork — but 0 with 'thread' or 'parent', where clone3
   * refuses any other (a CLONE_PARENT child takes the caller's own exit signal).
   */
  | {
      /** clone3(2). */
      op: 'clone3';
      /** The process that makes the call. */
      proc: ProcName;
      /** The name later steps call the new process or thread by; omitted, it exists but no step can name it. */
      child?: ProcName;
      /** The kinds of namespace the child gets new ones of (CLONE_NEW* flags). */
      namespaces?: NamespaceType[];
      /** The other clone flags to pass. */
      flags?: CloneFlag[];
      /** clone_args.exit_signal: what the parent gets when the child exits (default above). */
      exitSignal?: SignalSpec;
      /** clone_args.set_tid: the pid to give the child at each pid-namespace level, innermost first. */
      setTid?: number[];
      /** The clone_args size to pass. Default 'v2'. */
      size?: CloneSize;
      /** The handle to put the new pidfd in. */
      pidfd?: HandleName;
    }
  /** unshare(2) of CLONE_NEW* kinds plus other unshare flags. */
  | {
      /** unshare(2). */
      op: 'unshare';
      /** The process that makes the call. */
      proc: ProcName;
      /** The kinds to unshare (CLONE_NEW* flags); pid and time change only the *_for_children namespace. */
      namespaces: NamespaceType[];
      /** The other unshare flags: CLONE_FS, CLONE_FILES, CLONE_THREAD, CLONE_VM, CLONE_SIGHAND, CLONE_SYSVSEM. */
      flags?: Array<'fs' | 'files' | 'thread' | 'vm' | 'sighand' | 'sysvsem'>;
    }
  /** open(/proc/<target>/ns/<entry>) into handle `as`. */
  | {
      /** open(2) of a /proc/<pid>/ns entry. */
      op: 'openNs';
      /** The process that opens it (its /proc view and ptrace access decide). */
      proc: ProcName;
      /** The handle the new fd becomes. */
      as: HandleName;
      /** The process whose namespace is opened. */
      target: ProcName;
      /** The entry of /proc/<target>/ns to open. */
      entry: NsEntry;
    }
  /** open("/dev/null") into handle `as`: an fd that is not a namespace. */
  | {
      /** open("/dev/null"). */
      op: 'openNull';
      /** The process that opens it. */
      proc: ProcName;
      /** The handle the new fd becomes. */
      as: HandleName;
    }
  /** pidfd_open(2) of `target` into handle `as`. */
  | {
      /** pidfd_open(2). */
      op: 'pidfdOpen';
      /** The process that makes the call. */
      proc: ProcName;
      /** The handle the new pidfd becomes. */
      as: HandleName;
      /** The process (with 'thread': the thread) the pidfd is to refer to. */
      target: Target;
      /** PIDFD_NONBLOCK, PIDFD_THREAD, or 'unknown-bit' (a flag pidfd_open does not know: EINVAL). */
      flags?: Array<'nonblock' | 'thread' | 'unknown-bit'>;
    }
  /** close(2) of a handle. */
  | {
      /** close(2). */
      op: 'close';
      /** The process whose fd is closed. */
      proc: ProcName;
      /** The handle to close; one that `proc` does not hold is EBADF. */
      handle: HandleName;
    }
  /**
   * setns(2). `fd` is a handle, or 'closed' (an fd number that is not open: EBADF).
   * `namespaces` is the nstype: [] = 0 (any kind); for a pidfd, the mask of kinds to join.
   */
  | {
      /** setns(2). */
      op: 'setns';
      /** The process that makes the call (only its calling task's namespaces change). */
      proc: ProcName;
      /** An nsfs fd or a pidfd, by handle, or 'closed'. */
      fd: HandleName;
      /** The nstype, as CLONE_NEW* kinds. */
      namespaces: NamespaceType[];
    }
  /** exit_group(code): all threads of `proc` exit. No result value. */
  | {
      /** exit_group(2). */
      op: 'exit';
      /** The process that exits. */
      proc: ProcName;
      /** The exit status; the parent sees its low 8 bits. */
      code: number;
    }
  /** kill(2). */
  | {
      /** kill(2). */
      op: 'kill';
      /** The process that sends the signal. */
      proc: ProcName;
      /** Who gets it: a named process, or { pid } as kill(2) reads it (0: the caller's process group, -1: every process it may signal). */
      target: Target;
      /** The signal (0: only the existence and permission checks). */
      signal: SignalSpec;
    }
  /** pidfd_send_signal(2) through a pidfd handle, with no siginfo. */
  | {
      /** pidfd_send_signal(2). */
      op: 'pidfdSendSignal';
      /** The process that sends the signal. */
      proc: ProcName;
      /** The pidfd, by handle, or 'closed'. */
      fd: HandleName;
      /** The signal (0: only the checks). */
      signal: SignalSpec;
    }
  /** Install a handler for `signal` (SA_SIGINFO) that records each delivery and its si_pid. */
  | {
      /** sigaction(2) with a recording handler. */
      op: 'handle';
      /** The process that installs it. */
      proc: ProcName;
      /** The signal to catch; SIGKILL and SIGSTOP cannot be caught (EINVAL). */
      signal: SignalName;
    }
  /** Result: the signals handled since the last 'signals' step, in order: [{signal, fromPid}]. */
  | {
      /** Read (and clear) the handler's record. */
      op: 'signals';
      /** The process whose handled signals are read. */
      proc: ProcName;
    }
  /**
   * waitid(WEXITED | WNOHANG): of `target` (P_PID), any child (P_ALL, target omitted) or a pidfd
   * handle (P_PIDFD). Result: {pid, code} / {pid, signal} for a reaped child, null when
   * no child has exited yet, or ECHILD.
   */
  | {
      /** waitid(2). */
      op: 'wait';
      /** The process that waits. */
      proc: ProcName;
      /** P_PID: the child to wait for. */
      target?: Target;
      /** P_PIDFD: a pidfd handle of the child to wait for. */
      fd?: HandleName;
    }
  /** getpid(2). Result: the caller's pid in its own pid namespace. */
  | {
      /** getpid(2). */
      op: 'getpid';
      /** The process that asks. */
      proc: ProcName;
    }
  /** getppid(2). Result: the parent's pid in the caller's pid namespace; 0 when the parent is outside it. */
  | {
      /** getppid(2). */
      op: 'getppid';
      /** The process that asks. */
      proc: ProcName;
    }
  /** The NSpid line of /proc/<target>/status, read by `proc` (from T's proc mount: outermost first). */
  | {
      /** Read the NSpid line of /proc/<pid>/status. */
      op: 'nspid';
      /** The process that reads it. */
      proc: ProcName;
      /** The process whose status is read. Default: `proc` itself (/proc/self). */
      target?: ProcName;
    }
  /** readlink(/proc/<target>/ns/<entry>) by `proc`: result an NsRef. */
  | {
      /** readlink(2) of a /proc/<pid>/ns entry. */
      op: 'nsId';
      /** The process that reads the link. */
      proc: ProcName;
      /** The process whose entry is read. Default: `proc` itself (/proc/self). */
      target?: ProcName;
      /** The entry of /proc/<target>/ns to read. */
      entry: NsEntry;
    }
  /**
   * An nsfs ioctl on handle `fd`. NS_GET_PARENT / NS_GET_USERNS put the new fd in handle `as`
   * and result in its NsRef; NS_GET_NSTYPE gives the kind name; NS_GET_OWNER_UID the uid as the
   * caller sees it; NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS translate `target` (see below).
   */
  | {
      /** ioctl(2) on an nsfs fd. */
      op: 'nsIoctl';
      /** The process that makes the call. */
      proc: ProcName;
      /** The namespace fd, by handle, or 'closed'. */
      fd: HandleName;
      /** The ioctl to make. */
      request: 'NS_GET_PARENT' | 'NS_GET_USERNS' | 'NS_GET_NSTYPE' | 'NS_GET_OWNER_UID';
      /** NS_GET_PARENT / NS_GET_USERNS: the handle the new fd becomes (omitted: it is closed again). */
      as?: HandleName;
    }
  /**
   * Pid translation through a pid-namespace handle `fd`: 'in' = NS_GET_PID_IN_PIDNS (the
   * target's pid in the caller's view → its pid in fd's namespace); 'from' = NS_GET_PID_FROM_PIDNS
   * (`pid` as numbered in fd's namespace → the caller's view). Result: a pid, or ESRCH.
   */
  | {
      /** The pid-translation ioctls of a pid-namespace fd. */
      op: 'translatePid';
      /** The process that makes the call. */
      proc: ProcName;
      /** The pid-namespace fd, by handle. */
      fd: HandleName;
      /** NS_GET_PID_IN_PIDNS: from the caller's numbering to fd's namespace. */
      direction: 'in';
      /** The process to translate, in the caller's view. */
      target: Target;
    }
  | {
      /** The pid-translation ioctls of a pid-namespace fd. */
      op: 'translatePid';
      /** The process that makes the call. */
      proc: ProcName;
      /** The pid-namespace fd, by handle. */
      fd: HandleName;
      /** NS_GET_PID_FROM_PIDNS: from fd's namespace's numbering to the caller's. */
      direction: 'from';
      /** The pid as fd's namespace numbers it (a 32-bit pid_t). */
      pid: number;
    }
  /** Write /proc/<target>/{uid_map,gid_map}: lines of [inside, outside, count] (each 0 to 4294967295), in one write(2). */
  | {
      /** Write a uid_map or gid_map. */
      op: 'writeMap';
      /** The process that writes (its user namespace and capabilities decide what it may map). */
      proc: ProcName;
      /** The process whose user namespace's map is written. */
      target: ProcName;
      /** Which map. */
      map: 'uid_map' | 'gid_map';
      /** The lines, each [inside, outside, count]: `count` ids from `inside` in the target's user namespace map to `outside` in its parent. */
      lines: Array<[number, number, number]>;
    }
  /** Result: the map's lines as `proc` reads them (ids relative to the reader's user namespace). */
  | {
      /** Read a uid_map or gid_map. */
      op: 'readMap';
      /** The process that reads it. */
      proc: ProcName;
      /** The process whose user namespace's map is read. */
      target: ProcName;
      /** Which map. */
      map: 'uid_map' | 'gid_map';
    }
  /** Write 'allow' or 'deny' to /proc/<target>/setgroups. */
  | {
      /** Write /proc/<pid>/setgroups. */
      op: 'writeSetgroups';
      /** The process that writes. */
      proc: ProcName;
      /** The process whose user namespace's setgroups is written. */
      target: ProcName;
      /** What to write: whether setgroups(2) is allowed in that user namespace. */
      value: 'allow' | 'deny';
    }
  /** Read /proc/<target>/setgroups. Result: 'allow' or 'deny'. */
  | {
      /** Read /proc/<pid>/setgroups. */
      op: 'readSetgroups';
      /** The process that reads. */
      proc: ProcName;
      /** The process whose user namespace's setgroups is read. */
      target: ProcName;
    }
  /**
   * Write /proc/<target>/timens_offsets (the offsets of its time_for_children namespace); seconds
   * within ±(2^53 - 1), a fraction is written as is (EINVAL).
   */
  | {
      /** Write /proc/<pid>/timens_offsets. */
      op: 'writeTimeOffsets';
      /** The process that writes. */
      proc: ProcName;
      /** The process whose time_for_children namespace gets the offsets. */
      target: ProcName;
      /** One line per entry, in one write(2). */
      offsets: Array<{
        /** The clock the line sets. */
        clock: 'monotonic' | 'boottime';
        /** Its offset in seconds (the nanoseconds written are 0). */
        seconds: number;
      }>;
    }
  /** Result: {monotonic, boottime} seconds as the file shows them. */
  | {
      /** Read /proc/<pid>/timens_offsets. */
      op: 'readTimeOffsets';
      /** The process that reads. */
      proc: ProcName;
      /** The process whose time_for_children offsets are read. */
      target: ProcName;
    }
  /** Result: how far `proc`'s clock is from the host's, in whole seconds. */
  | {
      /** clock_gettime(2), compared with the host's clock. */
      op: 'clockOffset';
      /** The process whose clock is read (its active time namespace decides). */
      proc: ProcName;
      /** CLOCK_MONOTONIC or CLOCK_BOOTTIME. */
      clock: 'monotonic' | 'boottime';
    }
  /** /proc/sys/kernel/ns_last_pid of the caller's active pid namespace. */
  | {
      /** Read /proc/sys/kernel/ns_last_pid. */
      op: 'readLastPid';
      /** The process that reads it. */
      proc: ProcName;
    }
  /**
   * Write /proc/sys/kernel/ns_last_pid of the caller's active pid namespace: the next process
   * there gets the lowest free pid above the value.
   */
  | {
      /** Write /proc/sys/kernel/ns_last_pid. */
      op: 'writeLastPid';
      /** The process that writes (it needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the user namespace owning its pid namespace). */
      proc: ProcName;
      /** The number written: 0 to pid_max, else EINVAL. */
      value: number;
    }
  /**
   * setresgid(id) then setresuid(id) (ids as the caller sees them): drops capabilities unless 0.
   * `id` is a uid_t, -1 to 4294967295: -1 and 4294967295 are (uid_t)-1, which keeps every id.
   */
  | {
      /** setresgid(2) then setresuid(2). */
      op: 'setuid';
      /** The process whose credentials change. */
      proc: ProcName;
      /** The uid and gid to set, as the caller's user namespace numbers them. */
      id: number;
    }
  /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below `proc` are reparented to it instead of to init. */
  | {
      /** prctl(PR_SET_CHILD_SUBREAPER). */
      op: 'setSubreaper';
      /** The process that becomes a subreaper. */
      proc: ProcName;
    }
  /** reboot(2) with the magic numbers (or bad ones) and a command. */
  | {
      /** reboot(2). */
      op: 'reboot';
      /** The process that makes the call (inside a child pid namespace, which it would end). */
      proc: ProcName;
      /** LINUX_REBOOT_CMD_RESTART, _RESTART2, _POWER_OFF, _HALT, _CAD_ON, _CAD_OFF; 'bad-magic': a wrong magic1. */
      cmd: 'restart' | 'restart2' | 'power_off' | 'halt' | 'cad_on' | 'cad_off' | 'bad-magic';
    }
  /** The state of `target` as the host sees it: 'running' | 'stopped' | 'zombie' | 'gone'. */
  | {
      /** Read the process's state from the host's /proc (no process of the scenario acts). */
      op: 'state';
      /** The process to look at. */
      target: ProcName;
    };

/** The kinds of step: the `op` of each Step. */
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
export interface NsRef {
  /** The model's namespace id or the kernel's inode, as text; compare only after the harness renames it. */
  ns: string;
}

/** A step's result value: JSON-serialisable data, shaped by the op (each kind of Step says what it gives). */
export type Value = null | boolean | number | string | NsRef | Value[] | { [key: string]: Value };

/** The errno names a step can fail with. */
export type ErrnoName =
  | 'EPERM' | 'ENOENT' | 'ESRCH' | 'EINTR' | 'EBADF' | 'ECHILD' | 'EAGAIN' | 'ENOMEM' | 'EACCES'
  | 'EFAULT' | 'EBUSY' | 'EEXIST' | 'EINVAL' | 'ENOSPC' | 'ENOTTY' | 'ERANGE' | 'ENOSYS' | 'E2BIG'
  | 'EUSERS' | 'EOPNOTSUPP' | 'EMFILE';

/** What a step gave: success, with a value for the ops that have one, or an errno. */
export type StepResult =
  | {
      /** The call succeeded. */
      ok: true;
      /** The result, for the ops that have one (absent for the others). */
      value?: Value;
    }
  | {
      /** The call failed. */
      ok: false;
      /** Its errno. */
      errno: ErrnoName;
    };

/** A rule-area label for reports and `nsbridge verify --area`. */
export type Area =
  | 'pid-numbering' | 'visibility' | 'orphans' | 'signals' | 'init' | 'unshare' | 'setns'
  | 'clone3' | 'userns' | 'timens' | 'nsfs' | 'pidfd' | 'ns_last_pid' | 'reboot' | 'threads'
  /** Sequences made by the random generator (random.ts). */
  | 'random';

/** A named list of steps that shows one rule, run on the model and on the kernel by `nsbridge verify`. */
export interface Scenario {
  /** Unique, 'area/short-name'. */
  name: string;
  /** The rule area it belongs to (what `nsbridge verify --area` selects). */
  area: Area;
  /** One line: the rule the scenario shows. */
  description: string;
  /** The steps, run in order from the world createWorld() builds. */
  steps: Step[];
}
