/** /proc/sys/kernel/ns_last_pid: the pid cursor of the caller's active pid namespace (kernel/pid_namespace.c pid_ns_ctl_handler). */
import { proc } from '../access.js';
import { capableIn } from '../creds.js';
import { PID_MAX } from '../pid-tree.js';
import { check, defineRule, success } from '../rules.js';
import type { ModelResult, World } from '../world.js';
import { activePidNs } from './lookup.js';
import type { ReadLastPidStep } from '../../ops/read-last-pid.js';
import type { WriteLastPidStep } from '../../ops/write-last-pid.js';

const RULE_LAST_PID_READ = defineRule({
  id: 'ns_last_pid.read',
  calls: ['ns_last_pid'],
  errno: null,
  kinds: ['pid'],
  reason: 'ns_last_pid: the last pid handed out in the caller\'s own pid namespace (the cursor − 1: the next pid is the lowest free one above it, not the lowest free one overall); -1 in a namespace whose only pids came from set_tid',
  source: 'kernel/pid_namespace.c pid_ns_ctl_handler: idr_get_cursor() - 1',
});

const RULE_LAST_PID_NO_CAP = defineRule({
  id: 'ns_last_pid.write-needs-cap',
  calls: ['ns_last_pid'],
  errno: 'EPERM',
  kinds: ['pid', 'user'],
  reason: 'ns_last_pid: writing needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the user namespace that owns the caller\'s pid namespace (the file itself is mode 0666)',
  source: 'kernel/pid_namespace.c pid_ns_ctl_handler: checkpoint_restore_ns_capable(pid_ns->user_ns)',
});

const RULE_LAST_PID_RANGE = defineRule({
  id: 'ns_last_pid.out-of-range',
  calls: ['ns_last_pid'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'ns_last_pid: the value is negative or above pid_max',
  source: 'kernel/pid_namespace.c pid_ns_ctl_handler: proc_dointvec_minmax with extra1 = 0, extra2 = pid_max',
});

const RULE_LAST_PID_WRITE = defineRule({
  id: 'ns_last_pid.write',
  calls: ['ns_last_pid'],
  errno: null,
  kinds: ['pid'],
  reason: 'ns_last_pid: the next process created in this pid namespace gets the lowest free pid above the value written',
  source: 'kernel/pid_namespace.c pid_ns_ctl_handler: idr_set_cursor(next + 1)',
});

export function readLastPid(world: World, step: ReadLastPidStep): ModelResult {
  const caller = proc(world, step.proc);
  return success(RULE_LAST_PID_READ, activePidNs(world, caller).cursor - 1);
}

export function writeLastPid(world: World, step: WriteLastPidStep): ModelResult {
  const caller = proc(world, step.proc);
  const ns = activePidNs(world, caller);
  check(ns.owner !== null && capableIn(world, caller.cred, ns.owner), RULE_LAST_PID_NO_CAP);
  if (!Number.isInteger(step.value)) throw new TypeError(`writeLastPid: ${step.value} is not an integer`);
  check(step.value >= 0 && step.value <= PID_MAX, RULE_LAST_PID_RANGE, `value ${step.value}`);
  ns.cursor = step.value + 1;
  return success(RULE_LAST_PID_WRITE);
}
