/** The scenario op 'getppid'. */
import { getppid as model } from '../model/tasks/pids.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** getppid(2). Result: the parent's pid in the caller's pid namespace; 0 when the parent is outside it. */
export interface GetppidStep {
  /** getppid(2). */
  op: 'getppid';
  /** The process that asks. */
  proc: ProcName;
}

export const getppidOp: OpDescriptor<GetppidStep> = {
  shape: [{ proc: name }],
  model,
  kernel: {
    schema: { handler: 'Getppid', args: [], reply: ['int'] },
    encode: () => [],
    decode: ([pid]) => pid,
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'getppid', proc: r.proc }) },
};
