#!/usr/bin/env node
// The model's random cross-check with a large budget: random operation sequences run on the model
// and on this kernel, in rounds of --round sequences with seeds seed, seed+1, ... until the time
// budget or the sequence budget is spent. Any divergence stops the run with the shrunk sequence (a
// scenario ready for the catalogue) and the command that repeats it. Needs root, like verify.
//   npm run build:ts && npm run fuzz [-- --minutes 10 | --sequences 20000] [--seed N] [--round 1000] [--json]
import { parseArgs } from 'node:util';
import { probe } from '../dist/index.js';
import { verify } from '../dist/verify/verify.js';
import { formatResult } from '../dist/verify/canonical.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    sequences: { type: 'string' },
    seed: { type: 'string' },
    round: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});

function count(name, text, min) {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n) || n < min) {
    console.error(`fuzz: --${name} must be a number >= ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const minutes = values.minutes === undefined ? (values.sequences === undefined ? 10 : Infinity) : count('minutes', values.minutes, 0.01);
const budget = values.sequences === undefined ? Infinity : count('sequences', values.sequences, 1);
const round = Math.floor(count('round', values.round, 1));
const firstSeed = values.seed === undefined ? Date.now() % 2 ** 31 : Math.floor(count('seed', values.seed, 0));

if (!probe().privileged) {
  console.error('fuzz needs root: every sequence runs in a new pid and mount namespace (see nsbridge verify)');
  process.exit(1);
}

const log = values.json ? () => {} : (line) => console.log(line);
log(`fuzz: first seed ${firstSeed}, rounds of ${round} sequences, budget ${Number.isFinite(budget) ? `${budget} sequences` : `${minutes} min`}`);

const started = performance.now();
const deadline = started + minutes * 60_000;
const rounds = [];
let sequences = 0;
let steps = 0;
let failure = null;
for (let seed = firstSeed; sequences < budget && performance.now() < deadline; seed++) {
  const size = Math.min(round, budget - sequences);
  const report = await verify({ area: 'random', sequences: size, seed });
  const random = report.random;
  if (random === null) throw new Error(`fuzz: verify({ area: 'random' }) returned no random report (seed ${seed})`);
  sequences += random.sequences;
  steps += random.steps;
  rounds.push({ seed, sequences: random.sequences, steps: random.steps, ms: report.ms });
  log(`  seed ${seed}: ${random.sequences} sequences, ${random.steps} steps, ${(report.ms / 1000).toFixed(1)} s — ${report.ok ? 'agreed' : 'DIVERGED'}`);
  if (!report.ok) {
    failure = random;
    break;
  }
}

const seconds = (performance.now() - started) / 1000;
const summary = {
  firstSeed,
  rounds: rounds.length,
  sequences,
  steps,
  seconds: +seconds.toFixed(1),
  stepsPerSecond: Math.round(steps / seconds),
  divergences: failure === null ? 0 : 1,
  failure: failure === null ? null : { seed: failure.seed, reproduce: failure.reproduce, error: failure.error, counterexample: failure.counterexample },
};
if (values.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  log(`fuzz: ${sequences} sequences (${steps} steps) in ${summary.seconds} s, ${summary.stepsPerSecond} steps/s: ${failure === null ? 'model and kernel agreed on every step' : 'a divergence'}`);
  if (failure !== null) {
    if (failure.error !== null) log(`error: ${failure.error}`);
    for (const diff of failure.counterexample?.diffs ?? []) {
      log(`  step ${diff.index}: ${JSON.stringify(diff.step)}`);
      log(`    model:  ${formatResult(diff.model)}  [${diff.model.rule}] ${diff.model.reason}`);
      log(`    kernel: ${formatResult(diff.kernel)}`);
    }
    if (failure.counterexample !== null) log(`shrunk scenario (for src/verify/catalogue/):\n${JSON.stringify(failure.counterexample.scenario, null, 2)}`);
    log(`repeat: ${failure.reproduce}`);
  }
}
process.exitCode = failure === null ? 0 : 1;
