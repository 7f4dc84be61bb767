/** The scenario op 'readMap'. */
import { readMap as model } from '../model/namespaces/id-maps.js';
import { name, oneOf } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { READ_FILE } from './file-commands.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** Result: the map's lines as `proc` reads them (ids relative to the reader's user namespace). */
export interface ReadMapStep {
  /** Read a uid_map or gid_map. */
  op: 'readMap';
  /** The process that reads it. */
  proc: ProcName;
  /** The process whose user namespace's map is read. */
  target: ProcName;
  /** Which map. */
  map: 'uid_map' | 'gid_map';
}

export const readMapOp: OpDescriptor<ReadMapStep> = {
  shape: [{ proc: name, target: name, map: oneOf(['uid_map', 'gid_map']) }],
  model,
  kernel: {
    schema: READ_FILE,
    encode: (step, k) => [`${k.procDir(step.target)}/${step.map}`],
    decode: ([content]) =>
      String(content)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.trim().split(/\s+/).map(Number)),
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'readMap', proc: r.proc, target: r.target, map: r.bits & 1 ? 'gid_map' : 'uid_map' }) },
};
