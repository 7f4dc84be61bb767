/**
 * How processes end: exit (kernel/exit.c do_exit → exit_notify), reparenting of orphans
 * (forget_original_parent / find_new_reaper / reparent_leader), the death of a pid namespace's
 * init (zap_pid_ns_processes in kernel/pid_namespace.c), the parent's notification
 * (do_notify_parent) and reaping (release_task). Also stopping and continuing, which notify the
 * parent too.
 *
 * Rules of thumb the code follows, all from the kernel:
 * - An exiting process's threads go at once (non-leader threads are reaped as they exit).
 * - Orphans go to the nearest living subreaper among their ancestors in the same pid namespace
 *   level, else to the init of the dead parent's pid namespace; their exit signal becomes SIGCHLD.
 * - When a pid namespace's init exits, no process may join the namespace any more (fork there
 *   gives ENOMEM), every other task with a pid in it (nested namespaces included) gets SIGKILL,
 *   and the init, which now ignores SIGCHLD, reaps every child it has or gets. Zombies whose
 *   parents live outside the namespace stay until those parents reap them; the init itself
 *   becomes a zombie only after that (until then it is 'exiting'). Its wait status is the
 *   reboot signal if reboot(2) was called inside (pid_ns->reboot), else its own.
 */
import { isAlive, pidNs, proc, processOfTask } from '../access.js';
import { releasePids } from '../pid-tree.js';
import type { PidNamespace, Process, World } from '../world.js';
import { deliverSignal, runPending } from './deliver.js';
import { attachChild, childrenOf, detachChild, noteZombie } from './family.js';
import { activePidNs, tgidIn } from './lookup.js';
import { SIGCHLD, SIGKILL } from './signal-table.js';

export type ExitStatus = { code: number } | { signal: number };

/** The process `father`'s orphans go to: find_new_reaper() + find_child_reaper(). */
function findNewReaper(world: World, father: Process): Process {
  const ns = activePidNs(world, father);
  const level = ns.level;
  for (let name = father.parent; name !== null;) {
    const candidate = proc(world, name);
    // The kernel walks up while the ancestor's pid has the same level (the same namespace).
    if (activePidNs(world, candidate).level !== level) break;
    if (candidate.subreaper && isAlive(candidate) && candidate.exiting !== true) return candidate;
    name = candidate.parent;
  }
  if (ns.init === null) throw new Error(`pid namespace ${ns.id} has processes but no init`);
  return proc(world, ns.init);
}

/** forget_original_parent(): every child of `father` goes to its new reaper. */
function reparentChildren(world: World, father: Process, path: ExitPath): void {
  const orphans = childrenOf(world, father.name);
  if (orphans.length === 0) return;
  const reaper = findNewReaper(world, father);
  for (const name of orphans) {
    const child = proc(world, name);
    // reparent_leader: "We don't want people slaying init." — the exit signal becomes SIGCHLD.
    attachChild(world, child, reaper.name, SIGCHLD);
    if (child.state === 'zombie') notifyParent(world, child, SIGCHLD, path);
  }
}

/** release_task(): the zombie's numbers are freed at every level. */
export function reap(world: World, zombie: Process): void {
  releasePids(world, zombie.pidChain, zombie.pids);
  detachChild(world, zombie);
  zombie.state = 'reaped';
  // An init waiting in zap_pid_ns_processes for this one may now finish.
  for (const nsId of zombie.pidChain) {
    const ns = pidNs(world, nsId);
    if (ns.init !== null && ns.init !== zombie.name) finishInitIfEmpty(world, ns);
  }
}

/**
 * The notifications one exiting task sends on its way out (to the reapers of its orphans, then
 * to its parent), per receiver: the receiver cannot run in between, so a second standard
 * signal of the same number finds the first still pending and is dropped (legacy_queue) — an
 * orphaned zombie and its exiting parent both going to init give init one SIGCHLD (checked on
 * 6.18). Notifications from different tasks' exits are not merged: whether they meet pending
 * depends on timing. Each exit makes its own (a signal it sends may end another task, whose
 * exit is a path of its own).
 */
type ExitPath = Map<Process, Set<number>>;

