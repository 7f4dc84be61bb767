/**
 * The model: a world plus the operations. apply() runs one step and returns what the kernel would
 * (value or errno) with the rule that decided it and the reason in words.
 */
import { isAlive, proc } from './access.js';
import { createWorld } from './create-world.js';
import { descriptorOf } from '../ops/table.js';
import type { Step } from './steps.js';
import { checkStep, checkSteps } from './check-step.js';
import { ownData } from '../validate.js';
import { RuleFailure, fail, type ModelResult, type World, type WorldConfig } from './world.js';

/**
 * The kernel's namespace rules over one world: a fresh scenario world (see steps.ts) that each
 * apply() changes as the kernel would.
 */
export class Model {
  /** The model's state (processes, namespaces, fd tables), which every apply() reads and changes. */
  readonly world: World;

  constructor(config?: WorldConfig) {
    this.world = createWorld(config);
  }

  /**
   * Run one step: its result (value or errno) as the kernel would give it, with the rule that
   * decided it and the reason. A malformed step is a TypeError or RangeError naming the field.
   */
  apply(given: Step): ModelResult {
    // A snapshot of the step's own data: getters run once, before the checks, and nothing
    // inherited (Object.prototype pollution) is read as a field.
    const step = ownData(given, 'step');
    checkStep(step);
    if ('proc' in step) {
      const caller = proc(this.world, step.proc);
      // Not a kernel rule: a process that has exited, is stopped or only sleeps runs no steps.
      if (!isAlive(caller) || caller.state === 'stopped' || caller.sleeper) {
        return fail('ESRCH', 'scenario.caller-cannot-run', `${step.proc} cannot run a step: it is ${caller.sleeper ? 'a sleeping memory-sharing child' : caller.state}`);
      }
    }
    try {
      return descriptorOf(step).model(this.world, step);
    } catch (error) {
      if (error instanceof RuleFailure) return error.result;
      throw error;
    }
  }

  /** apply() each step in order (all are checked first); one result per step. */
  run(given: readonly Step[]): ModelResult[] {
    const steps = ownData(given, 'steps');
    checkSteps(steps);
    return steps.map((step) => this.apply(step));
  }
}

/** Run a scenario's steps on a fresh model. */
export function predict(steps: readonly Step[], config?: WorldConfig): ModelResult[] {
  return new Model(config).run(steps);
}
