/** The scenario op 'translatePid'. */
import { translatePid as model } from '../model/namespaces/translate-pid.js';
import { int32, name, oneOf, target } from '../model/fields.js';
import type { HandleName, ProcName, Target } from '../model/steps.js';
import type { OpDescriptor } from './descriptor.js';

/**
 * Pid translation through a pid-namespace handle `fd`: 'in' = NS_GET_PID_IN_PIDNS (the
 * target's pid in the caller's view → its pid in fd's namespace); 'from' = NS_GET_PID_FROM_PIDNS
 * (`pid` as numbered in fd's namespace → the caller's view). Result: a pid, or ESRCH.
 */
export type TranslatePidStep =
  | {
      /** The pid-translation ioctls of a pid-namespace fd. */
      op: 'translatePid';
      /** The process that makes the call. */
      proc: ProcName;
      /** The pid-namespace fd, by handle. */
      fd: HandleName;
      /** NS_GET_PID_IN_PIDNS: from the caller's numbering to fd's namespace. */
      direction: 'in';
      /** The process to translate, in the caller's view. */
      target: Target;
    }
  | {
      /** The pid-translation ioctls of a pid-namespace fd. */
      op: 'translatePid';
      /** The process that makes the call. */
      proc: ProcName;
      /** The pid-namespace fd, by handle. */
      fd: HandleName;
      /** NS_GET_PID_FROM_PIDNS: from fd's namespace's numbering to the caller's. */
      direction: 'from';
      /** The pid as fd's namespace numbers it (a 32-bit pid_t). */
      pid: number;
    };

export const translatePidOp: OpDescriptor<TranslatePidStep> = {
  shape: (step) => [{ proc: name, fd: name, direction: oneOf(['in', 'from']), ...(step.direction === 'from' ? { pid: int32 } : { target }) }],
  model,
  kernel: {
    // The pid is the ioctl's argument itself: NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS.
    schema: { handler: 'TranslatePid', args: ['fd', { enum: ['in', 'from'] }, 'int'], reply: ['int'] },
    encode: (step, k) => [k.handle(step.fd), step.direction, step.direction === 'in' ? k.pidFor(step.target) : step.pid],
    decode: ([pid]) => pid,
  },
  requires: () => ['pidTranslation'],
  random: {
    weight: 1,
    make(r) {
      if (r.handle === 'closed') return { op: 'getpid', proc: r.proc };
      return r.bits & 1
        ? { op: 'translatePid', proc: r.proc, fd: r.handle, direction: 'from', pid: 1 + (r.c % 4) }
        : { op: 'translatePid', proc: r.proc, fd: r.handle, direction: 'in', target: r.target };
    },
  },
};
