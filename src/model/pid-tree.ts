/**
 * Pid numbering: one pid per level of a task's pid-namespace chain, allocated the way
 * alloc_pid() in kernel/pid.c does it.
 *
 * The kernel (not "lowest free", as one might read pid_namespaces(7)): each namespace has an idr
 * cursor; a new pid is the lowest free number at or above the cursor, and the cursor moves past
 * it (idr_alloc_cyclic). So after pids 2 and 3 exist and 2 is reaped, the next pid is 4, not 2.
 * Writing N to ns_last_pid moves the cursor to N + 1. A set_tid entry takes exactly that number
 * and does not move the cursor. Levels are allocated innermost first.
 */
import { pidNs } from './access.js';
import type { NsId, PidNamespace, Process, TaskId, World } from './world.js';

/** pid_max: the highest pid + 1 (the kernel default on 64-bit with many CPUs; wrap is not modelled). */
export const PID_MAX = 4_194_304;
/** MAX_PID_NS_LEVEL: the deepest pid namespace level (the host's initial namespace is 0). */
export const MAX_PID_NS_LEVEL = 32;

/** The pid namespaces from T (the world's top) down to `ns`, outermost first. */
export function pidChainOf(world: World, ns: NsId): NsId[] {
  const chain: NsId[] = [];
  for (let cur: PidNamespace | null = pidNs(world, ns); cur !== null && !cur.opaque; cur = cur.parent === null ? null : pidNs(world, cur.parent)) {
    chain.unshift(cur.id);
  }
  return chain;
}

/** The task's number in pid namespace `ns`, or null when it is not visible there. */
export function pidOfTaskIn(chain: readonly NsId[], pids: readonly number[], ns: NsId): number | null {
  const i = chain.indexOf(ns);
  return i === -1 ? null : (pids[i] ?? null);
}

/** A process's pid as seen from pid namespace `ns` (null: not visible there). */
export function pidIn(p: Process, ns: NsId): number | null {
  return pidOfTaskIn(p.pidChain, p.pids, ns);
}

/** RESERVED_PIDS: once the cursor has passed it, allocation wraps to it rather than to 1. */
export const RESERVED_PIDS = 300;

/**
 * The lowest free number at or above the cursor, wrapping (alloc_pid's idr_alloc_cyclic with
 * pid_min = RESERVED_PIDS once the cursor is above it, else 1: after pid_max - 1 the next pid is
 * 300, not 2 — checked on 6.18).
 */
export function nextFreePid(ns: PidNamespace): number {
  const min = ns.cursor > RESERVED_PIDS ? RESERVED_PIDS : 1;
  for (let nr = Math.max(ns.cursor, min); nr < PID_MAX; nr++) if (!ns.pids.has(nr)) return nr;
  for (let nr = min; nr < ns.cursor; nr++) if (!ns.pids.has(nr)) return nr;
  throw new Error('pid space exhausted');
}

/**
 * Take one pid per level of `chain` for `task` (innermost first, as the kernel does). `setTid`
 * gives exact numbers, innermost first, for as many levels as it has entries. The caller has
 * checked set_tid's rules; a taken number here is the EEXIST case and is reported as null.
 */
export function allocPids(world: World, chain: readonly NsId[], task: TaskId, setTid: readonly number[] = []): number[] | null {
  const pids: number[] = new Array<number>(chain.length);
  const taken: Array<[PidNamespace, number]> = [];
  for (let depth = chain.length - 1, i = 0; depth >= 0; depth--, i++) {
    const ns = pidNs(world, chain[depth]!);
    const wanted = setTid[i];
    let nr: number;
    if (wanted !== undefined) {
      if (ns.pids.has(wanted)) {
        for (const [undoNs, undoNr] of taken) undoNs.pids.delete(undoNr);
        return null;
      }
      nr = wanted;
    } else {
      nr = nextFreePid(ns);
      ns.cursor = nr + 1;
    }
    ns.pids.set(nr, task);
    taken.push([ns, nr]);
    pids[depth] = nr;
  }
  return pids;
}

/** Give a reaped task's numbers back. */
export function releasePids(world: World, chain: readonly NsId[], pids: readonly number[]): void {
  chain.forEach((nsId, i) => {
    const nr = pids[i];
    if (nr !== undefined) pidNs(world, nsId).pids.delete(nr);
  });
}
