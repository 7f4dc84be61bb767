#!/usr/bin/env node
// How a model wait scales with the caller's children (issue 13: waitid(P_ALL) walked them all,
// 15.8 ms per call at 32,000 children).
//   npm run build:ts && npm run bench:model-wait [-- --sizes 1000,8000,32000 --rounds 15 --per-round 200 --json]
//   node scripts/bench/model-wait.mjs --dist <other checkout>/dist   (the same run on another build)
// One model per size: root with N running children. Each round, interleaving the sizes: `per-round`
// waits that find no child exited (WNOHANG: null), then `per-round` times a new child that exits
// and the wait that reaps it (the child count stays N). Only the wait calls are timed. Reports, per
// size, the median over rounds of the mean µs per wait, and its ratio to the smallest size: a flat
// wait stays near 1.0×.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,8000,32000' }, rounds: { type: 'string', default: '15' }, 'per-round': { type: 'string', default: '200' }, dist: { type: 'string' }, json: { type: 'boolean' } } });
const dist = values.dist !== undefined ? resolve(values.dist) : join(fileURLToPath(import.meta.url), '..', '..', '..', 'dist');
const { Model } = await import(pathToFileURL(join(dist, 'model', 'index.js')).href);
const sizes = values.sizes.split(',').map(Number);
const rounds = Number(values.rounds);
const perRound = Number(values['per-round']);

function expectOk(result, what) {
  if (!result.ok) throw new Error(`${what}: ${result.errno} ${result.rule}`);
  return result;
}

const contenders = sizes.map((size) => {
  const model = new Model();
  for (let i = 0; i < size; i++) expectOk(model.apply({ op: 'clone3', proc: 'root', child: `c${i}` }), 'clone3');
  return { size, model, next: 0, none: [], reap: [] };
});

for (let round = 0; round < rounds; round++) {
  for (const c of contenders) {
    let total = 0n;
    for (let i = 0; i < perRound; i++) {
      const start = process.hrtime.bigint();
      const r = c.model.apply({ op: 'wait', proc: 'root' });
      total += process.hrtime.bigint() - start;
      if (!r.ok || r.value !== null) throw new Error('a wait with no child exited should give null');
    }
    c.none.push(Number(total) / perRound / 1e3);
    total = 0n;
    for (let i = 0; i < perRound; i++) {
      const name = `x${c.next++}`;
      expectOk(c.model.apply({ op: 'clone3', proc: 'root', child: name }), 'clone3');
      expectOk(c.model.apply({ op: 'exit', proc: name, code: 7 }), 'exit');
      const start = process.hrtime.bigint();
      const r = c.model.apply({ op: 'wait', proc: 'root' });
      total += process.hrtime.bigint() - start;
      if (!r.ok || r.value?.code !== 7) throw new Error('the wait should reap the child that exited');
    }
    c.reap.push(Number(total) / perRound / 1e3);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = contenders[0];
const rows = contenders.map((c) => ({
  children: c.size,
  noneExitedUs: +median(c.none).toFixed(2),
  reapUs: +median(c.reap).toFixed(2),
  noneRatio: +(median(c.none) / median(base.none)).toFixed(2),
  reapRatio: +(median(c.reap) / median(base.reap)).toFixed(2),
}));
if (values.json) {
  console.log(JSON.stringify({ rounds, perRound, rows }));
} else {
  console.log(`model wait (P_ALL), median over ${rounds} rounds of ${perRound} waits each; ratio to ${base.size} children`);
  console.log('| children | wait, none exited | ratio | wait that reaps | ratio |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.children.toLocaleString('en')} | ${r.noneExitedUs} µs | ${r.noneRatio}× | ${r.reapUs} µs | ${r.reapRatio}× |`);
}
