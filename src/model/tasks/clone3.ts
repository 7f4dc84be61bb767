/**
 * clone3(2): every check in the kernel's order, then the new process or thread.
 *
 * Order (kernel/fork.c, 6.18): copy_clone_args_from_user (size, set_tid_size, exit_signal) →
 * clone3_args_valid (flags) → copy_process (flag combinations, CLONE_PARENT from an init,
 * CLONE_THREAD across pid namespaces) → copy_creds / copy_namespaces (namespaces/create.ts) →
 * alloc_pid (set_tid, then the dying-namespace check). Nothing changes before the last check has
 * passed, except what the kernel itself leaves behind: a failed allocation in a dead namespace
 * has already moved the pid cursors of the levels it took numbers in.
 */
import type { NamespaceType } from '../../kinds.js';
import { pidNs, proc } from '../access.js';
import { capableIn } from '../creds.js';
import { checkCreate, createNamespaces, enterTimeNamespace } from '../namespaces/create.js';
import { MAX_PID_NS_LEVEL, PID_MAX, allocPids, nextFreePid, pidChainOf } from '../pid-tree.js';
import { check, defineRule, success } from '../rules.js';
import type { CloneFlag, CloneSize, ProcName } from '../steps.js';
import type { Handle, NsId, Process, TaskNamespaces, World } from '../world.js';
import { anonymousName, attachChild, namedThread, nameThread, nextThreadId } from './family.js';
import { SIGCHLD, isValidSignal, signalNumber } from './signal-table.js';
import type { Clone3Step } from '../../ops/clone3.js';


// ---- copy_clone_args_from_user --------------------------------------------------------------

const RULE_SIZE_OVER_PAGE = defineRule({
  id: 'clone3.size-over-page',
  calls: ['clone3'],
  errno: 'E2BIG',
  reason: 'clone3: the size argument is larger than a page',
  source: 'kernel/fork.c copy_clone_args_from_user: "if (unlikely(usize > PAGE_SIZE)) return -E2BIG"',
});

const RULE_SIZE_UNDER_V0 = defineRule({
  id: 'clone3.size-under-v0',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: the size argument is smaller than CLONE_ARGS_SIZE_VER0 (64 bytes)',
  source: 'kernel/fork.c copy_clone_args_from_user',
});

const RULE_NONZERO_TAIL = defineRule({
  id: 'clone3.nonzero-tail',
  calls: ['clone3'],
  errno: 'E2BIG',
  reason: 'clone3: the struct is longer than this kernel\'s clone_args and the extra bytes are not all zero (fields this kernel does not know)',
  source: 'kernel/fork.c copy_clone_args_from_user → copy_struct_from_user (check_zeroed_user)',
});

const RULE_SET_TID_SIZE = defineRule({
  id: 'clone3.set-tid-size-over-max',
  topic: 'set_tid',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: `clone3: set_tid has more than ${MAX_PID_NS_LEVEL} entries (MAX_PID_NS_LEVEL)`,
  source: 'kernel/fork.c copy_clone_args_from_user: "if (unlikely(args.set_tid_size > MAX_PID_NS_LEVEL)) return -EINVAL"',
});

const RULE_EXIT_SIGNAL = defineRule({
  id: 'clone3.exit-signal-invalid',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: exit_signal is not a valid signal number (0..64)',
  source: 'kernel/fork.c copy_clone_args_from_user: "(args.exit_signal & ~((u64)CSIGNAL)) || !valid_signal(args.exit_signal)"',
});

// ---- clone3_args_valid ------------------------------------------------------------------------

const RULE_UNKNOWN_FLAG = defineRule({
  id: 'clone3.unknown-flag',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: a flag bit this kernel does not know',
  source: 'kernel/fork.c clone3_args_valid: flags & ~(CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)',
});

const RULE_DETACHED = defineRule({
  id: 'clone3.detached',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: CLONE_DETACHED (and the old CSIGNAL bits) are refused by clone3',
  source: 'kernel/fork.c clone3_args_valid: flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME))',
});

