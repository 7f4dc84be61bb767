/**
 * The driver's record of one task of the scenario world: an agent process, a CLONE_VM sleeper
 * process, or a thread of an agent. Identity is the driver's own: the task's pid in the driver's
 * pid namespace, pinned by a pidfd the driver holds (so a reaped task's number can never be taken
 * for a newer task's), and, for agents, an fd of its active pid namespace (which never changes
 * for a process), used to ask the kernel how that task sees any other.
 */
import { readFileSync } from 'node:fs';
import { addon } from '../../native/addon.js';
import { PidTranslation, type FdWatcher, type OwnedFd } from '../../native/binding.js';
import { isSystemError } from '../../errors.js';
import type { AgentLink } from './channel.js';

/**
 * A pid no task has in any pid namespace: above PID_MAX_LIMIT (4,194,304). Passed where a step
 * names a process the caller cannot see (or one that is gone), so the real system call gives the
 * kernel's own answer for such a target (ESRCH, ECHILD, ENOENT under /proc, …).
 */
export const NO_PID = 999_999_999;

/** pidfd_open's PIDFD_THREAD (O_EXCL): a pidfd for a thread rather than a thread-group leader. */
export const PIDFD_THREAD = 0x80;

/** PF_EXITING in the flags field of /proc/<pid>/stat: the task is in do_exit(). */
const PF_EXITING = 0x4;

export type TaskKind = 'agent' | 'sleeper' | 'thread';

export interface ProcStat {
  /** The state letter: R S D T t Z X I … */
  state: string;
  /** The task's PF_* flags. */
  flags: number;
}

/** /proc/<pid>/stat of the driver's pid namespace (a thread's tid works too), or null if gone. */
export function readStat(hostPid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${hostPid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The fields after the command name, which ends at the last ')' (it may contain spaces).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', flags: Number(fields[6] ?? 0) };
}

/** /proc/<pid>/wchan: where the task sleeps; '0' while it runs or waits for a CPU, '' if gone. */
function wchan(hostPid: number): string {
  try {
    return readFileSync(`/proc/${hostPid}/wchan`, 'latin1');
  } catch {
    return '';
  }
}

/** Off the CPU and asleep (S, D, T …), not merely marked so on its way to schedule(). */
export function isAsleep(hostPid: number): boolean {
  const where = wchan(hostPid);
  return where !== '' && where !== '0';
}

export function isExiting(stat: ProcStat | null): boolean {
  return stat !== null && (stat.flags & PF_EXITING) !== 0;
}

/**
 * Stopped for good: in a stop state and scheduled out. (A stopping task sets its state before it
 * notifies its parent and schedules; once off the CPU the parent's SIGCHLD has been sent.)
 */
export function isStopped(hostPid: number, stat: ProcStat | null): boolean {
  return stat !== null && (stat.state === 'T' || stat.state === 't') && isAsleep(hostPid);
}

/**
 * Whether `task` is a pid namespace's init that is past its own exit and waits, in
 * zap_pid_ns_processes(), for zombies whose parents live outside the namespace to be reaped. It
 * stays so until someone reaps them (nobody reaps on their own in the scenario world): then the
 * namespace's other tasks are all zombies, and there is at least one. While any of them is still
 * exiting, or none is left, the wait is only a passing stage of the namespace's teardown.
 */
export function waitsInZap(task: Task, tasks: readonly Task[]): boolean {
  const stat = task.stat();
  if (!isExiting(stat) || task.kind === 'thread' || !wchan(task.hostPid).includes('zap_pid_ns_processes')) return false;
  // Waiting for nothing (everything else already released) means it is about to run on: the
  // last release woke it. It waits for good only while zombies of the namespace remain.
  let zombies = 0;
  for (const other of tasks) {
    if (other === task || other.reaped()) continue;
    if (translatePid(task.pidNs, PidTranslation.PidInNs, other.hostPid) === null) continue; // not in its namespace
    if (readStat(other.hostPid)?.state !== 'Z') return false;
    zombies++;
  }
  return zombies > 0;
}

/** A pid-translation ioctl by the driver; null for ESRCH (not visible there / no such pid). */
export function translatePid(nsFd: OwnedFd, which: PidTranslation, pid: number): number | null {
  try {
    return addon().nsTranslatePid(nsFd.fd, which, pid);
  } catch (error) {
    if (isSystemError(error, 'ESRCH')) return null;
    throw error;
  }
}

export class Task {
  /** The scenario's name, or an internal one ('\0anon<n>') for a clone3 without `child`. */
  readonly name: string;
  readonly kind: TaskKind;
  /** pid (tid for a thread) in the driver's pid namespace. */
  readonly hostPid: number;
  /** pid in T, the world's top pid namespace (what T's /proc calls it). */
  readonly tPid: number;
  /** For a thread: the agent whose thread it is. */
  readonly leader: Task | null;
  /** For an agent: its channel, once it said hello. */
  link: AgentLink | null = null;
  /** pidfd readable: the task has passed exit_notify (a zombie now, or already reaped). */
  dead = false;
  /** Seen stopped (SIGSTOP …) by the last settle. */
  stopped = false;
  /** An init stuck in zap_pid_ns_processes (see waitsInZap): it runs no steps any more. */
  exiting = false;
  /** Resolves when the task is dead. */
  readonly died: Promise<void>;
  readonly #pidfd: OwnedFd;
  readonly #pidNs: OwnedFd | null;
  #watcher: FdWatcher | null = null;

  /** Takes ownership of `pidfd` and `pidNs`. */
  constructor(init: { name: string; kind: TaskKind; hostPid: number; tPid: number; leader: Task | null; pidfd: OwnedFd; pidNs: OwnedFd | null }) {
    this.name = init.name;
    this.kind = init.kind;
    this.hostPid = init.hostPid;
    this.tPid = init.tPid;
    this.leader = init.leader;
    this.#pidfd = init.pidfd;
    this.#pidNs = init.pidNs;
    this.died = new Promise((resolve) => {
      this.#watcher = addon().watchReadable(init.pidfd.fd, () => {
        this.dead = true;
        this.#watcher = null;
        resolve();
      });
    });
  }

  /** An agent that can run a step now. */
  get runnable(): boolean {
    return this.kind === 'agent' && this.link !== null && !this.link.eof && !this.dead && !this.stopped && !this.exiting;
  }

  /** The task's active pid namespace (processes, not threads). */
  get pidNs(): OwnedFd {
    if (this.#pidNs === null) throw new Error(`nsbridge kernel driver: ${this.kind} ${this.name} has no pid namespace fd`);
    return this.#pidNs;
  }

  /** Whether the task was reaped (its pid may already be someone else's). Zombies are not. */
  reaped(): boolean {
    try {
      addon().pidfdSendSignal(this.#pidfd.fd, 0, 0);
      return false;
    } catch (error) {
      if (isSystemError(error, 'ESRCH')) return true;
      throw error;
    }
  }

  stat(): ProcStat | null {
    return readStat(this.hostPid);
  }

  /** Release everything the driver holds for this task (the process itself is not touched). */
  dispose(): void {
    this.#watcher?.stop();
    this.#watcher = null;
    this.#pidfd.close();
    this.#pidNs?.close();
    this.link?.destroy();
  }
}
