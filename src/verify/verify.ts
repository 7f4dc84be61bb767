/**
 * `nsbridge verify` without the printing: run the catalogue (optionally one area) and a number of
 * random sequences on the model and on this host's kernel, and report per rule area what agreed,
 * what diverged (with the minimal diverging steps) and what was skipped because probe() says the
 * host lacks a feature.
 */
import fc from 'fast-check';
import { probe, type FeatureName } from '../probe.js';
import type { Area, Scenario, Step } from '../model/steps.js';
import { CATALOGUE } from './catalogue/index.js';
import { compareScenario, crossCheck, kernelBackend, type KernelBackend, type ScenarioOutcome, type StepDiff } from './harness.js';
import { abstractSequence, asScenario, materialise } from './random.js';
import { requiredFeatures } from './requirements.js';

export interface VerifyOptions {
  /** Only this rule area ('random' = only the random sequences). */
  area?: Area;
  /** Random sequences to run (default 300; 0 = none). */
  sequences?: number;
  /** fast-check seed for the random sequences (default: a fresh one, reported). */
  seed?: number;
  onProgress?: (event: { done: number; total: number; label: string }) => void;
  kernel?: KernelBackend;
}

interface AreaReport {
  area: Area;
  run: number;
  agreed: number;
  diverged: ScenarioOutcome[];
  errors: ScenarioOutcome[];
  skipped: Array<{ name: string; reason: string }>;
}

interface RandomReport {
  seed: number;
  sequences: number;
  steps: number;
  /** The shrunk diverging sequence, as a scenario to save into the catalogue, and its diffs. */
  counterexample: { scenario: Scenario; diffs: StepDiff[] } | null;
  error: string | null;
  /** The command that repeats this run. */
  reproduce: string;
}

export interface VerifyReport {
  kernel: string;
  areas: AreaReport[];
  random: RandomReport | null;
  /** Everything that ran agreed. */
  ok: boolean;
  ms: number;
}

/** Why a scenario cannot run here, or null when it can. */
function skipReason(scenario: Scenario, features: Record<FeatureName, { supported: boolean; detail: string }>): string | null {
  const missing = requiredFeatures(scenario).filter((f) => !features[f].supported);
  return missing.length === 0 ? null : missing.map((f) => `${f}: ${features[f].detail}`).join('; ');
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const host = probe();
  const kernel = options.kernel ?? kernelBackend;
  const scenarios = options.area === 'random' ? [] : CATALOGUE.filter((s) => options.area === undefined || s.area === options.area);
  const sequences = options.area === undefined || options.area === 'random' ? (options.sequences ?? 300) : 0;
  const total = scenarios.length + sequences;
  let done = 0;
  const progress = (label: string): void => options.onProgress?.({ done: ++done, total, label });

  const areas = new Map<Area, AreaReport>();
  for (const scenario of scenarios) {
    const report = areas.get(scenario.area) ?? { area: scenario.area, run: 0, agreed: 0, diverged: [], errors: [], skipped: [] };
    areas.set(scenario.area, report);
    const reason = skipReason(scenario, host.features);
    if (reason !== null) {
      report.skipped.push({ name: scenario.name, reason });
    } else {
      const outcome = await compareScenario(scenario, { kernel });
      report.run++;
      if (outcome.status === 'agreed') report.agreed++;
      else if (outcome.status === 'diverged') report.diverged.push(outcome);
      else report.errors.push(outcome);
    }
    progress(scenario.name);
  }

  const random = sequences > 0 ? await runRandom(sequences, options.seed ?? Date.now() % 2 ** 31, kernel, progress) : null;
  const ok =
    [...areas.values()].every((a) => a.diverged.length === 0 && a.errors.length === 0) &&
    (random === null || (random.counterexample === null && random.error === null));
  return { kernel: host.kernel.release, areas: [...areas.values()], random, ok, ms: Math.round(performance.now() - started) };
}

/** Kernel runs allowed for shrinking a divergence (each is a full scenario on real processes). */
const SHRINK_BUDGET = 200;

async function runRandom(sequences: number, seed: number, kernel: KernelBackend, progress: (label: string) => void): Promise<RandomReport> {
  let steps = 0;
  let failures = 0;
  let lastError: string | null = null;
  const property = fc.asyncProperty(abstractSequence(), async (sequence) => {
    const concrete: Step[] = materialise(sequence);
    if (failures === 0) {
      steps += concrete.length;
      progress(`random sequence (${concrete.length} steps)`);
    } else if (failures > SHRINK_BUDGET) {
      return true; // stop shrinking: keep the smallest divergence found so far
    }
    try {
      const diffs = await crossCheck(concrete, { kernel });
      if (diffs.length > 0) failures++;
      return diffs.length === 0;
    } catch (error) {
      failures++;
      lastError = error instanceof Error ? error.message : String(error);
      return false;
    }
  });
  const details = await fc.check(property, { seed, numRuns: sequences, endOnFailure: false });
  const reproduce = `nsbridge verify --area random --seed ${seed} --sequences ${sequences}`;
  if (!details.failed) return { seed, sequences, steps, counterexample: null, error: null, reproduce };
  if (details.counterexample === null) return { seed, sequences, steps, counterexample: null, error: String(details.errorInstance), reproduce };
  const minimal = materialise(details.counterexample[0]);
  const diffs = await crossCheck(minimal, { kernel }).catch(() => []);
  return {
    seed,
    sequences,
    steps,
    counterexample: { scenario: asScenario(minimal, seed, details.numRuns), diffs },
    error: diffs.length === 0 ? lastError : null,
    reproduce,
  };
}
