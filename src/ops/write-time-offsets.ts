/** The scenario op 'writeTimeOffsets'. */
import { writeTimeOffsets as model } from '../model/namespaces/time-offsets.js';
import { arrayOf, name, objectWith, oneOf, seconds } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { WRITE_FILE } from './file-commands.js';
import { pick } from './random-picks.js';
import type { OpDescriptor } from './descriptor.js';

/**
 * Write /proc/<target>/timens_offsets (the offsets of its time_for_children namespace); seconds
 * within ±(2^53 - 1), a fraction is written as is (EINVAL).
 */
export interface WriteTimeOffsetsStep {
  /** Write /proc/<pid>/timens_offsets. */
  op: 'writeTimeOffsets';
  /** The process that writes. */
  proc: ProcName;
  /** The process whose time_for_children namespace gets the offsets. */
  target: ProcName;
  /** One line per entry, in one write(2). */
  offsets: Array<{
    /** The clock the line sets. */
    clock: 'monotonic' | 'boottime';
    /** Its offset in seconds (the nanoseconds written are 0). */
    seconds: number;
  }>;
}

export const writeTimeOffsetsOp: OpDescriptor<WriteTimeOffsetsStep> = {
  shape: [{ proc: name, target: name, offsets: arrayOf(objectWith({ clock: oneOf(['monotonic', 'boottime']), seconds })) }],
  model,
  kernel: {
    schema: WRITE_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/timens_offsets`, step.offsets.map((o) => `${o.clock} ${o.seconds} 0\n`).join('')],
  },
  requires: () => ['timeNamespaces'],
  random: { weight: 1, make: (r) => ({ op: 'writeTimeOffsets', proc: r.proc, target: r.target, offsets: [{ clock: r.bits & 1 ? 'boottime' : 'monotonic', seconds: pick([100, -5, 3600, 0], r.c) }] }) },
};
