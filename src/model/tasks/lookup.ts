/**
 * Finding tasks the way system calls do: by number in the caller's active pid namespace
 * (find_vpid). A step's named target is first turned into the number the caller would use: its
 * pid in the caller's view — and a process the caller cannot see, or one already reaped, into a
 * number no task has (the kernel driver passes 999999999), so the lookup fails as the kernel's
 * does.
 */
import { pidNs, proc, processOfTask } from '../access.js';
import { pidIn, pidOfTaskIn } from '../pid-tree.js';
import type { ProcName, Target } from '../steps.js';
import { namedThread } from './family.js';
import type { NsId, PidNamespace, Process, TaskId, World } from '../world.js';

/** The kernel driver's number for a process the caller cannot name (above PID_MAX_LIMIT). */
const NO_PID = 999_999_999;

export interface FoundTask {
  /** The process (thread group) the task belongs to. */
  proc: Process;
  task: TaskId;
  /** Whether the task is the thread-group leader (the process itself, not an extra thread). */
  leader: boolean;
}

/** The caller's active pid namespace: the one it was born in (never changes). */
export function activePidNs(world: World, p: Process): PidNamespace {
  return pidNs(world, p.ns.pid);
}

/**
 * A step's name for a task: a process, or a thread a clone3 step named. Null for a name no step
 * can use (a clone3 child left unnamed) or a task that is gone (reaped; a thread that exited).
 */
export function taskByName(world: World, name: ProcName): FoundTask | null {
  const p = world.processes.get(name);
  if (p !== undefined) {
    if (name.startsWith('\0') || p.state === 'reaped') return null;
    return { proc: p, task: p.name, leader: true };
  }
  const task = namedThread(world, name);
  if (task === undefined) return null;
  const owner = proc(world, processOfTask(task));
  return owner.threads.some((t) => t.task === task) ? { proc: owner, task, leader: false } : null;
}

/** The numbers of a task at every level of its process's chain. */
export function pidsOfFound(found: FoundTask): readonly number[] {
  if (found.leader) return found.proc.pids;
  return found.proc.threads.find((t) => t.task === found.task)?.pids ?? [];
}

/** The number `target` stands for in the caller's view (NO_PID where it sees no such task). */
export function targetNumber(world: World, caller: Process, target: Target): number {
  if (typeof target !== 'string') return target.pid;
  const found = taskByName(world, target);
  if (found === null) {
    if (world.processes.has(target) || namedThread(world, target) !== undefined) return NO_PID;
    proc(world, target); // a name never created: the scenario's mistake (TypeError)
    return NO_PID;
  }
  return pidOfTaskIn(found.proc.pidChain, pidsOfFound(found), caller.ns.pid) ?? NO_PID;
}

/** find_pid_ns(nr, ns) → the task holding that number, or null. */
export function taskByNumber(world: World, ns: NsId, nr: number): FoundTask | null {
  const task = pidNs(world, ns).pids.get(nr);
  if (task === undefined) return null;
  const p = proc(world, processOfTask(task));
  return { proc: p, task, leader: task === p.name };
}

/** The process's pid (tgid) as seen from pid namespace `ns`; 0 when not visible there. */
export function tgidIn(p: Process, ns: NsId): number {
  return pidIn(p, ns) ?? 0;
}
