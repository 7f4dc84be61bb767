/** The scenario op 'openNs'. */
import { openNs as model } from '../model/namespaces/open-ns.js';
import { name, nsEntry } from '../model/fields.js';
import type { HandleName, NsEntry, ProcName } from '../model/steps.js';
import { OPEN_FILE } from './file-commands.js';
import { ENTRIES, pick } from './random-picks.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** open(/proc/<target>/ns/<entry>) into handle `as`. */
export interface OpenNsStep {
  /** open(2) of a /proc/<pid>/ns entry. */
  op: 'openNs';
  /** The process that opens it (its /proc view and ptrace access decide). */
  proc: ProcName;
  /** The handle the new fd becomes. */
  as: HandleName;
  /** The process whose namespace is opened. */
  target: ProcName;
  /** The entry of /proc/<target>/ns to open. */
  entry: NsEntry;
}

export const openNsOp: OpDescriptor<OpenNsStep> = {
  shape: [{ proc: name, as: name, target: name, entry: nsEntry }],
  model,
  kernel: {
    schema: OPEN_FILE,
    encode: (step, k) => [k.handle(step.as), `${k.procDir(step.target)}/ns/${step.entry}`],
  },
  requires: NOTHING_MORE,
  random: { weight: 2, make: (r) => ({ op: 'openNs', proc: r.proc, as: r.newHandle, target: r.target, entry: pick(ENTRIES, r.c) }) },
};
