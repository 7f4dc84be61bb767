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
import { PositionHeap, type HeapEntry } from './position-heap.js';
import { SIGCHLD } from './signal-table.js';

/** What waitid(P_ALL) needs of one parent, kept as the tree changes so that a wait is O(log n). */
interface Brood {
  /** The children (zombies included, reaped ones not), in list order: a Set keeps insertion order. */
  members: Set<ProcName>;
  /** How many of them a wait without __WALL / __WCLONE considers: exit signal SIGCHLD. */
  waitable: number;
  /**
   * Those of them that are zombies, by list position. Entries go stale (reaped, reparented) and
   * are dropped when they reach the top: see firstWaitableZombie.
   */
  zombies: PositionHeap;
}

interface Family {
  broods: Map<ProcName, Brood>;
  /** Per child: its position in its parent's list (later joiners have larger ones). */
  position: Map<ProcName, number>;
  nextPosition: number;
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
    found = { broods: new Map(), position: new Map(), nextPosition: 0, anonymous: 0, threadSeq: new Map(), threadNames: new Map() };
    for (const p of world.processes.values()) {
      if (p.parent !== null && p.state !== 'reaped') join(world, found, p, p.parent);
    }
    FAMILIES.set(world, found);
  }
  return found;
}

function broodOf(f: Family, parent: ProcName): Brood {
  let brood = f.broods.get(parent);
  if (brood === undefined) {
    brood = { members: new Set(), waitable: 0, zombies: new PositionHeap() };
    f.broods.set(parent, brood);
  }
  return brood;
}

function join(world: World, f: Family, child: Process, parent: ProcName): void {
  const brood = broodOf(f, parent);
  const position = f.nextPosition++;
  f.position.set(child.name, position);
  brood.members.add(child.name);
  if (child.exitSignal === SIGCHLD) {
    brood.waitable++;
    if (child.state === 'zombie') queueZombie(world, f, brood, { position, name: child.name });
  }
}

function leave(f: Family, child: Process): void {
  if (child.parent === null) return;
  const brood = f.broods.get(child.parent);
  if (brood === undefined || !brood.members.delete(child.name)) return;
  if (child.exitSignal === SIGCHLD) brood.waitable--;
  f.position.delete(child.name);
  // An empty brood goes, stale heap entries with it (a parent whose children all left or died).
  if (brood.members.size === 0) f.broods.delete(child.parent);
}

/**
 * Queue a zombie for its parent's waits. Entries of zombies reaped otherwise (P_PID, P_PIDFD) or
 * reparented stay until they reach the top; when they outnumber the members, the heap is rebuilt
 * from the members, so its size stays proportional to the children (amortised O(1) a push).
 */
function queueZombie(world: World, f: Family, brood: Brood, entry: HeapEntry): void {
  brood.zombies.push(entry);
  if (brood.zombies.size <= 2 * brood.members.size + 16) return;
  const fresh = new PositionHeap();
  for (const name of brood.members) {
    const child = world.processes.get(name);
    const position = f.position.get(name);
    if (child?.state === 'zombie' && child.exitSignal === SIGCHLD && position !== undefined) fresh.push({ position, name });
  }
  brood.zombies = fresh;
}

/** The children of `parent` (zombies included, reaped ones not), in the kernel's list order. */
export function childrenOf(world: World, parent: ProcName): ProcName[] {
  const brood = family(world).broods.get(parent);
  return brood === undefined ? [] : [...brood.members];
}

/** Whether `parent` has any child at all (zombies included). */
export function hasChildren(world: World, parent: ProcName): boolean {
  return (family(world).broods.get(parent)?.members.size ?? 0) > 0;
}

/** How many children of `parent` a wait without __WALL / __WCLONE considers (exit signal SIGCHLD). */
export function waitableChildren(world: World, parent: ProcName): number {
  return family(world).broods.get(parent)?.waitable ?? 0;
}

/** The first zombie in `parent`'s list whose exit signal is SIGCHLD: what waitid(P_ALL) reaps. */
export function firstWaitableZombie(world: World, parent: Process): Process | null {
  const f = family(world);
  const brood = f.broods.get(parent.name);
  if (brood === undefined) return null;
  for (let top = brood.zombies.peek(); top !== undefined; top = brood.zombies.peek()) {
    const child = world.processes.get(top.name);
    // Current only while the child is still in this list at the position it was queued with.
    const current = child !== undefined && child.parent === parent.name && f.position.get(child.name) === top.position;
    if (current && child.state === 'zombie' && child.exitSignal === SIGCHLD) return child;
    brood.zombies.pop();
  }
  return null;
}

/**
 * Make `child` the newest child of `parent` (a new process, or an orphan being reparented), with
 * `exitSignal` (reparent_leader resets it to SIGCHLD).
 */
export function attachChild(world: World, child: Process, parent: ProcName | null, exitSignal = child.exitSignal): void {
  const f = family(world);
  leave(f, child);
  child.parent = parent;
  child.exitSignal = exitSignal;
  if (parent !== null) join(world, f, child, parent);
}

/** `child` has become a zombie: a wait by its parent may now reap it. */
export function noteZombie(world: World, child: Process): void {
  if (child.parent === null || child.exitSignal !== SIGCHLD) return;
  const f = family(world);
  const position = f.position.get(child.name);
  if (position !== undefined) queueZombie(world, f, broodOf(f, child.parent), { position, name: child.name });
}

/** A reaped process leaves its parent's list. */
export function detachChild(world: World, child: Process): void {
  leave(family(world), child);
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
