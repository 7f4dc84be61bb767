/** The scenario op 'setuid'. */
import { setuid as model } from '../model/namespaces/setuid.js';
import { name, uid } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/**
 * setresgid(id) then setresuid(id) (ids as the caller sees them): drops capabilities unless 0.
 * `id` is a uid_t, -1 to 4294967295: -1 and 4294967295 are (uid_t)-1, which keeps every id.
 */
export interface SetuidStep {
  /** setresgid(2) then setresuid(2). */
  op: 'setuid';
  /** The process whose credentials change. */
  proc: ProcName;
  /** The uid and gid to set, as the caller's user namespace numbers them. */
  id: number;
}

export const setuidOp: OpDescriptor<SetuidStep> = {
  shape: [{ proc: name, id: uid }],
  model,
  kernel: {
    schema: { handler: 'SetIds', args: ['int'], reply: [] },
    encode: (step) => [step.id],
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'setuid', proc: r.proc, id: r.bits & 1 ? 0 : 65534 }) },
};
