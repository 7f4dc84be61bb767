/** The scenario op 'pidfdOpen'. */
import { pidfdOpen as model } from '../model/tasks/pidfd.js';
import { arrayOf, name, oneOf, target } from '../model/fields.js';
import type { HandleName, ProcName, Target } from '../model/steps.js';
import { bitsOf } from './kernel-bits.js';
import type { OpDescriptor } from './descriptor.js';

/** pidfd_open(2) of `target` into handle `as`. */
export interface PidfdOpenStep {
  /** pidfd_open(2). */
  op: 'pidfdOpen';
  /** The process that makes the call. */
  proc: ProcName;
  /** The handle the new pidfd becomes. */
  as: HandleName;
  /** The process (with 'thread': the thread) the pidfd is to refer to. */
  target: Target;
  /** PIDFD_NONBLOCK, PIDFD_THREAD, or 'unknown-bit' (a flag pidfd_open does not know: EINVAL). */
  flags?: Array<'nonblock' | 'thread' | 'unknown-bit'>;
}

/** pidfd_open(2)'s flags, as bits. */
const PIDFD_OPEN_FLAGS = { nonblock: 0x800 /* O_NONBLOCK */, thread: 0x80 /* PIDFD_THREAD */, 'unknown-bit': 0x4000_0000 } as const;

export const pidfdOpenOp: OpDescriptor<PidfdOpenStep> = {
  shape: [{ proc: name, as: name, target }, { flags: arrayOf(oneOf(['nonblock', 'thread', 'unknown-bit'])) }],
  model,
  kernel: {
    schema: { handler: 'PidfdOpen', args: ['fd', 'int', 'mask'], reply: [] },
    encode: (step, k) => [k.handle(step.as), k.pidFor(step.target), bitsOf(PIDFD_OPEN_FLAGS, step.flags, 'pidfd_open flag').reduce((mask: number, bit) => mask | bit, 0)],
  },
  requires: () => ['pidfd'],
  random: { weight: 1, make: (r) => ({ op: 'pidfdOpen', proc: r.proc, as: r.newHandle, target: r.target, ...(r.bits & 1 ? { flags: ['nonblock' as const] } : {}) }) },
};
