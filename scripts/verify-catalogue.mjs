#!/usr/bin/env node
// Developer tool: run catalogue scenarios on the model and the kernel and print every divergence.
//   npm run build:ts && node scripts/verify-catalogue.mjs [--area A] [--name substring] [--model-only]
// (`nsbridge verify` is the user-facing command; this one prints each step's two results in full.)
import { parseArgs } from 'node:util';
import { CATALOGUE } from '../dist/verify/catalogue/index.js';
import { compareScenario, modelResults } from '../dist/verify/harness.js';
import { formatResult } from '../dist/verify/canonical.js';

const { values } = parseArgs({ options: { area: { type: 'string' }, name: { type: 'string' }, 'model-only': { type: 'boolean' } } });
const chosen = CATALOGUE.filter((s) => (!values.area || s.area === values.area) && (!values.name || s.name.includes(values.name)));
let bad = 0;
for (const scenario of chosen) {
  if (values['model-only']) {
    try {
      const results = modelResults(scenario.steps);
      console.log(`${scenario.name}: ${results.map((r) => formatResult(r)).join(' | ')}`);
    } catch (error) {
      bad++;
      console.log(`${scenario.name}: MODEL ERROR ${/** @type {Error} */ (error).message}`);
    }
    continue;
  }
  const outcome = await compareScenario(scenario, { minimise: false });
  if (outcome.status === 'agreed') {
    console.log(`ok   ${scenario.name} (${outcome.ms} ms)`);
    continue;
  }
  bad++;
  console.log(`FAIL ${scenario.name}: ${outcome.status}${outcome.reason ? ` — ${outcome.reason}` : ''}`);
  for (const d of outcome.diffs) {
    console.log(`  step ${d.index} ${JSON.stringify(d.step)}`);
    console.log(`    model:  ${formatResult(d.model)}  [${d.model.rule}] ${d.model.reason}`);
    console.log(`    kernel: ${formatResult(d.kernel)}`);
  }
}
console.log(`${chosen.length - bad}/${chosen.length} agreed`);
process.exitCode = bad === 0 ? 0 : 1;
