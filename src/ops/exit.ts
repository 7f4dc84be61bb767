/** The scenario op 'exit'. */
import { exit as model } from '../model/tasks/exit.js';
import { int32, name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** exit_group(code): all threads of `proc` exit. No result value. */
export interface ExitStep {
  /** exit_group(2). */
  op: 'exit';
  /** The process that exits. */
  proc: ProcName;
  /** The exit status; the parent sees its low 8 bits. */
  code: number;
}

export const exitOp: OpDescriptor<ExitStep> = {
  shape: [{ proc: name, code: int32 }],
  model,
  kernel: {
    // exit_group(2) never returns: the agent's death is the success.
    schema: { handler: 'Exit', args: ['int'], reply: [] },
    encode: (step) => [step.code],
    mayEndCaller: true,
  },
  requires: NOTHING_MORE,
  random: {
    weight: 1,
    // The world's init exiting ends the world; that is the init area's business, not random's.
    make: (r) => (r.proc === 'init' ? { op: 'getppid', proc: r.proc } : { op: 'exit', proc: r.proc, code: r.c % 4 }),
  },
};
