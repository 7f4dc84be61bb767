/** The scenario op 'signals'. */
import { signals as model } from '../model/tasks/signals.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Result: the signals handled since the last 'signals' step, in order: [{signal, fromPid}]. */
export interface SignalsStep {
  /** Read (and clear) the handler's record. */
  op: 'signals';
  /** The process whose handled signals are read. */
  proc: ProcName;
}

export const signalsOp: OpDescriptor<SignalsStep> = {
  shape: [{ proc: name }],
  model,
  kernel: {
    // One word per handled signal: <signo>:<sender's pid as the receiver sees it>.
    schema: { handler: 'Signals', args: [], reply: { rest: 'word' } },
    encode: () => [],
    decode: (records) =>
      records.map((record) => {
        const [signal, fromPid] = String(record).split(':').map(Number);
        return { signal: signal!, fromPid: fromPid! };
      }),
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'signals', proc: r.proc }) },
};
