/** fd lookups shared by the pidfd system calls: a handle the caller does not hold is a closed fd. */
import { defineRule, violate } from '../rules.js';
import type { Handle, Process } from '../world.js';

const RULE_PIDFD_BAD_FD = defineRule({
  id: 'pidfd.bad-fd',
  calls: ['pidfd_send_signal', 'waitid'],
  errno: 'EBADF',
  reason: 'the fd is not open',
  source: 'fdget() fails',
});

const RULE_PIDFD_NOT_PIDFD = defineRule({
  id: 'pidfd.not-a-pidfd',
  calls: ['pidfd_send_signal', 'waitid'],
  errno: 'EBADF',
  kinds: ['pid'],
  reason: 'the fd is open but is not a pidfd (a namespace fd or /dev/null)',
  source: 'kernel/pid.c pidfd_get_pid / pidfd_pid: ERR_PTR(-EBADF) for a file that is not a pidfd',
});

/** The pidfd behind handle `fd` of `caller`, or EBADF. */
export function pidfdHandle(caller: Process, fd: string | undefined, syscall: string): Handle {
  const handle = fd === undefined || fd === 'closed' ? undefined : caller.handles.get(fd);
  if (handle === undefined) return violate(RULE_PIDFD_BAD_FD, `${syscall}: handle ${JSON.stringify(fd)} is not open`);
  if (handle.type !== 'pidfd' || handle.task === undefined) return violate(RULE_PIDFD_NOT_PIDFD, `${syscall}: a ${handle.type} fd`);
  return handle;
}
