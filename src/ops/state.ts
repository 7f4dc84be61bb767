/** The scenario op 'state'. */
import { state as model } from '../model/tasks/pids.js';
import { name } from '../model/fields.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** The state of `target` as the host sees it: 'running' | 'stopped' | 'zombie' | 'gone'. */
export interface StateStep {
  /** Read the process's state from the host's /proc (no process of the scenario acts). */
  op: 'state';
  /** The process to look at. */
  target: ProcName;
}

export const stateOp: OpDescriptor<StateStep> = {
  shape: [{ target: name }],
  model,
  kernel: { local: (world, step) => world.stateOf(step.target) },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'state', target: r.target }) },
};
