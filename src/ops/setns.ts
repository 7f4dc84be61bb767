/** The scenario op 'setns'. */
import type { NamespaceType } from '../kinds.js';
import { setns as model } from '../model/namespaces/setns.js';
import { kinds, name } from '../model/fields.js';
import type { HandleName, ProcName } from '../model/steps.js';
import { nsMask } from './kernel-bits.js';
import { kindsFrom } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/**
 * setns(2). `fd` is a handle, or 'closed' (an fd number that is not open: EBADF).
 * `namespaces` is the nstype: [] = 0 (any kind); for a pidfd, the mask of kinds to join.
 */
export interface SetnsStep {
  /** setns(2). */
  op: 'setns';
  /** The process that makes the call (only its calling task's namespaces change). */
  proc: ProcName;
  /** An nsfs fd or a pidfd, by handle, or 'closed'. */
  fd: HandleName;
  /** The nstype, as CLONE_NEW* kinds. */
  namespaces: NamespaceType[];
}

export const setnsOp: OpDescriptor<SetnsStep> = {
  shape: [{ proc: name, fd: name, namespaces: kinds }],
  model,
  kernel: {
    schema: { handler: 'Setns', args: ['fd', 'mask'], reply: [] },
    encode: (step, k) => [k.handle(step.fd), nsMask(step.namespaces)],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'setns', proc: r.proc, fd: r.handle, namespaces: r.bits & 0x1000 ? [] : kindsFrom(r.bits) }) },
};
