/** The scenario op 'readTimeOffsets'. */
import { readTimeOffsets as model } from '../model/namespaces/time-offsets.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { READ_FILE } from './file-commands.js';
import type { OpDescriptor } from './descriptor.js';

/** Result: {monotonic, boottime} seconds as the file shows them. */
export interface ReadTimeOffsetsStep {
  /** Read /proc/<pid>/timens_offsets. */
  op: 'readTimeOffsets';
  /** The process that reads. */
  proc: ProcName;
  /** The process whose time_for_children offsets are read. */
  target: ProcName;
}

export const readTimeOffsetsOp: OpDescriptor<ReadTimeOffsetsStep> = {
  shape: [{ proc: name, target: name }],
  model,
  kernel: {
    schema: READ_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/timens_offsets`],
    decode: ([content]) => {
      const offsets: Record<string, number> = { monotonic: 0, boottime: 0 };
      for (const line of String(content).split('\n')) {
        const [clock, seconds] = line.trim().split(/\s+/);
        if (clock !== undefined && clock in offsets) offsets[clock] = Number(seconds);
      }
      return offsets;
    },
  },
  requires: () => ['timeNamespaces'],
  random: { weight: 1, make: (r) => ({ op: 'readTimeOffsets', proc: r.proc, target: r.target }) },
};
