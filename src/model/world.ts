/**
 * The model's state: the processes of one scenario world, their namespaces of all 8 kinds, the
 * user-namespace tree with maps and owners, the pid-namespace tree with one pid per level, time
 * offsets, fd tables and signal state. Operations (ops/*.ts) read and change it; nothing here
 * knows about the kernel driver.
 *
 * Ids are kernel ids ("kuid"/"kgid": ids in the initial user namespace), as the kernel keeps them;
 * conversion to what a process sees goes through the maps of its user namespace.
 */
import type { NamespaceType } from '../kinds.js';
import type { ErrnoName, HandleName, ProcName, StepResult, Value } from './steps.js';

/** A namespace's id in the model: '<kind>:<n>', unique within a world (the harness renames ids). */
export type NsId = string;

/** One line of a uid_map / gid_map: `count` ids from `inside` map to `outside` in the parent. */
export interface IdMapLine {
  /** First id of the range in the user namespace the map belongs to. */
  inside: number;
  /** First id of the range in its parent user namespace. */
  outside: number;
  /** How many ids the range has. */
  count: number;
}

/** What every namespace has, whatever its kind. */
export interface NamespaceBase {
  /** Its key in World.namespaces. */
  readonly id: NsId;
  /** Its kind. */
  readonly kind: NamespaceType;
  /** The owning user namespace (for a user namespace: its parent; null only for the initial one). */
  readonly owner: NsId | null;
}

/** A user namespace: the ids and capabilities of the namespaces it owns. */
export interface UserNamespace extends NamespaceBase {
  /** Always 'user'. */
  readonly kind: 'user';
  /** The user namespace it was created in; null for the initial one. */
  readonly parent: NsId | null;
  /** 0 for the initial user namespace. The kernel nests user namespaces 33 levels deep: a 34th is ENOSPC. */
  readonly level: number;
  /** The creator's euid, as a kuid (NS_GET_OWNER_UID shows it in the caller's view). */
  readonly ownerKuid: number;
  /** The creator's egid, as a kgid. */
  readonly ownerKgid: number;
  /** Its uid_map; null while unwritten (no uid is mapped yet). The kernel takes one write only. */
  uidMap: IdMapLine[] | null;
  /** Its gid_map; null while unwritten, like uidMap. */
  gidMap: IdMapLine[] | null;
  /** Its /proc/<pid>/setgroups: whether setgroups(2) may be used in it. */
  setgroups: 'allow' | 'deny';
  /**
   * Whether the creator held CAP_SETFCAP in the parent namespace (user_namespace.c:
   * parent_could_setfcap): without it, a map that maps id 0 of the parent cannot be written from
   * inside. Absent means true (the initial namespace, worlds built by hand).
   */
  readonly parentCouldSetfcap?: boolean;
}

/** A pid namespace: its numbering of the tasks in it and below it. */
export interface PidNamespace extends NamespaceBase {
  /** Always 'pid'. */
  readonly kind: 'pid';
  /** The pid namespace it was created in; null for the host's (whose ancestors the model does not hold). */
  readonly parent: NsId | null;
  /** Absolute level: the host's initial pid namespace is 0. The kernel's limit is 32. */
  readonly level: number;
  /** pid number → task (process or thread) that holds it; held until the task is reaped. */
  readonly pids: Map<number, TaskId>;
  /** The idr cursor: the next pid is the lowest free number at or above it (then wraps). */
  cursor: number;
  /** pid 1's process, once there is one. */
  init: ProcName | null;
  /** Set when init has exited: no new process may join (fork gives ENOMEM). */
  dead: boolean;
  /** Set by reboot(2) inside: init's exit is reported as killed by this signal. */
  rebootSignal: number | null;
  /** The host's pid namespace: its numbers are not known to the model (never shown). */
  readonly opaque: boolean;
}

/** A time namespace: offsets of CLOCK_MONOTONIC and CLOCK_BOOTTIME from the host's clocks. */
export interface TimeNamespace extends NamespaceBase {
  /** Always 'time'. */
  readonly kind: 'time';
  /** Its clock offsets, as /proc/<pid>/timens_offsets shows them. */
  offsets: {
    /** CLOCK_MONOTONIC's offset, in seconds. */
    monotonic: number;
    /** CLOCK_BOOTTIME's offset, in seconds. */
    boottime: number;
  };
  /** Set when the first process enters: from then on timens_offsets writes give EACCES. */
  frozen: boolean;
}

