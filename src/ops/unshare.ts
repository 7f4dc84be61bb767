/** The scenario op 'unshare'. */
import type { NamespaceType } from '../kinds.js';
import { unshare as model } from '../model/namespaces/unshare.js';
import { arrayOf, kinds, name, oneOf } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { bitsOf, nsMask } from './kernel-bits.js';
import { kindsFrom } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** unshare(2) of CLONE_NEW* kinds plus other unshare flags. */
export interface UnshareStep {
  /** unshare(2). */
  op: 'unshare';
  /** The process that makes the call. */
  proc: ProcName;
  /** The kinds to unshare (CLONE_NEW* flags); pid and time change only the *_for_children namespace. */
  namespaces: NamespaceType[];
  /** The other unshare flags: CLONE_FS, CLONE_FILES, CLONE_THREAD, CLONE_VM, CLONE_SIGHAND, CLONE_SYSVSEM. */
  flags?: Array<'fs' | 'files' | 'thread' | 'vm' | 'sighand' | 'sysvsem'>;
}

/** unshare(2)'s other flags, as bits. */
const UNSHARE_FLAGS = { vm: 0x100, fs: 0x200, files: 0x400, sighand: 0x800, thread: 0x10000, sysvsem: 0x40000 } as const;

export const unshareOp: OpDescriptor<UnshareStep> = {
  shape: [{ proc: name, namespaces: kinds }, { flags: arrayOf(oneOf(['fs', 'files', 'thread', 'vm', 'sighand', 'sysvsem'])) }],
  model,
  kernel: {
    schema: { handler: 'Unshare', args: ['mask'], reply: [] },
    encode: (step) => [bitsOf(UNSHARE_FLAGS, step.flags, 'unshare flag').reduce((mask: number, bit) => mask | bit, nsMask(step.namespaces))],
  },
  requires: NOTHING_MORE,
  random: { weight: 2, make: (r) => ({ op: 'unshare', proc: r.proc, namespaces: kindsFrom(r.bits) }) },
};
