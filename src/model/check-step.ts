/**
 * Shape checks for scenario steps, world configs and failure contexts, done before the model
 * reads them: a malformed step is a TypeError (wrong type, unknown op or key) or RangeError
 * (a number that is not an integer, or outside its C type) naming the op and the field — never an
 * internal crash.
 *
 * The fields and their C-type ranges are in fields.ts, each op's shape in its descriptor (src/ops/).
 */
import { OPS } from '../ops/table.js';
import { checkInteger, describe } from '../validate.js';
import { checkFields, fail, finite, objectWith, type Field } from './fields.js';
import type { Step } from './steps.js';
import type { WorldConfig } from './world.js';

/** Throws a TypeError / RangeError naming the field unless `step` is a well-formed Step. */
export function checkStep(step: unknown, at = 'step'): asserts step is Step {
  if (typeof step !== 'object' || step === null || Array.isArray(step)) fail(at, 'a step object', step);
  const { op } = step as { op?: unknown };
  if (typeof op !== 'string' || !Object.hasOwn(OPS, op)) fail(`${at}.op`, `one of ${Object.keys(OPS).join(', ')}`, op);
  const { shape } = OPS[op as Step['op']];
  const [required, optional = {}] = typeof shape === 'function' ? shape(step as Record<string, unknown>) : shape;
  checkFields(step as Record<string, unknown>, required, optional, `${op} ${at}`);
}

/** A scenario's steps: an array of well-formed steps. */
export function checkSteps(steps: unknown): asserts steps is Step[] {
  if (!Array.isArray(steps)) fail('steps', 'an array of steps', steps);
  steps.forEach((step, i) => checkStep(step, `steps[${i}]`));
}

/**
 * Levels of the host's pid and user namespaces: 0 (initial) to 32 (the kernel's nesting limit);
 * optionally the host's clocks (seconds, finite, not negative).
 */
export function checkWorldConfig(config: unknown): asserts config is WorldConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) fail('config', 'an object', config);
  const { hostPidLevel, hostUserLevel, clocks, ...rest } = config as Record<string, unknown>;
  for (const key of Object.keys(rest)) throw new TypeError(`Unknown key ${describe(key)} in config: expected hostPidLevel, hostUserLevel, clocks`);
  checkInteger(hostPidLevel, 'config.hostPidLevel', 0, 32);
  checkInteger(hostUserLevel, 'config.hostUserLevel', 0, 32);
  const clock: Field = (value, at) => {
    finite(value, at);
    if ((value as number) < 0) fail(at, 'a clock reading in seconds (not negative)', value, true);
  };
  if (clocks !== undefined) objectWith({ monotonic: clock, boottime: clock })(clocks, 'config.clocks');
}
