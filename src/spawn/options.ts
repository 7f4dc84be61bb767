/**
 * spawn() options → NativeSpawnPlan, in two stages. First every check that needs no kernel state
 * (options/check.ts composing the option groups in options/): wrong types are TypeErrors,
 * impossible values and contradicting options RangeErrors, each naming the option; nothing is
 * opened yet. Then plan-builder.ts opens the fds the plan refers to and resolves the joins
 * against this process's own namespaces; if any of that fails, everything opened so far is closed
 * again before the error propagates. A kernel error of a setup step in either stage is a
 * PreparationFailure, which spawn() reports like a failure of that step in the child.
 */
import { isPlainObject } from '../validate.js';
import { PreparationFailure, StepFailure } from './preparation-failure.js';
import { checkOptions } from './options/check.js';
import { checkProgram } from './options/program.js';
import { pipeSlots } from './options/stdio.js';
import { buildPlan, type SpawnRequest } from './plan-builder.js';

export type { SpawnOptions } from './options/spawn-options.js';
export type { JoinOptions } from './options/namespaces.js';
export type { IdMapEntry } from './options/user.js';
export type { StdioSlotOption } from './options/stdio.js';
export type { Propagation } from './options/mounts.js';
export type { SpawnRequest } from './plan-builder.js';
export { PreparationFailure } from './preparation-failure.js';

/**
 * Validate spawn(file, args, options) — or spawn(file, options) — and turn it into the plan the
 * addon runs. The caller must call release() once the spawn is done (or abandoned).
 */
export function normalizeSpawn(file: unknown, args: unknown, options: unknown): SpawnRequest {
  if (options === undefined && isPlainObject(args)) {
    options = args;
    args = undefined;
  }
  const program = checkProgram(file, args);
  const checked = checkOptions(options, program.file);
  try {
    return buildPlan(program, checked);
  } catch (error) {
    throw error instanceof StepFailure ? new PreparationFailure(error, pipeSlots(checked.stdio)) : error;
  }
}
