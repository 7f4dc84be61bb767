#!/usr/bin/env node
// What reading the environment costs a spawn (issue 13: env omitted means process.env, read in
// JavaScript through Node's environment lock at every spawn, instead of the C environ).
//   npm run build:ts && npm run bench:spawn-env [-- --rounds 7 --per-round 100 --baseline <checkout>/dist --json]
// Contenders, interleaved round by round: spawn('/bin/true') with env omitted, and with env given
// as a plain copy of process.env (the same variables, no lock); with --baseline, the same two on
// another build loaded into this process too. Per contender: the median over rounds of the median
// time until spawn() returns (the part the environment is in) and until `exited` resolves, in µs,
// and the ratio to this build's env-given contender.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, 'per-round': { type: 'string', default: '100' }, baseline: { type: 'string' }, json: { type: 'boolean' } } });
const here = join(fileURLToPath(import.meta.url), '..', '..', '..', 'dist');
const builds = [['this build', here], ...(values.baseline === undefined ? [] : [['baseline', resolve(values.baseline)]])];
const loaded = [];
for (const [name, dist] of builds) loaded.push([name, (await import(pathToFileURL(join(dist, 'index.js')).href)).spawn]);

const copy = { ...process.env };
const contenders = loaded.flatMap(([build, spawn]) => [
  { name: `${build}, env omitted`, spawn, options: { stdio: 'ignore' }, returned: [], exited: [] },
  { name: `${build}, env given`, spawn, options: { stdio: 'ignore', env: copy }, returned: [], exited: [] },
]);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function round(c, n) {
  const returned = [], exited = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const child = c.spawn('/bin/true', [], c.options);
    const back = process.hrtime.bigint();
    await child.exited;
    child.process.close();
    returned.push(Number(back - start) / 1e3);
    exited.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return [median(returned), median(exited)];
}

for (const c of contenders) await round(c, 20); // warm-up
for (const c of contenders) Object.assign(c, { returned: [], exited: [] });
for (let r = 0; r < Number(values.rounds); r++) {
  for (const c of contenders) {
    const [returned, exited] = await round(c, Number(values['per-round']));
    c.returned.push(returned);
    c.exited.push(exited);
  }
}
const base = contenders[1];
const rows = contenders.map((c) => ({
  contender: c.name,
  returnedUs: +median(c.returned).toFixed(0),
  exitedUs: +median(c.exited).toFixed(0),
  ratio: +(median(c.exited) / median(base.exited)).toFixed(3),
}));
if (values.json) {
  console.log(JSON.stringify({ variables: Object.keys(copy).length, rows }));
} else {
  console.log(`spawn('/bin/true') with ${Object.keys(copy).length} environment variables, median of ${values.rounds} rounds of ${values['per-round']}; ratio to this build with env given`);
  console.log('| contender | spawn() returned | exited | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.contender} | ${r.returnedUs} µs | ${r.exitedUs} µs | ${r.ratio}× |`);
}