/** A namespace of a kind the model keeps no state for beyond its identity and owner. */
export interface PlainNamespace extends NamespaceBase {
  /** One of the kinds without model state. */
  readonly kind: 'cgroup' | 'ipc' | 'mnt' | 'net' | 'uts';
}

/** A namespace of any kind; `kind` tells which. */
export type Namespace = UserNamespace | PidNamespace | TimeNamespace | PlainNamespace;

/** A task id: the process name for its leader, `${name}#${n}` for its nth extra thread. */
export type TaskId = string;

/** An fd in a process's fd table, under the name steps give it. */
export interface Handle {
  /** What the fd is: an nsfs file, a pidfd, or /dev/null. */
  readonly type: 'ns' | 'pidfd' | 'null';
  /** For 'ns': the namespace. */
  readonly ns?: NsId;
  /** For 'pidfd': the task it refers to (the process, even after it is reaped). */
  readonly task?: TaskId;
  /** For 'pidfd': opened with PIDFD_NONBLOCK. */
  readonly nonblock?: boolean;
}

/** A process's credentials (the model keeps real, effective and saved ids equal). */
export interface Credentials {
  /** Effective = real = saved ids, as kuid / kgid. */
  uid: number;
  /** Effective = real = saved gid, as a kgid. */
  gid: number;
  /** The user namespace the credentials belong to: where its capabilities count. */
  userns: NsId;
  /** Full effective capabilities in `userns` (root there, or after a user-namespace entry), or none. */
  caps: boolean;
}

/** One delivery of a handled signal, as the recording handler saw it. */
export interface ReceivedSignal {
  /** The signal number. */
  signal: number;
  /** si_pid as the handler got it: the sender's pid (from kill(2): as its own pid namespace numbers it), 0 where the receiver's pid namespace cannot see the sender. */
  fromPid: number;
}

/**
 * A task's nsproxy: its active namespaces (user: its credentials'), pid_for_children and
 * time_for_children. Every task has its own: a thread starts with its creator's, plus the
 * namespaces its clone3 created, and keeps them when the process later calls setns or unshare
 * (those switch the calling task's nsproxy only: kernel/nsproxy.c switch_task_namespaces).
 */
export interface TaskNamespaces {
  /** The task's active namespace of each kind. */
  ns: Record<NamespaceType, NsId>;
  /** The pid namespace the task's next children are created in. */
  pidForChildren: NsId;
  /** The time namespace the task's next children are created in. */
  timeForChildren: NsId;
}

/** An extra thread of a process. */
export interface Thread {
  /** Its task id, `${process}#${n}`. */
  readonly task: TaskId;
  /** Its pid at each level of its process's pidChain, outermost first. */
  pids: number[];
  /** The fs_struct group it shares (made with CLONE_FS: its creator's); absent: an fs_struct of its own. */
  fsGroup?: string;
  /** Its own nsproxy (absent: the process's, for a thread a test builds by hand). */
  nsproxy?: TaskNamespaces;
}

