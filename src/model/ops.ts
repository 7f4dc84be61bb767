/** The signature every operation's model side has: it reads the step, changes the world, returns the result. */
import type { Step } from './steps.js';
import type { ModelResult, World } from './world.js';

export type OpFn<S extends Step = Step> = (world: World, step: S) => ModelResult;
