/** The signature every operation has: it reads the step, changes the world, returns the result. */
import type { Step, StepOp } from './steps.js';
import type { ModelResult, World } from './world.js';

export type OpFn<S extends Step = Step> = (world: World, step: S) => ModelResult;
export type OpTable = { [K in StepOp]?: OpFn<Extract<Step, { op: K }>> };
