/**
 * The cross-check: one scenario, two backends. The model predicts every step's result, the kernel
 * driver performs the same steps with real processes, and every step where the two differ is
 * reported with the model's rule and reason next to the kernel's answer.
 */
import { Model } from '../model/model.js';
import type { Scenario, Step, StepResult } from '../model/steps.js';
import type { ModelResult, WorldConfig } from '../model/world.js';
import { canonicalResults, sameResult } from './canonical.js';
import { hostClocks, hostWorldConfig } from './host-config.js';

let hostConfig: WorldConfig | undefined;
/**
 * The model's world placed where this process really is (the levels computed once), with the
 * host's clocks as they read now: taken just before the kernel runs the same steps.
 */
function worldConfig(given: WorldConfig | undefined): WorldConfig {
  return given ?? { ...(hostConfig ??= hostWorldConfig()), clocks: hostClocks() };
}

/** Runs steps on the real kernel (kernel-driver.ts), or a stand-in in the harness's own tests. */
export type KernelBackend = (steps: readonly Step[]) => Promise<StepResult[]>;

export interface StepDiff {
  index: number;
  step: Step;
  /** The model's result (namespace ids canonical), with its rule and reason. */
  model: ModelResult;
  /** The kernel's result (namespace ids canonical). */
  kernel: StepResult;
}

type OutcomeStatus = 'agreed' | 'diverged' | 'error' | 'skipped';

export interface ScenarioOutcome {
  name: string;
  area: string;
  description: string;
  status: OutcomeStatus;
  /** Why it was skipped, or the driver's error. */
  reason?: string;
  diffs: StepDiff[];
  /** For a divergence: the smallest sub-list of steps found that still diverges. */
  minimal?: Step[];
  ms: number;
}

export const kernelBackend: KernelBackend = async (steps) => {
  const { runOnKernel } = await import('./kernel-driver.js');
  return (await runOnKernel(steps)).results;
};

/** The model's results for `steps`, or the error it threw (a scenario naming unknown processes). */
export function modelResults(steps: readonly Step[], config?: WorldConfig): ModelResult[] {
  return new Model(config).run(steps);
}

/** Every step where the two result lists differ, after canonicalising namespace ids. */
export function diffResults(steps: readonly Step[], model: readonly ModelResult[], kernel: readonly StepResult[]): StepDiff[] {
  const m = canonicalResults(model);
  const k = canonicalResults(kernel);
  const diffs: StepDiff[] = [];
  steps.forEach((step, index) => {
    const mi = m[index];
    const ki = k[index] ?? { ok: false, errno: 'ENOSYS' };
    const raw = model[index];
    if (mi === undefined || raw === undefined) return;
    if (!sameResult(mi, ki)) diffs.push({ index, step, model: { ...mi, rule: raw.rule, reason: raw.reason }, kernel: ki });
  });
  return diffs;
}

/** Run `steps` on both sides: the diffs (empty = agreement). */
export async function crossCheck(steps: readonly Step[], options: { kernel?: KernelBackend; config?: WorldConfig } = {}): Promise<StepDiff[]> {
  const predicted = modelResults(steps, worldConfig(options.config));
  const observed = await (options.kernel ?? kernelBackend)(steps);
  return diffResults(steps, predicted, observed);
}

/**
 * Shrink a diverging step list: drop one step at a time (latest first, and everything after the
 * first divergence) while the rest still diverges and still makes sense to the model. At most
 * `budget` kernel runs.
 */
async function minimise(steps: readonly Step[], firstDiff: number, options: { kernel?: KernelBackend; config?: WorldConfig; budget?: number } = {}): Promise<Step[]> {
  let current = steps.slice(0, firstDiff + 1);
  let budget = options.budget ?? 40;
  for (let i = current.length - 2; i >= 0 && budget > 0; i--) {
    const candidate = current.filter((_, j) => j !== i);
    try {
      modelResults(candidate, worldConfig(options.config));
    } catch {
      continue; // the rest refers to something this step created
    }
    budget--;
    const diffs = await crossCheck(candidate, options).catch(() => []);
    if (diffs.length > 0) current = candidate.slice(0, (diffs[0]?.index ?? candidate.length - 1) + 1);
  }
  return current;
}

export async function compareScenario(scenario: Scenario, options: { kernel?: KernelBackend; config?: WorldConfig; minimise?: boolean } = {}): Promise<ScenarioOutcome> {
  const started = performance.now();
  const base = { name: scenario.name, area: scenario.area, description: scenario.description };
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  let diffs: StepDiff[];
  try {
    diffs = await crossCheck(scenario.steps, options);
  } catch (error) {
    return { ...base, status: 'error', reason: error instanceof Error ? error.message : String(error), diffs: [], ms: elapsed() };
  }
  if (diffs.length === 0) return { ...base, status: 'agreed', diffs, ms: elapsed() };
  const minimal = options.minimise === false ? undefined : await minimise(scenario.steps, diffs[0]!.index, options);
  return { ...base, status: 'diverged', diffs, ...(minimal === undefined ? {} : { minimal }), ms: elapsed() };
}
