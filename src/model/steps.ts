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
import type { ClockOffsetStep } from '../ops/clock-offset.js';
import type { Clone3Step } from '../ops/clone3.js';
import type { CloseStep } from '../ops/close.js';
import type { ExitStep } from '../ops/exit.js';
import type { GetpidStep } from '../ops/getpid.js';
import type { GetppidStep } from '../ops/getppid.js';
import type { GetuidStep } from '../ops/getuid.js';
import type { HandleStep } from '../ops/handle.js';
import type { KillStep } from '../ops/kill.js';
import type { NsIdStep } from '../ops/ns-id.js';
import type { NsIoctlStep } from '../ops/ns-ioctl.js';
import type { NspidStep } from '../ops/nspid.js';
import type { OpenNsStep } from '../ops/open-ns.js';
import type { OpenNullStep } from '../ops/open-null.js';
import type { PidfdOpenStep } from '../ops/pidfd-open.js';
import type { PidfdSendSignalStep } from '../ops/pidfd-send-signal.js';
import type { ReadLastPidStep } from '../ops/read-last-pid.js';
import type { ReadMapStep } from '../ops/read-map.js';
import type { ReadSetgroupsStep } from '../ops/read-setgroups.js';
import type { ReadTimeOffsetsStep } from '../ops/read-time-offsets.js';
import type { RebootStep } from '../ops/reboot.js';
import type { SetSubreaperStep } from '../ops/set-subreaper.js';
import type { SetnsStep } from '../ops/setns.js';
import type { SetuidStep } from '../ops/setuid.js';
import type { SignalsStep } from '../ops/signals.js';
import type { StateStep } from '../ops/state.js';
import type { TranslatePidStep } from '../ops/translate-pid.js';
import type { UnshareStep } from '../ops/unshare.js';
import type { WaitStep } from '../ops/wait.js';
import type { WriteLastPidStep } from '../ops/write-last-pid.js';
import type { WriteMapStep } from '../ops/write-map.js';
import type { WriteSetgroupsStep } from '../ops/write-setgroups.js';
import type { WriteTimeOffsetsStep } from '../ops/write-time-offsets.js';

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
 * apart by `op`. Each kind is declared with its descriptor in src/ops/ (the comment of each says
 * what it does and what its result value is); src/ops/table.ts must have a descriptor for each.
 */
export type Step =
  | Clone3Step
  | UnshareStep
  | SetnsStep
  | OpenNsStep
  | OpenNullStep
  | PidfdOpenStep
  | CloseStep
  | ExitStep
  | KillStep
  | PidfdSendSignalStep
  | HandleStep
  | SignalsStep
  | WaitStep
  | GetpidStep
  | GetppidStep
  | NspidStep
  | NsIdStep
  | NsIoctlStep
  | TranslatePidStep
  | WriteMapStep
  | ReadMapStep
  | WriteSetgroupsStep
  | ReadSetgroupsStep
  | WriteTimeOffsetsStep
  | ReadTimeOffsetsStep
  | ClockOffsetStep
  | ReadLastPidStep
  | WriteLastPidStep
  | SetuidStep
  | SetSubreaperStep
  | RebootStep
  | StateStep
  | GetuidStep;

export type { Clone3Step, UnshareStep, SetnsStep, OpenNsStep, OpenNullStep, PidfdOpenStep, CloseStep, ExitStep, KillStep, PidfdSendSignalStep, HandleStep, SignalsStep, WaitStep, GetpidStep, GetppidStep, NspidStep, NsIdStep, NsIoctlStep, TranslatePidStep, WriteMapStep, ReadMapStep, WriteSetgroupsStep, ReadSetgroupsStep, WriteTimeOffsetsStep, ReadTimeOffsetsStep, ClockOffsetStep, ReadLastPidStep, WriteLastPidStep, SetuidStep, SetSubreaperStep, RebootStep, StateStep, GetuidStep };


/** The kinds of step: the `op` of each Step. */
export type StepOp = Step['op'];

/*
 * Result values: each step type's comment says what its op gives (both backends must give
 * exactly that shape); ops that say nothing give no value (ok only).
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

/**
 * The rule areas, in report order: the labels of scenarios for reports and `nsbridge verify
 * --area`. 'random' is the label of sequences made by the random generator (random.ts).
 */
export const AREAS = Object.freeze([
  'pid-numbering', 'visibility', 'orphans', 'signals', 'init', 'clone3', 'threads', 'pidfd', 'ns_last_pid', 'reboot',
  'unshare', 'setns', 'userns', 'timens', 'nsfs', 'random',
] as const);
/** A rule-area label (one of {@link AREAS}). */
export type Area = (typeof AREAS)[number];

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