/** do_notify_parent(): the exit signal (0: none) to the parent, or autoreap by a dying init. */
function notifyParent(world: World, child: Process, sig: number, path: ExitPath): void {
  if (child.parent === null) return; // the world's init: its parent is outside the world
  const parent = proc(world, child.parent);
  if (parent.exiting === true) {
    // The dying init ignores SIGCHLD (autoreap) and reaps every other child in its wait loop.
    reap(world, child);
    return;
  }
  if (sig === 0) return;
  const toParent = path.get(parent) ?? new Set<number>();
  if (toParent.has(sig)) return;
  toParent.add(sig);
  path.set(parent, toParent);
  deliverSignal(world, parent, sig, { siPid: tgidIn(child, parent.ns.pid), force: false });
}

function becomeZombie(world: World, p: Process, status: ExitStatus, path: ExitPath): void {
  p.state = 'zombie';
  p.exitStatus = status;
  noteZombie(world, p);
  notifyParent(world, p, p.exitSignal, path);
}

/** The init of `ns` finishes its exit once it is the only task left with a pid there. */
function finishInitIfEmpty(world: World, ns: PidNamespace): void {
  const init = proc(world, ns.init!);
  if (init.exiting !== true) return;
  for (const task of ns.pids.values()) if (processOfTask(task) !== init.name) return;
  init.exiting = undefined;
  const own = init.exitStatus ?? { signal: SIGKILL };
  becomeZombie(world, init, ns.rebootSignal !== null ? { signal: ns.rebootSignal } : own, new Map());
}

/** zap_pid_ns_processes(): the namespace dies with its init. */
function killNamespace(world: World, ns: PidNamespace, init: Process): void {
  ns.dead = true;
  const victims: Process[] = [];
  const seen = new Set<string>([init.name]);
  for (const nr of [...ns.pids.keys()].sort((a, b) => a - b)) {
    const name = processOfTask(ns.pids.get(nr)!);
    if (!seen.has(name)) {
      seen.add(name);
      victims.push(proc(world, name));
    }
  }
  for (const victim of victims) {
    if (isAlive(victim) && victim.exiting !== true) exitProcess(world, victim, { signal: SIGKILL });
  }
  // The zombies it had before it started ignoring SIGCHLD: reaped by its kernel_wait4 loop.
  for (const name of childrenOf(world, init.name)) {
    const child = proc(world, name);
    if (child.state === 'zombie') reap(world, child);
  }
}

/**
 * exit_group(): `p` and all its threads exit with `status`. Nothing happens to a process that
 * has already exited.
 */
export function exitProcess(world: World, p: Process, status: ExitStatus): void {
  if (!isAlive(p) || p.exiting === true) return;
  for (const thread of p.threads) releasePids(world, p.pidChain, thread.pids);
  p.threads = [];
  p.pendingSignals = undefined;
  const ns = activePidNs(world, p);
  if (ns.init === p.name) {
    p.exiting = true;
    p.state = 'stopped';
    p.exitStatus = status;
    killNamespace(world, ns, p);
    finishInitIfEmpty(world, ns);
    return;
  }
  const path: ExitPath = new Map();
  reparentChildren(world, p, path);
  becomeZombie(world, p, status, path);
}

/** A stop signal took effect: the process stops; its parent gets SIGCHLD (CLD_STOPPED). */
export function stopProcess(world: World, p: Process): void {
  p.state = 'stopped';
  notifyStateChange(world, p);
}

/**
 * SIGCONT: the process runs again; the parent gets SIGCHLD (CLD_CONTINUED, sent by the process
 * itself from get_signal before it takes its pending signals); then the pending signals act.
 */
export function continueProcess(world: World, p: Process): void {
  p.state = 'running';
  notifyStateChange(world, p);
  runPending(world, p);
}

/** do_notify_parent_cldstop(): SIGCHLD to the parent (the agent's handlers lack SA_NOCLDSTOP). */
function notifyStateChange(world: World, p: Process): void {
  if (p.parent === null) return;
  const parent = proc(world, p.parent);
  deliverSignal(world, parent, SIGCHLD, { siPid: tgidIn(p, parent.ns.pid), force: false });
}
