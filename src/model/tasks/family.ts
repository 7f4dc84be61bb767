/**
 * The process tree as the kernel keeps it: each parent's list of children in the order they
 * joined it (fork appends with list_add_tail; reparenting appends the orphans at the end,
 * list_splice_tail_init in forget_original_parent). waitid(P_ALL) walks this list, so the order
 * decides which zombie a wait reaps first.
 *
 * The index lives beside the world (only task operations change parents) and is built from the
 * world's processes on first use.
 */
import type { ProcName } from '../steps.js';
import type { Process, TaskId, World } from '../world.js';

interface Family {
  children: Map<ProcName, Set<ProcName>>;
  /** Counter for names of processes a clone3 step did not name (the driver's '\0anon<n>'). */
  anonymous: number;
  /** Per process: the number of the next extra thread ('a#1', 'a#2', …). */
  threadSeq: Map<ProcName, number>;
  /** Threads a clone3 step named (`child`): steps may target them by that name. */
  threadNames: Map<ProcName, TaskId>;
}

const FAMILIES = new WeakMap<World, Family>();

function family(world: World): Family {
  let found = FAMILIES.get(world);
  if (found === undefined) {
    found = { children: new Map(), anonymous: 0, threadSeq: new Map(), threadNames: new Map() };
    for (const p of world.processes.values()) {
      if (p.parent !== null && p.state !== 'reaped') childSet(found, p.parent).add(p.name);
    }
    FAMILIES.set(world, found);
  }
  return found;
}

function childSet(f: Family, parent: ProcName): Set<ProcName> {
  let set = f.children.get(parent);
  if (set === undefined) {
    set = new Set();
    f.children.set(parent, set);
  }
  return set;
}

/** The children of `parent` (zombies included, reaped ones not), in the kernel's list order. */
export function childrenOf(world: World, parent: ProcName): ProcName[] {
  const set = family(world).children.get(parent);
  return set === undefined ? [] : [...set];
}

/** Whether `parent` has any child at all (zombies included). */
export function hasChildren(world: World, parent: ProcName): boolean {
  return (family(world).children.get(parent)?.size ?? 0) > 0;
}

/** Make `child` the newest child of `parent` (a new process, or an orphan being reparented). */
export function attachChild(world: World, child: Process, parent: ProcName | null): void {
  const f = family(world);
  if (child.parent !== null) f.children.get(child.parent)?.delete(child.name);
  child.parent = parent;
  if (parent !== null) childSet(f, parent).add(child.name);
}

/** A reaped process leaves its parent's list. */
export function detachChild(world: World, child: Process): void {
  if (child.parent !== null) family(world).children.get(child.parent)?.delete(child.name);
}

/** A name for a process the clone3 step left unnamed, as the kernel driver names it. */
export function anonymousName(world: World): ProcName {
  const f = family(world);
  f.anonymous++;
  return `\0anon${f.anonymous}`;
}

/** The task id of `p`'s next extra thread. */
export function nextThreadId(world: World, p: Process): string {
  const f = family(world);
  const n = (f.threadSeq.get(p.name) ?? 0) + 1;
  f.threadSeq.set(p.name, n);
  return `${p.name}#${n}`;
}

/** Let steps name thread `task` as `name`. */
export function nameThread(world: World, name: ProcName, task: TaskId): void {
  family(world).threadNames.set(name, task);
}

/** The thread a clone3 step named `name`, if any. */
export function namedThread(world: World, name: ProcName): TaskId | undefined {
  return family(world).threadNames.get(name);
}
