/** The scenario op 'nsId'. */
import { nsId as model } from '../model/namespaces/open-ns.js';
import { name, nsEntry } from '../model/fields.js';
import type { NsEntry, ProcName } from '../model/steps.js';
import { ENTRIES, pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** readlink(/proc/<target>/ns/<entry>) by `proc`: result an NsRef. */
export interface NsIdStep {
  /** readlink(2) of a /proc/<pid>/ns entry. */
  op: 'nsId';
  /** The process that reads the link. */
  proc: ProcName;
  /** The process whose entry is read. Default: `proc` itself (/proc/self). */
  target?: ProcName;
  /** The entry of /proc/<target>/ns to read. */
  entry: NsEntry;
}

export const nsIdOp: OpDescriptor<NsIdStep> = {
  shape: [{ proc: name, entry: nsEntry }, { target: name }],
  model,
  kernel: {
    // readlink(2) of the entry (its errors), then the namespace's id (NS_GET_ID, else the inode).
    schema: { handler: 'NsId', args: ['path'], reply: ['id'] },
    encode: (step, k) => [`${k.procDir(step.target)}/ns/${step.entry}`],
    decode: ([id]) => ({ ns: String(id) }),
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'nsId', proc: r.proc, target: r.target, entry: pick(ENTRIES, r.c) }) },
};
