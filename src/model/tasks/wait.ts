/**
 * waitid(WEXITED | WNOHANG) with P_PID, P_ALL or P_PIDFD (kernel/exit.c kernel_waitid / do_wait).
 * Only the caller's own children can be waited for, and — without __WALL or __WCLONE, which the
 * step does not pass — only those whose exit signal is SIGCHLD.
 */
import { proc, processOfTask } from '../access.js';
import { pidIn } from '../pid-tree.js';
import { check, defineRule, success } from '../rules.js';
import type { ModelResult, Process, World } from '../world.js';
import { firstWaitableZombie, hasChildren, waitableChildren } from './family.js';
import { pidfdHandle } from './handles.js';
import { reap } from './lifecycle.js';
import { targetNumber, taskByNumber } from './lookup.js';
import { SIGCHLD } from './signal-table.js';
import type { WaitStep } from '../../ops/wait.js';

const RULE_WAIT_INVALID_PID = defineRule({
  id: 'waitid.invalid-pid',
  calls: ['waitid'],
  errno: 'EINVAL',
  reason: 'waitid(P_PID): the pid is 0 or negative',
  source: 'kernel/exit.c kernel_waitid: "if (upid <= 0) return -EINVAL"',
});

const RULE_WAIT_NO_CHILD = defineRule({
  id: 'waitid.no-child',
  calls: ['waitid'],
  errno: 'ECHILD',
  kinds: ['pid'],
  reason: 'waitid: no such child of the caller (not its child — an orphan belongs to its new reaper —, already reaped, a thread rather than a process, or not visible in the caller\'s pid namespace)',
  source: 'kernel/exit.c do_wait: no eligible task → -ECHILD',
});

const RULE_WAIT_CLONE_CHILD = defineRule({
  id: 'waitid.clone-child',
  calls: ['waitid'],
  errno: 'ECHILD',
  reason: 'waitid: the child\'s exit signal is not SIGCHLD (a clone3 exit_signal such as SIGUSR1, or 0): without __WALL or __WCLONE such a "clone child" is not waited for',
  source: 'kernel/exit.c eligible_child: "(p->exit_signal != SIGCHLD) ^ !!(wo->wo_flags & __WCLONE)"; reparenting resets the exit signal to SIGCHLD',
});

const RULE_WAIT_NONE_EXITED = defineRule({
  id: 'waitid.none-exited',
  calls: ['waitid'],
  errno: null,
  reason: 'waitid(WNOHANG): the child has not exited yet (running, stopped, or an init still waiting for its namespace to empty): result null',
  source: 'kernel/exit.c do_wait with WNOHANG: returns 0 with si_pid 0',
});

const RULE_WAIT_REAPED = defineRule({
  id: 'waitid.reaped',
  calls: ['waitid'],
  errno: null,
  reason: 'waitid: the child was a zombie and is now reaped: its pid (in the caller\'s view) and exit code or killing signal; its pid numbers are free again',
  source: 'kernel/exit.c wait_task_zombie → release_task',
});


/** P_PID / P_PIDFD: the one task the wait considers, before the child / exit-signal checks. */
function candidate(world: World, caller: Process, step: WaitStep): Process | null {
  if (step.fd !== undefined) {
    const handle = pidfdHandle(caller, step.fd, 'waitid');
    const task = handle.task!;
    const p = proc(world, processOfTask(task));
    // do_wait_pid: pid_task(pid, PIDTYPE_TGID) — a process (not an extra thread) not yet reaped.
    return task === p.name && p.state !== 'reaped' ? p : null;
  }
  const nr = targetNumber(world, caller, step.target!);
  check(nr > 0, RULE_WAIT_INVALID_PID, `pid ${nr}`);
  const found = taskByNumber(world, caller.ns.pid, nr);
  return found !== null && found.leader ? found.proc : null;
}

/**
 * The zombie the wait reaps (null: none has exited yet). P_ALL asks the family index, which
 * keeps per parent the count of SIGCHLD children and its zombies in list order, so a wait
 * costs O(log children) rather than a walk over them.
 */
function zombieToReap(world: World, caller: Process, step: WaitStep): Process | null {
  if (step.fd === undefined && step.target === undefined) {
    check(hasChildren(world, caller.name), RULE_WAIT_NO_CHILD);
    check(waitableChildren(world, caller.name) > 0, RULE_WAIT_CLONE_CHILD);
    return firstWaitableZombie(world, caller);
  }
  const child = candidate(world, caller, step);
  check(child !== null && child.parent === caller.name, RULE_WAIT_NO_CHILD);
  check(child.exitSignal === SIGCHLD, RULE_WAIT_CLONE_CHILD);
  return child.state === 'zombie' ? child : null;
}

export function wait(world: World, step: WaitStep): ModelResult {
  const caller = proc(world, step.proc);
  const zombie = zombieToReap(world, caller, step);
  if (zombie === null) return success(RULE_WAIT_NONE_EXITED, null);
  const pid = pidIn(zombie, caller.ns.pid) ?? 0;
  const status = zombie.exitStatus ?? { code: 0 };
  reap(world, zombie);
  return success(RULE_WAIT_REAPED, 'code' in status ? { pid, code: status.code } : { pid, signal: status.signal });
}
