/** The scenario op 'getpid'. */
import { getpid as model } from '../model/tasks/pids.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** getpid(2). Result: the caller's pid in its own pid namespace. */
export interface GetpidStep {
  /** getpid(2). */
  op: 'getpid';
  /** The process that asks. */
  proc: ProcName;
}

export const getpidOp: OpDescriptor<GetpidStep> = {
  shape: [{ proc: name }],
  model,
  kernel: {
    schema: { handler: 'Getpid', args: [], reply: ['int'] },
    encode: () => [],
    decode: ([pid]) => pid,
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'getpid', proc: r.proc }) },
};
