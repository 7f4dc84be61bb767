/** The scenario op 'wait'. */
import { wait as model } from '../model/tasks/wait.js';
import { name, target } from '../model/fields.js';
import type { HandleName, ProcName, Target, Value } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/**
 * waitid(WEXITED | WNOHANG): of `target` (P_PID), any child (P_ALL, target omitted) or a pidfd
 * handle (P_PIDFD). Result: {pid, code} / {pid, signal} for a reaped child, null when
 * no child has exited yet, or ECHILD.
 */
export interface WaitStep {
  /** waitid(2). */
  op: 'wait';
  /** The process that waits. */
  proc: ProcName;
  /** P_PID: the child to wait for. */
  target?: Target;
  /** P_PIDFD: a pidfd handle of the child to wait for. */
  fd?: HandleName;
}

export const waitOp: OpDescriptor<WaitStep> = {
  shape: [{ proc: name }, { target, fd: name }],
  model,
  kernel: {
    // waitid's idtype and id: P_ALL, P_PID with a pid, P_PIDFD with a handle. The reply's pid is
    // 0 (and its word 'none') when no child has exited yet.
    schema: { handler: 'Wait', args: [{ enum: ['all', 'pid', 'pidfd'] }, 'int', 'fd'], reply: ['int', 'word', 'int'] },
    encode: (step, k) => (step.fd !== undefined ? ['pidfd', 0, k.handle(step.fd)] : step.target !== undefined ? ['pid', k.pidFor(step.target), null] : ['all', 0, null]),
    decode: ([pid, how, status]): Value => {
      if (pid === 0) return null;
      return how === 'code' ? { pid: pid!, code: status! } : { pid: pid!, signal: status! };
    },
  },
  requires: NOTHING_MORE,
  random: {
    weight: 2,
    make(r) {
      if (r.bits & 1) return { op: 'wait', proc: r.proc };
      if (r.bits & 2 && r.handles.length > 0) return { op: 'wait', proc: r.proc, fd: r.handle };
      return { op: 'wait', proc: r.proc, target: r.target };
    },
  },
};
