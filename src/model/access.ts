/**
 * Typed lookups into the world. A missing name is a bug in a scenario or an op (TypeError), not a
 * kernel error: scenarios refer only to processes and namespaces that were created.
 */
import type { PidNamespace, Process, TaskId, TimeNamespace, UserNamespace, World, NsId } from './world.js';
import type { ProcName } from './steps.js';

export function proc(world: World, name: ProcName): Process {
  const found = world.processes.get(name);
  if (found === undefined) throw new TypeError(`scenario names a process that was never created: ${JSON.stringify(name)}`);
  return found;
}

export function userNs(world: World, id: NsId): UserNamespace {
  const ns = world.namespaces.get(id);
  if (ns?.kind !== 'user') throw new Error(`${id} is not a user namespace`);
  return ns;
}

export function pidNs(world: World, id: NsId): PidNamespace {
  const ns = world.namespaces.get(id);
  if (ns?.kind !== 'pid') throw new Error(`${id} is not a pid namespace`);
  return ns;
}

export function timeNs(world: World, id: NsId): TimeNamespace {
  const ns = world.namespaces.get(id);
  if (ns?.kind !== 'time') throw new Error(`${id} is not a time namespace`);
  return ns;
}

/** Whether the process is alive (running or stopped). */
export function isAlive(p: Process): boolean {
  return p.state === 'running' || p.state === 'stopped';
}

/** The process a task id belongs to: 'a#2' → 'a'. */
export function processOfTask(task: TaskId): ProcName {
  const hash = task.indexOf('#');
  return hash === -1 ? task : task.slice(0, hash);
}
