#!/usr/bin/env node
// How fast the model alone evaluates random steps (issue 4: 10,000 steps "well under a second").
//   npm run build:ts && npm run bench:model [-- --steps 10000 --runs 15 --seed 1 --json]
// The steps are the same random sequences `nsbridge verify` makes, materialised once; each run
// evaluates all of them on fresh models. Reports the median and the spread over the runs.
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { predict } from '../../dist/model/index.js';
import { abstractSequence, materialise } from '../../dist/verify/random.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '10000' }, runs: { type: 'string', default: '15' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean' } } });
const wanted = Number(values.steps);
const sequences = [];
let total = 0;
let seed = Number(values.seed);
while (total < wanted) {
  for (const abstract of fc.sample(abstractSequence(), { seed: seed++, numRuns: 100 })) {
    const steps = materialise(abstract);
    sequences.push(steps);
    total += steps.length;
    if (total >= wanted) break;
  }
}
const times = [];
for (let run = 0; run < Number(values.runs); run++) {
  const start = process.hrtime.bigint();
  for (const steps of sequences) predict(steps);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const result = { steps: total, sequences: sequences.length, runs: times.length, medianMs: +median.toFixed(2), minMs: +times[0].toFixed(2), maxMs: +times.at(-1).toFixed(2), perStepUs: +((median * 1000) / total).toFixed(2) };
if (values.json) console.log(JSON.stringify(result));
else console.log(`model: ${result.steps} random steps in ${result.sequences} sequences: median ${result.medianMs} ms (min ${result.minMs}, max ${result.maxMs}) over ${result.runs} runs = ${result.perStepUs} µs/step`);
