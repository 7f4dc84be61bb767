/** What a process can read about pids: getpid, getppid, /proc/<pid>/status NSpid, and the host's view of a task's state. */
import { proc } from '../access.js';
import { pidIn } from '../pid-tree.js';
import { defineRule, success, violate } from '../rules.js';
import type { ModelResult, World } from '../world.js';
import { pidsOfFound, taskByName, tgidIn } from './lookup.js';
import type { GetpidStep } from '../../ops/getpid.js';
import type { GetppidStep } from '../../ops/getppid.js';
import type { NspidStep } from '../../ops/nspid.js';
import type { StateStep } from '../../ops/state.js';

const RULE_GETPID = defineRule({
  id: 'getpid.own-namespace',
  calls: ['getpid'],
  errno: null,
  kinds: ['pid'],
  reason: 'getpid: the caller\'s pid in its own (active) pid namespace — 1 for a namespace\'s init',
  source: 'kernel/sys.c getpid → task_tgid_vnr(current)',
});

const RULE_GETPPID = defineRule({
  id: 'getppid.parent-visible',
  calls: ['getppid'],
  errno: null,
  kinds: ['pid'],
  reason: 'getppid: the parent\'s pid in the caller\'s pid namespace (after reparenting: the subreaper or the namespace\'s init)',
  source: 'kernel/sys.c getppid → task_tgid_vnr(current->real_parent)',
});

const RULE_GETPPID_OUTSIDE = defineRule({
  id: 'getppid.parent-outside',
  calls: ['getppid'],
  errno: null,
  kinds: ['pid'],
  reason: 'getppid: 0 — the parent lives in an ancestor pid namespace, invisible from the caller\'s (a namespace\'s init, or a child of a process that did unshare(CLONE_NEWPID) or setns)',
  source: 'kernel/pid.c pid_nr_ns: 0 when the pid has no number in the namespace; pid_namespaces(7)',
});

const RULE_NSPID = defineRule({
  id: 'proc.nspid',
  calls: ['/proc/<pid>/status'],
  errno: null,
  kinds: ['pid'],
  reason: 'NSpid: the task\'s pid in every pid namespace from the one of the /proc mount (T) down to its own, outermost first',
  source: 'fs/proc/array.c task_state',
});

const RULE_NSPID_GONE = defineRule({
  id: 'proc.nspid-gone',
  calls: ['/proc/<pid>/status'],
  errno: 'ENOENT',
  kinds: ['pid'],
  reason: '/proc/<pid>: the task has been reaped (or the thread has exited); a zombie still has its entry',
  source: 'fs/proc/base.c proc_pid_lookup',
});

const RULE_STATE = defineRule({
  id: 'proc.state',
  calls: ['/proc/<pid>/stat'],
  errno: null,
  reason: 'the task\'s state as the host sees it: running (or sleeping — an init waiting for its namespace to empty shows so too), stopped, zombie, or gone (reaped)',
  source: 'fs/proc/array.c get_task_state',
});

export function getpid(world: World, step: GetpidStep): ModelResult {
  const caller = proc(world, step.proc);
  return success(RULE_GETPID, tgidIn(caller, caller.ns.pid));
}

export function getppid(world: World, step: GetppidStep): ModelResult {
  const caller = proc(world, step.proc);
  const nr = caller.parent === null ? null : pidIn(proc(world, caller.parent), caller.ns.pid);
  return nr === null ? success(RULE_GETPPID_OUTSIDE, 0) : success(RULE_GETPPID, nr);
}

export function nspid(world: World, step: NspidStep): ModelResult {
  const found = taskByName(world, step.target ?? step.proc);
  if (found === null) return violate(RULE_NSPID_GONE);
  return success(RULE_NSPID, [...pidsOfFound(found)]);
}

export function state(world: World, step: StateStep): ModelResult {
  const found = taskByName(world, step.target);
  if (found === null) return success(RULE_STATE, 'gone');
  const p = found.proc;
  const value = p.exiting === true ? 'running' : p.state === 'stopped' ? 'stopped' : p.state === 'zombie' ? 'zombie' : 'running';
  return success(RULE_STATE, value);
}