/** A process of the world (its leader task, plus its extra threads). */
export interface Process {
  /** Its name in the scenario, the key in World.processes. */
  readonly name: ProcName;
  /** 'running' and 'stopped' are alive; a zombie keeps its pids until reaped. */
  state: 'running' | 'stopped' | 'zombie' | 'reaped';
  /** The process wait() and getppid() go to; changes when the parent dies (reparenting). */
  parent: ProcName | null;
  /** Signal sent to the parent at exit (SIGCHLD = 17; 0 = none). */
  exitSignal: number;
  /** How it ended; null while it has not exited. */
  exitStatus: {
    /** Its exit status (0-255), when it exited by itself. */
    code: number;
  } | {
    /** The number of the signal that killed it. */
    signal: number;
  } | null;
  /** Active namespaces of all 8 kinds (pid: the one it was born in; it never changes). */
  ns: Record<NamespaceType, NsId>;
  /** The pid namespace its next children are created in (/proc/<pid>/ns/pid_for_children). */
  pidForChildren: NsId;
  /** The time namespace its next children are created in (/proc/<pid>/ns/time_for_children). */
  timeForChildren: NsId;
  /** Its credentials. */
  cred: Credentials;
  /** Its pid at every level, outermost first: pids[i] is its number in pidChain[i]. */
  readonly pids: number[];
  /** The pid namespaces `pids` number it in, outermost first, down to the one it was born in (the host's is not among them). */
  readonly pidChain: NsId[];
  /**
   * Extra threads (the leader is not counted), each with its own pids in the same chain; a thread
   * made with CLONE_FS shares the fs_struct group it was created in (it counts in fs->users).
   */
  threads: Thread[];
  /** Tasks sharing this fs_struct (CLONE_FS): the group key; alone = own name. */
  fsGroup: string;
  /** Its fd table: the fds it holds, by handle name. */
  handles: Map<HandleName, Handle>;
  /** Signals with an installed handler. */
  handled: Set<number>;
  /** Deliveries of handled signals that no 'signals' step has read yet, oldest first. */
  received: ReceivedSignal[];
  /** Set by PR_SET_CHILD_SUBREAPER: orphans below it are reparented to it rather than to init. */
  subreaper: boolean;
  /** A memory-sharing child that only sleeps: it cannot run steps. */
  readonly sleeper: boolean;
  /**
   * (tasks) A pid-namespace init past its own exit: it has killed its namespace and waits in
   * zap_pid_ns_processes() until the last zombies there (whose parents live outside) are reaped;
   * only then does it become a zombie. Meanwhile its state is 'stopped' so that it runs no steps
   * (/proc shows it sleeping; the 'state' step reports 'running').
   */
  exiting?: boolean;
  /**
   * (tasks) Handled signals sent while the process was stopped (signal → the si_pid it will be
   * delivered with; a standard signal is pending at most once): delivered when it continues.
   */
  pendingSignals?: Map<number, number>;
}

/** Facts about the host the harness runs on, which some results depend on. */
export interface WorldConfig {
  /** Level of the host's pid namespace the harness runs in (0 on a VM host). */
  hostPidLevel: number;
  /** Level of the user namespace the harness runs in (0 on a VM host). */
  hostUserLevel: number;
  /**
   * CLOCK_MONOTONIC and CLOCK_BOOTTIME of the host, in seconds, when the scenario starts. The
   * kernel refuses a time-namespace offset that would put the clock below 0 or above
   * KTIME_SEC_MAX / 2 *now*, so where an offset is near those ends its result depends on the clock.
   * Without them the model takes any uptime from |offset| to MODEL_MAX_UPTIME (time-offsets.ts).
   */
  clocks?: {
    /** CLOCK_MONOTONIC, in seconds. */
    monotonic: number;
    /** CLOCK_BOOTTIME, in seconds. */
    boottime: number;
  };
}

/** The model's whole state: every namespace and process of one scenario. */
export interface World {
  /** The host facts it was created with. */
  readonly config: WorldConfig;
  /** Every namespace ever created, by id (the model never frees one). */
  readonly namespaces: Map<NsId, Namespace>;
  /** Every process ever created, by name, reaped ones included (state 'reaped'). */
  readonly processes: Map<ProcName, Process>;
  /** The initial ("host") namespaces of each kind. */
  readonly host: Record<NamespaceType, NsId>;
  /** Counter for fresh namespace ids. */
  nextNsId: number;
  /**
   * Processes whose memory is not dumpable (they changed their uid/gid: commit_creds clears
   * the flag). Absent = every process is dumpable. Used by the ptrace access checks of
   * /proc/<pid>/ns and setns(pidfd).
   */
  nonDumpable?: Set<ProcName>;
}

/**
 * What every operation returns: the step's result, plus the rule that decided it and a one-line
 * reason in words. Successful steps name their rule too ('ok' rules).
 */
export type ModelResult = StepResult & {
  /** The id of the rule that decided the result (see ruleById()). */
  rule: string;
  /** Why, in words: the rule's reason, with the step's details where the op adds them. */
  reason: string;
};

export function ok(rule: string, reason: string, value?: Value): ModelResult {
  return value === undefined ? { ok: true, rule, reason } : { ok: true, value, rule, reason };
}

export function fail(errno: ErrnoName, rule: string, reason: string): ModelResult {
  return { ok: false, errno, rule, reason };
}

/** Thrown inside an op to end it with an errno (caught by the dispatcher). */
export class RuleFailure extends Error {
  constructor(readonly result: ModelResult) {
    super(`${result.rule}: ${result.reason}`);
  }
}