const RULE_SIGHAND_CLEAR = defineRule({
  id: 'clone3.sighand-and-clear-sighand',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: CLONE_SIGHAND (share the handlers) with CLONE_CLEAR_SIGHAND (reset them)',
  source: 'kernel/fork.c clone3_args_valid',
});

const RULE_EXIT_SIGNAL_THREAD_PARENT = defineRule({
  id: 'clone3.exit-signal-with-thread-or-parent',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: an exit_signal with CLONE_THREAD or CLONE_PARENT (a thread signals no one; a CLONE_PARENT child takes the caller\'s own exit signal) — pass exit_signal 0',
  source: 'kernel/fork.c clone3_args_valid: "(kargs->flags & (CLONE_THREAD | CLONE_PARENT)) && kargs->exit_signal"; clone(2) does not say so for CLONE_PARENT',
});

// ---- copy_process ------------------------------------------------------------------------------

const RULE_NEWNS_FS = defineRule({
  id: 'clone3.newns-with-fs',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['mnt'],
  reason: 'clone3: CLONE_NEWNS with CLONE_FS (a root and cwd shared across mount namespaces)',
  source: 'kernel/fork.c copy_process',
});

const RULE_NEWUSER_FS = defineRule({
  id: 'clone3.newuser-with-fs',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['user'],
  reason: 'clone3: CLONE_NEWUSER with CLONE_FS',
  source: 'kernel/fork.c copy_process',
});

const RULE_THREAD_NEEDS_SIGHAND = defineRule({
  id: 'clone3.thread-needs-sighand',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: CLONE_THREAD without CLONE_SIGHAND (threads share signal handlers)',
  source: 'kernel/fork.c copy_process',
});

const RULE_SIGHAND_NEEDS_VM = defineRule({
  id: 'clone3.sighand-needs-vm',
  calls: ['clone3'],
  errno: 'EINVAL',
  reason: 'clone3: CLONE_SIGHAND without CLONE_VM (shared handlers need shared memory)',
  source: 'kernel/fork.c copy_process',
});

const RULE_PARENT_FROM_INIT = defineRule({
  id: 'clone3.parent-from-init',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'clone3: CLONE_PARENT from a pid namespace\'s init (its sibling would have a parent outside the namespace and no reaper)',
  source: 'kernel/fork.c copy_process: CLONE_PARENT && current->signal->flags & SIGNAL_UNKILLABLE',
});

const RULE_THREAD_NEW_USER_PID = defineRule({
  id: 'clone3.thread-with-new-user-or-pid',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['user', 'pid'],
  reason: 'clone3: CLONE_THREAD with CLONE_NEWUSER or CLONE_NEWPID (a thread cannot be in another user or pid namespace than its process)',
  source: 'kernel/fork.c copy_process',
});

const RULE_THREAD_PID_FOR_CHILDREN = defineRule({
  id: 'clone3.thread-pid-for-children-moved',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'clone3: CLONE_THREAD while the caller\'s pid_for_children is not its own pid namespace (after unshare(CLONE_NEWPID) or setns to a pid namespace the caller can only create processes, not threads)',
  source: 'kernel/fork.c copy_process: task_active_pid_ns(current) != nsp->pid_ns_for_children',
});

// ---- alloc_pid -----------------------------------------------------------------------------------

const RULE_SET_TID_DEEPER_THAN_LEVEL = defineRule({
  id: 'clone3.set-tid-more-than-levels',
  topic: 'set_tid',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'clone3: set_tid has more entries than the new process has pid namespace levels',
  source: 'kernel/pid.c alloc_pid: "if (set_tid_size > ns->level + 1) return ERR_PTR(-EINVAL)"',
  hintRank: 6,
});

const RULE_SET_TID_RANGE = defineRule({
  id: 'clone3.set-tid-out-of-range',
  topic: 'set_tid',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'clone3: a set_tid entry is below 1 or not below pid_max',
  source: 'kernel/pid.c alloc_pid: "if (tid < 1 || tid >= pid_max)"',
});

const RULE_SET_TID_NO_INIT = defineRule({
  id: 'clone3.set-tid-needs-init-first',
  topic: 'set_tid',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'clone3: a set_tid entry other than 1 for a pid namespace that has no init yet (a new namespace\'s first process must be pid 1)',
  source: 'kernel/pid.c alloc_pid: "if (tid != 1 && !tmp->child_reaper)"',
  hintRank: 5,
});

const RULE_SET_TID_NO_CAP = defineRule({
  id: 'clone3.set-tid-needs-cap',
  topic: 'set_tid',
  calls: ['clone3'],
  errno: 'EPERM',
  kinds: ['pid', 'user'],
  reason: 'clone3: set_tid for a pid namespace needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the user namespace that owns it',
  source: 'kernel/pid.c alloc_pid: checkpoint_restore_ns_capable(tmp->user_ns)',
});

const RULE_SET_TID_TAKEN = defineRule({
  id: 'clone3.set-tid-taken',
  topic: 'set_tid',
  calls: ['clone3'],
  errno: 'EEXIST',
  kinds: ['pid'],
  reason: 'clone3: the pid asked for in set_tid is already in use in that pid namespace (a zombie holds its pid until reaped)',
  source: 'kernel/pid.c alloc_pid: idr_alloc → -ENOSPC reported as -EEXIST',
});

const RULE_PID_NS_DEAD = defineRule({
  id: 'clone3.pid-namespace-dead',
  calls: ['clone3'],
  errno: 'ENOMEM',
  kinds: ['pid'],
  reason: 'clone3: the pid namespace the child would be born in (the caller\'s pid_for_children) has lost its init; no process can join it any more (the pid numbers it took are given back, but the pid cursors have moved)',
  source: 'kernel/pid.c alloc_pid: "if (!(ns->pid_allocated & PIDNS_ADDING)) goto out_unlock" with retval -ENOMEM; pid_namespaces(7)',
});

// ---- success -----------------------------------------------------------------------------------

const RULE_CREATED = defineRule({
  id: 'clone3.created-process',
  calls: ['clone3'],
  errno: null,
  reason: 'clone3: a new process in the caller\'s pid_for_children namespace; the result is its pid as the caller sees it',
  source: 'kernel/fork.c kernel_clone: pid_vnr(pid)',
});

const RULE_CREATED_INIT = defineRule({
  id: 'clone3.created-init',
  calls: ['clone3'],
  errno: null,
  kinds: ['pid'],
  reason: 'clone3: the first process of a pid namespace gets pid 1 there and becomes its init (child reaper, protected from signals it does not handle)',
  source: 'kernel/fork.c copy_process: is_child_reaper(pid) → ns->child_reaper, SIGNAL_UNKILLABLE',
});

const RULE_CREATED_THREAD = defineRule({
  id: 'clone3.created-thread',
  calls: ['clone3'],
  errno: null,
  reason: 'clone3: a new thread of the caller, with a thread id of its own at every pid namespace level; the result is its tid as the caller sees it',
  source: 'kernel/fork.c copy_process (CLONE_THREAD)',
});

/** The size in bytes for each CloneSize (the kernel driver's table). */
function sizeRules(size: CloneSize): void {
  check(size !== 'huge', RULE_SIZE_OVER_PAGE);
  check(size !== 'short', RULE_SIZE_UNDER_V0);
  check(size !== 'long-nonzero', RULE_NONZERO_TAIL);
}

/** The exit_signal the step passes (like fork: SIGCHLD, but 0 where clone3 forbids one). */
function stepExitSignal(step: Clone3Step): number {
  if (step.exitSignal !== undefined) return signalNumber(step.exitSignal);
  const flags = step.flags ?? [];
  return flags.includes('thread') || flags.includes('parent') ? 0 : SIGCHLD;
}

/** One pid namespace level the new task gets a number in, innermost first. */
interface Level {
  /** null: the new pid namespace this clone3 creates. */
  ns: NsId | null;
  /** Absolute level (the initial pid namespace is 0). */
  level: number;
  /** The host's levels: their numbers are unknown to the model. */
  opaque: boolean;
}

function levelsFor(world: World, caller: Process, newPid: boolean): Level[] {
  const levels: Level[] = [];
  const base = pidNs(world, caller.pidForChildren);
  if (newPid) levels.push({ ns: null, level: base.level + 1, opaque: false });
  for (let cur: NsId | null = base.id; cur !== null;) {
    const ns = pidNs(world, cur);
    levels.push({ ns: ns.id, level: ns.level, opaque: ns.opaque });
    cur = ns.parent;
  }
  // Levels above the host's namespace the model does not represent (a nested host).
  for (let level = pidNs(world, world.host.pid).level - 1; level >= 0; level--) levels.push({ ns: null, level, opaque: true });
  return levels;
}

/** alloc_pid()'s set_tid checks, level by level (innermost first), for the levels set_tid covers. */
function checkSetTid(world: World, caller: Process, levels: readonly Level[], setTid: readonly number[], newUser: boolean): void {
  const innermost = levels[0]!;
  check(setTid.length <= innermost.level + 1, RULE_SET_TID_DEEPER_THAN_LEVEL,
    `${setTid.length} entries for a process at pid namespace level ${innermost.level}`);
  setTid.forEach((tid, i) => {
    const level = levels[i]!;
    check(Number.isInteger(tid) && tid >= 1 && tid < PID_MAX, RULE_SET_TID_RANGE, `set_tid[${i}] = ${tid}`);
    if (level.ns === null && !level.opaque) {
      // The namespace this call creates: no init yet; its owner is the new user namespace (whose
      // creator has every capability in it) or the caller's own, where CAP_SYS_ADMIN was needed.
      check(tid === 1, RULE_SET_TID_NO_INIT, `set_tid[${i}] = ${tid} for the new pid namespace`);
      check(newUser || capableIn(world, caller.cred, caller.cred.userns), RULE_SET_TID_NO_CAP);
      return;
    }
    if (level.opaque) {
      check(capableIn(world, caller.cred, world.host.user), RULE_SET_TID_NO_CAP, `set_tid[${i}] is for the host's pid namespace`);
      return; // whether the host's number is free is unknown to the model
    }
    const ns = pidNs(world, level.ns!);
    check(tid === 1 || ns.init !== null, RULE_SET_TID_NO_INIT, `set_tid[${i}] = ${tid}`);
    check(ns.owner !== null && capableIn(world, caller.cred, ns.owner), RULE_SET_TID_NO_CAP, `set_tid[${i}] is for a pid namespace the caller has no capability over`);
    check(!ns.pids.has(tid), RULE_SET_TID_TAKEN, `pid ${tid} at level ${level.level}`);
  });
}

/** ENOMEM from a dead namespace: numbers were taken and given back; the cursors stay moved. */
function deadNamespace(world: World, levels: readonly Level[], setTid: readonly number[]): void {
  levels.forEach((level, i) => {
    if (level.ns === null || level.opaque || i < setTid.length) return;
    const ns = pidNs(world, level.ns);
    ns.cursor = nextFreePid(ns) + 1;
  });
}

function has(step: Clone3Step, flag: CloneFlag): boolean {
  return (step.flags ?? []).includes(flag);
}

export function clone3(world: World, step: Clone3Step): ReturnType<typeof success> {
  const caller = proc(world, step.proc);
  // The kernel driver names an unnamed child before the call, whatever becomes of it.
  const name: ProcName = step.child ?? anonymousName(world);
  const kinds: NamespaceType[] = [...new Set(step.namespaces ?? [])];
  const size = step.size ?? 'v2';
  // A v0 struct ends before set_tid: the kernel never sees it.
  const setTid = size === 'v0' ? [] : (step.setTid ?? []);
  const exitSignal = stepExitSignal(step);
  const thread = has(step, 'thread');

  // copy_clone_args_from_user
  sizeRules(size);
  check(setTid.length <= MAX_PID_NS_LEVEL, RULE_SET_TID_SIZE, `${setTid.length} entries`);
  check(isValidSignal(exitSignal), RULE_EXIT_SIGNAL, `exit_signal ${exitSignal}`);
  // clone3_args_valid
  check(!has(step, 'unknown-bit'), RULE_UNKNOWN_FLAG);
  check(!has(step, 'detached'), RULE_DETACHED);
  check(!(has(step, 'sighand') && has(step, 'clear_sighand')), RULE_SIGHAND_CLEAR);
  check(!((thread || has(step, 'parent')) && exitSignal !== 0), RULE_EXIT_SIGNAL_THREAD_PARENT, `exit_signal ${exitSignal}`);
  // copy_process
  check(!(kinds.includes('mnt') && has(step, 'fs')), RULE_NEWNS_FS);
  check(!(kinds.includes('user') && has(step, 'fs')), RULE_NEWUSER_FS);
  check(!(thread && !has(step, 'sighand')), RULE_THREAD_NEEDS_SIGHAND);
  check(!(has(step, 'sighand') && !has(step, 'vm')), RULE_SIGHAND_NEEDS_VM);
  check(!(has(step, 'parent') && pidNs(world, caller.ns.pid).init === caller.name), RULE_PARENT_FROM_INIT);
  if (thread) {
    check(!kinds.includes('user') && !kinds.includes('pid'), RULE_THREAD_NEW_USER_PID);
    check(caller.pidForChildren === caller.ns.pid, RULE_THREAD_PID_FOR_CHILDREN);
  }
  // copy_creds, copy_namespaces
  checkCreate(world, caller, kinds, 'clone3', step.flags ?? []);
  // alloc_pid
  const newPid = kinds.includes('pid');
  const levels = levelsFor(world, caller, newPid);
  try {
    checkSetTid(world, caller, levels, setTid, kinds.includes('user'));
    if (!newPid && pidNs(world, caller.pidForChildren).dead) {
      deadNamespace(world, levels, setTid);
      check(false, RULE_PID_NS_DEAD);
    }
  } catch (failure) {
    // alloc_pid runs after copy_namespaces, whose timens_on_fork already froze the offsets of the
    // caller's time_for_children (timens_commit): a clone3 that fails here still freezes them
    // (found by the random cross-check, seed 14).
    if (!has(step, 'vm') && !kinds.includes('time') && caller.timeForChildren !== caller.ns.time) {
      enterTimeNamespace(world, caller.timeForChildren);
    }
    throw failure;
  }

  if (thread) return createThread(world, caller, step, name, kinds, setTid);
  return createProcess(world, caller, step, name, kinds, exitSignal, setTid);
}

/**
 * The nsproxy of a new thread (copy_namespaces): the caller's, with the namespaces of `kinds` new
 * (owned by the caller's user namespace: a thread cannot create one). A thread shares the memory,
 * so it stays in the caller's active time namespace (no timens_on_fork); CLONE_NEWTIME only gives
 * it a time_for_children of its own. A copy: the process's later setns/unshare do not move it.
 */
function threadNamespaces(world: World, caller: Process, kinds: readonly NamespaceType[]): TaskNamespaces {
  const created = createNamespaces(world, caller, kinds);
  return {
    ns: { ...caller.ns, ...created.ns },
    pidForChildren: created.pidForChildren,
    timeForChildren: created.timeForChildren,
  };
}

function createThread(world: World, caller: Process, step: Clone3Step, name: ProcName, kinds: readonly NamespaceType[],
  setTid: readonly number[]): ReturnType<typeof success> {
  if (step.child !== undefined && (world.processes.has(name) || namedThread(world, name) !== undefined)) {
    throw new TypeError(`clone3: the scenario already has a task named ${JSON.stringify(name)}`);
  }
  const nsproxy = threadNamespaces(world, caller, kinds);
  const task = nextThreadId(world, caller);
  const pids = allocPids(world, caller.pidChain, task, setTid);
  if (pids === null) throw new Error('set_tid was checked but a number was taken');
  caller.threads.push({ task, pids, nsproxy, ...(has(step, 'fs') ? { fsGroup: caller.fsGroup } : {}) });
  if (step.child !== undefined) nameThread(world, name, task);
  // With CLONE_PIDFD the pidfd refers to the thread (PIDFD_THREAD is implied; 6.18 allows
  // CLONE_PIDFD | CLONE_THREAD, which clone(2) still calls EINVAL).
  if (has(step, 'pidfd') && step.pidfd !== undefined) caller.handles.set(step.pidfd, { type: 'pidfd', task });
  return success(RULE_CREATED_THREAD, pids[pids.length - 1]);
}

function createProcess(world: World, caller: Process, step: Clone3Step, name: ProcName, kinds: NamespaceType[],
  exitSignal: number, setTid: readonly number[]): ReturnType<typeof success> {
  // A name stands for one process for the whole scenario (pidfds and handles refer to it).
  if (world.processes.has(name) || namedThread(world, name) !== undefined) throw new TypeError(`clone3: the scenario already has a process named ${JSON.stringify(name)}`);
  const vm = has(step, 'vm');
  const created = createNamespaces(world, caller, kinds);
  const childNs = pidNs(world, created.pidForChildren);
  const fresh = childNs.pids.size === 0 && childNs.init === null;
  const chain = pidChainOf(world, created.pidForChildren);
  const pids = allocPids(world, chain, name, setTid);
  if (pids === null) throw new Error('set_tid was checked but a number was taken');
  // A fresh namespace's idr cursor is 0 until a number is allocated cyclically (ns_last_pid
  // then reads -1: checked on 6.18).
  if (fresh && setTid.length > 0) childNs.cursor = 0;
  const parentFlag = has(step, 'parent');
  const handled = has(step, 'sighand') ? caller.handled : has(step, 'clear_sighand') ? new Set<number>() : new Set(caller.handled);
  const time = vm ? caller.ns.time : created.timeForChildren;
  const child: Process = {
    name,
    state: 'running',
    parent: null,
    // CLONE_PARENT: the caller's parent's child, with the caller's own exit signal.
    exitSignal: parentFlag ? caller.exitSignal : exitSignal,
    exitStatus: null,
    ns: { ...created.ns, user: created.cred.userns, pid: created.pidForChildren, time },
    pidForChildren: created.pidForChildren,
    timeForChildren: created.timeForChildren,
    cred: { ...created.cred },
    pids,
    pidChain: chain,
    threads: [],
    // Names are unique and group keys are names (or '<name>~fs<n>'): its own fs_struct.
    fsGroup: has(step, 'fs') ? caller.fsGroup : name,
    // CLONE_FILES: one fd table for both (a close by either closes it for both); else a copy.
    handles: has(step, 'files') ? caller.handles : new Map<string, Handle>(caller.handles),
    handled,
    received: [],
    subreaper: false,
    sleeper: vm,
  };
  world.processes.set(name, child);
  attachChild(world, child, parentFlag ? caller.parent : caller.name);
  // timens_on_fork: a child that does not share the caller's memory enters its time_for_children.
  if (!vm && created.timeForChildren !== caller.ns.time) enterTimeNamespace(world, created.timeForChildren);
  if (world.nonDumpable?.has(caller.name)) world.nonDumpable.add(name);
  if (has(step, 'pidfd') && step.pidfd !== undefined) caller.handles.set(step.pidfd, { type: 'pidfd', task: name });
  // The child is in the caller's pid_for_children namespace or a new child of it: always visible.
  const pidInCaller = pids[chain.indexOf(caller.ns.pid)]!;
  if (pids[pids.length - 1] === 1) {
    childNs.init = name;
    return success(RULE_CREATED_INIT, pidInCaller);
  }
  return success(RULE_CREATED, pidInCaller);
}
