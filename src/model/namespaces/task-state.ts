/**
 * What the namespace rules need to know about tasks: what a pidfd refers to now, which task holds
 * a pid number, who shares the caller's fs_struct or memory. Read-only.
 */
import { isAlive, proc, processOfTask } from '../access.js';
import { pidOfTaskIn } from '../pid-tree.js';
import type { ProcName } from '../steps.js';
import { namedThread } from '../tasks/family.js';
import { taskByName } from '../tasks/lookup.js';
import type { Handle, NsId, Process, TaskId, TaskNamespaces, World } from '../world.js';

/**
 * The task behind a pidfd: 'alive', 'zombie' (exited, not reaped: it has no nsproxy any more) or
 * 'gone' (reaped, or an exited thread: pid_task() finds nothing).
 */
export function pidfdTarget(world: World, handle: Handle): { proc: Process; task: TaskId; state: 'alive' | 'zombie' | 'gone' } {
  const task = handle.task;
  if (task === undefined) throw new Error('pidfd handle without a task');
  const p = proc(world, processOfTask(task));
  if (task !== p.name) {
    // A thread: it exists only while listed (threads are reaped by the kernel as they exit).
    return { proc: p, task, state: isAlive(p) && p.threads.some((t) => t.task === task) ? 'alive' : 'gone' };
  }
  if (isAlive(p)) return { proc: p, task, state: 'alive' };
  return { proc: p, task, state: p.state === 'zombie' ? 'zombie' : 'gone' };
}

/**
 * The nsproxy of `task`, a task of process `p`: a thread's own, or the process's (what setns with
 * a thread's pidfd and /proc/<tid>/ns read: the task's nsproxy, not its thread-group leader's).
 */
export function taskNamespaces(p: Process, task: TaskId): TaskNamespaces {
  if (task === p.name) return p;
  return p.threads.find((t) => t.task === task)?.nsproxy ?? p;
}

/** The pid numbers of a task (process leader or thread), with the chain they belong to. */
function pidsOfTask(world: World, task: TaskId): { chain: readonly NsId[]; pids: readonly number[] } | null {
  const p = world.processes.get(processOfTask(task));
  if (p === undefined || p.state === 'reaped') return null;
  if (task === p.name) return { chain: p.pidChain, pids: p.pids };
  const thread = p.threads.find((t) => t.task === task);
  return thread === undefined ? null : { chain: p.pidChain, pids: thread.pids };
}

/** The number of `task` in pid namespace `ns`, or null when not visible there. */
export function taskPidIn(world: World, task: TaskId, ns: NsId): number | null {
  const found = pidsOfTask(world, task);
  return found === null ? null : pidOfTaskIn(found.chain, found.pids, ns);
}

/**
 * How many tasks use `p`'s fs_struct (fs->users): the live processes of its CLONE_FS group and
 * the threads made with CLONE_FS in it. Exited processes have dropped theirs (exit_fs in do_exit).
 */
export function fsUsers(world: World, p: Process): number {
  let users = 0;
  for (const other of world.processes.values()) {
    if (!isAlive(other)) continue;
    if (other.fsGroup === p.fsGroup) users++;
    for (const thread of other.threads) if (thread.fsGroup === p.fsGroup) users++;
  }
  return users;
}

/**
 * current_is_single_threaded(): no other thread, and no other live process sharing the memory
 * (a CLONE_VM child that only sleeps). The model takes a sleeper's parent as the process whose
 * memory it shares.
 */
export function isSingleThreaded(world: World, p: Process): boolean {
  if (p.threads.length > 0) return false;
  for (const other of world.processes.values()) {
    if (other.sleeper && other.parent === p.name && isAlive(other)) return false;
  }
  return true;
}

/** A fresh fs_struct group key for a process that stops sharing its fs_struct. */
export function freshFsGroup(world: World, p: Process): string {
  const used = new Set<string>();
  for (const other of world.processes.values()) {
    used.add(other.fsGroup);
    for (const thread of other.threads) if (thread.fsGroup !== undefined) used.add(thread.fsGroup);
  }
  let key = p.name;
  for (let n = 1; used.has(key); n++) key = `${p.name}~fs${n}`;
  return key;
}

/**
 * The task whose /proc/<pid> a step names: a process, or a named thread (a thread's /proc/<tid>
 * entry shows its process's credentials, and its own nsproxy). Null when that task is gone
 * (reaped, or an exited thread): /proc/<pid> no longer exists.
 */
export function procTask(world: World, name: ProcName): { proc: Process; nsproxy: TaskNamespaces } | null {
  const found = taskByName(world, name);
  if (found !== null) return { proc: found.proc, nsproxy: taskNamespaces(found.proc, found.task) };
  if (!world.processes.has(name) && namedThread(world, name) === undefined) proc(world, name); // never created: TypeError
  return null;
}
