/** The scenario op 'writeMap'. */
import { writeMap as model } from '../model/namespaces/id-maps.js';
import { arrayOf, mapLine, name, oneOf } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { WRITE_FILE } from './file-commands.js';
import { pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Write /proc/<target>/{uid_map,gid_map}: lines of [inside, outside, count] (each 0 to 4294967295), in one write(2). */
export interface WriteMapStep {
  /** Write a uid_map or gid_map. */
  op: 'writeMap';
  /** The process that writes (its user namespace and capabilities decide what it may map). */
  proc: ProcName;
  /** The process whose user namespace's map is written. */
  target: ProcName;
  /** Which map. */
  map: 'uid_map' | 'gid_map';
  /** The lines, each [inside, outside, count]: `count` ids from `inside` in the target's user namespace map to `outside` in its parent. */
  lines: Array<[number, number, number]>;
}

export const writeMapOp: OpDescriptor<WriteMapStep> = {
  shape: [{ proc: name, target: name, map: oneOf(['uid_map', 'gid_map']), lines: arrayOf(mapLine) }],
  model,
  kernel: {
    schema: WRITE_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/${step.map}`, step.lines.map((line) => `${line.join(' ')}\n`).join('')],
  },
  requires: NOTHING_MORE,
  random: {
    weight: 1,
    make(r) {
      const lines: Array<[number, number, number]> = pick([[[0, 0, 1]], [[0, 65534, 1]], [[0, 0, 65536]], [[0, 1000, 1], [1, 0, 1]], [[0, 0, 1], [0, 1, 1]]], r.c);
      return { op: 'writeMap', proc: r.proc, target: r.target, map: r.bits & 1 ? 'gid_map' : 'uid_map', lines };
    },
  },
};
