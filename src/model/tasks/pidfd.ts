/** pidfd_open(2), and the plain fd steps: close(2) and open("/dev/null"). */
import { proc } from '../access.js';
import { check, defineRule, success, violate } from '../rules.js';
import type { ModelResult, World } from '../world.js';
import { targetNumber, taskByNumber } from './lookup.js';
import type { CloseStep } from '../../ops/close.js';
import type { OpenNullStep } from '../../ops/open-null.js';
import type { PidfdOpenStep } from '../../ops/pidfd-open.js';

const RULE_PIDFD_OPEN_FLAGS = defineRule({
  id: 'pidfd_open.unknown-flag',
  calls: ['pidfd_open'],
  errno: 'EINVAL',
  reason: 'pidfd_open: a flag other than PIDFD_NONBLOCK and PIDFD_THREAD',
  source: 'kernel/pid.c pidfd_open: "if (flags & ~(PIDFD_NONBLOCK | PIDFD_THREAD)) return -EINVAL"',
});

const RULE_PIDFD_OPEN_BAD_PID = defineRule({
  id: 'pidfd_open.bad-pid',
  calls: ['pidfd_open'],
  errno: 'EINVAL',
  reason: 'pidfd_open: the pid is 0 or negative',
  source: 'kernel/pid.c pidfd_open: "if (pid <= 0) return -EINVAL"',
});

const RULE_PIDFD_OPEN_NO_PROCESS = defineRule({
  id: 'pidfd_open.no-such-process',
  calls: ['pidfd_open'],
  errno: 'ESRCH',
  kinds: ['pid'],
  reason: 'pidfd_open: no task has that pid in the caller\'s pid namespace (invisible, or already reaped — a zombie is fine)',
  source: 'kernel/pid.c pidfd_open: find_get_pid → NULL; pidfd_prepare: !pid_has_task(pid, PIDTYPE_PID)',
});

const RULE_PIDFD_OPEN_THREAD = defineRule({
  id: 'pidfd_open.thread-without-flag',
  calls: ['pidfd_open'],
  errno: 'ENOENT',
  reason: 'pidfd_open: the pid is a thread, not a process (thread-group leader); pass PIDFD_THREAD for a pidfd of the thread itself',
  source: 'kernel/pid.c pidfd_prepare: "!(flags & PIDFD_THREAD) && !pid_has_task(pid, PIDTYPE_TGID)" → -ENOENT on 6.18 (checked); pidfd_open(2) still says EINVAL',
});

const RULE_PIDFD_OPEN = defineRule({
  id: 'pidfd_open.opened',
  calls: ['pidfd_open'],
  errno: null,
  reason: 'pidfd_open: a pidfd for the process (or, with PIDFD_THREAD, the thread); it keeps referring to that task, never to a later one with the same number',
  source: 'kernel/pid.c pidfd_open → pidfd_create (the pidfd holds the struct pid, not the number)',
});

const RULE_CLOSE_BAD_FD = defineRule({
  id: 'close.bad-fd',
  calls: ['close'],
  errno: 'EBADF',
  reason: 'close: the fd is not open',
  source: 'fs/file.c close_fd: no file at that fd',
});

const RULE_CLOSE = defineRule({ id: 'close.closed', calls: ['close'], errno: null, reason: 'close: the fd is closed', source: 'fs/file.c close_fd' });

const RULE_OPEN_NULL = defineRule({ id: 'open.dev-null', calls: ['open'], errno: null, reason: 'open("/dev/null"): an fd that is neither a namespace nor a pidfd' });

export function pidfdOpen(world: World, step: PidfdOpenStep): ModelResult {
  const caller = proc(world, step.proc);
  const flags = step.flags ?? [];
  check(!flags.includes('unknown-bit'), RULE_PIDFD_OPEN_FLAGS);
  const nr = targetNumber(world, caller, step.target);
  check(nr > 0, RULE_PIDFD_OPEN_BAD_PID, `pid ${nr}`);
  const found = taskByNumber(world, caller.ns.pid, nr);
  if (found === null) return violate(RULE_PIDFD_OPEN_NO_PROCESS, `pid ${nr}`);
  check(found.leader || flags.includes('thread'), RULE_PIDFD_OPEN_THREAD, `pid ${nr}`);
  caller.handles.set(step.as, { type: 'pidfd', task: found.task, ...(flags.includes('nonblock') ? { nonblock: true } : {}) });
  return success(RULE_PIDFD_OPEN);
}

export function close(world: World, step: CloseStep): ModelResult {
  const caller = proc(world, step.proc);
  check(step.handle !== 'closed' && caller.handles.delete(step.handle), RULE_CLOSE_BAD_FD);
  return success(RULE_CLOSE);
}

export function openNull(world: World, step: OpenNullStep): ModelResult {
  proc(world, step.proc).handles.set(step.as, { type: 'null' });
  return success(RULE_OPEN_NULL);
}
