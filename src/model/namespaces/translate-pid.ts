/**
 * Pid translation through a pid-namespace fd (fs/nsfs.c ns_ioctl, kernel 6.12+):
 * NS_GET_PID_IN_PIDNS takes a pid in the caller's view and gives that task's pid in the fd's
 * namespace; NS_GET_PID_FROM_PIDNS takes a pid numbered in the fd's namespace and gives it in the
 * caller's view. ESRCH when there is no such task or it has no number on the other side. Zombies
 * still have their numbers (until reaped).
 */
import { pidNs, proc } from '../access.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import type { TaskId } from '../world.js';
import { nsfsHandle } from './nsfs-ioctl.js';
import { targetNumber } from '../tasks/lookup.js';
import { taskPidIn } from './task-state.js';
import type { TranslatePidStep } from '../../ops/translate-pid.js';

const RULE_TRANSLATE_NOT_PID = defineRule({
  id: 'nsfs.translate-not-pid',
  calls: ['ioctl'],
  errno: 'EINVAL',
  reason: 'NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS: the fd is not a pid namespace',
  source: 'fs/nsfs.c ns_ioctl: "if (ns->ns_type != CLONE_NEWPID) return -EINVAL"',
});

const RULE_TRANSLATE_NO_TASK = defineRule({
  id: 'nsfs.translate-no-task',
  calls: ['ioctl'],
  errno: 'ESRCH',
  reason: 'pid translation: no task has that number in the namespace it is read in',
  source: 'fs/nsfs.c ns_ioctl: find_task_by_vpid / find_task_by_pid_ns return NULL',
});

const RULE_TRANSLATE_NOT_VISIBLE = defineRule({
  id: 'nsfs.translate-not-visible',
  calls: ['ioctl'],
  errno: 'ESRCH',
  reason: 'pid translation: the task has no number in the other pid namespace (it lives above or beside it)',
  source: 'fs/nsfs.c ns_ioctl: task_pid_nr_ns / task_pid_vnr return 0 → -ESRCH',
});

const RULE_TRANSLATE_OK = defineRule({
  id: 'nsfs.translate-ok',
  calls: ['ioctl'],
  errno: null,
  reason: 'pid translation: the task\'s number in the other pid namespace',
});

export const translatePid: OpFn<TranslatePidStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const ns = nsfsHandle(world, caller, step.fd);
  check(ns.kind === 'pid', RULE_TRANSLATE_NOT_PID, `the fd is a ${ns.kind} namespace`);
  const active = pidNs(world, caller.ns.pid);
  let task: TaskId | undefined;
  if (step.direction === 'in') {
    // A named target is passed as its pid in the caller's view (a number no task has when it
    // sees none), as the kernel driver does.
    task = active.pids.get(targetNumber(world, caller, step.target));
    check(task !== undefined, RULE_TRANSLATE_NO_TASK, 'in the caller\'s pid namespace');
    const nr = taskPidIn(world, task, ns.id);
    check(nr !== null, RULE_TRANSLATE_NOT_VISIBLE);
    return success(RULE_TRANSLATE_OK, nr);
  }
  task = ns.pids.get(step.pid);
  check(task !== undefined, RULE_TRANSLATE_NO_TASK, 'in the fd\'s pid namespace');
  const nr = taskPidIn(world, task, active.id);
  check(nr !== null, RULE_TRANSLATE_NOT_VISIBLE);
  return success(RULE_TRANSLATE_OK, nr);
};
