#!/usr/bin/env node
// The start-up benchmark (issue 14): what a user waits for before nsbridge does anything.
//
//   npm run build:ts && npm run bench:startup [-- --rounds 30 --warmup 1 --baseline <dir>/dist --no-ls --json]
//
// Contenders, each a fresh process timed from spawn to exit, interleaved round by round (every
// round runs each contender once, in an order rotated by one each round, after --warmup untimed
// rounds): `node -e 0` (Node's own start, the reference), `unshare /bin/true` (util-linux doing
// the same job without Node, for context), `node dist/cli/main.js run -- /bin/true`,
// `node dist/cli/main.js --version`, `node dist/cli/main.js ls --json` (unless --no-ls), and a Node
// that only imports dist/index.js (scripts/bench/startup-import.mjs), which also prints how long
// the `await import()` took inside it.
//
// Reported per contender: the median wall time over the rounds with p25–p75, and the median of the
// per-round difference to and ratio against `node -e 0` of the same round, with p25–p75; and the
// in-process import time. The targets (`run` within `node -e 0` + 40 ms, the import under 25 ms)
// are reported, not enforced.
//
// --baseline <dir>: another build's dist/ directory, whose CLI and import join the rounds, with the
// per-round difference this build - baseline. Its bare imports (commander) must resolve and its
// addon must be found from <dir>/.. (build/Release, as dist/native/addon.js looks for it): keep
// the copy inside this checkout, e.g. before a change
//   mkdir -p .bench-base && cp -a dist .bench-base/dist && ln -s ../build .bench-base/build && ln -s ../package.json .bench-base/package.json
// (.bench-base/ is git-ignored) and pass --baseline .bench-base/dist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSpread, markdownTable, perRoundDifferences, perRoundRatios, rotation, spread } from './rounds.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const IMPORTER = join(HERE, 'startup-import.mjs');
const TARGETS = { runOverNodeMs: 40, importMs: 25 };

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '1' },
    baseline: { type: 'string' },
    'no-ls': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: node scripts/bench/startup.mjs [--rounds N] [--warmup N] [--baseline <dir>/dist] [--no-ls] [--json]');
  process.exit(0);
}
const positive = (name, text, min) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) die(`--${name} needs an integer >= ${min}, got ${text}`);
  return n;
};
const ROUNDS = positive('rounds', values.rounds, 1);
const WARMUP = positive('warmup', values.warmup, 0);

function die(message) {
  process.stderr.write(`bench:startup: ${message}\n`);
  process.exit(1);
}
const log = (message) => process.stderr.write(`${message}\n`);

// ---- contenders -----------------------------------------------------------------------------

const builds = [{ key: '', label: '', dist: join(ROOT, 'dist') }];
if (values.baseline !== undefined) builds.push({ key: 'baseline:', label: 'baseline: ', dist: resolve(values.baseline) });
for (const build of builds) {
  for (const file of ['index.js', 'cli/main.js']) {
    if (!existsSync(join(build.dist, file))) die(`${join(build.dist, file)} is missing (build with \`npm run build:ts\`${build.key ? ', or point --baseline at a dist/ directory' : ''})`);
  }
}

const node = process.execPath;
const shown = (dist, file) => relative(ROOT, join(dist, file)) || '.';
const contenders = [
  { key: 'node', label: '`node -e 0`', argv: [node, '-e', '0'] },
  { key: 'unshare', label: '`unshare /bin/true`', argv: ['unshare', '/bin/true'] },
];
for (const build of builds) {
  const cli = join(build.dist, 'cli', 'main.js');
  contenders.push(
    { key: `${build.key}run`, label: `${build.label}\`node ${shown(build.dist, 'cli/main.js')} run -- /bin/true\``, argv: [node, cli, 'run', '--', '/bin/true'] },
    { key: `${build.key}version`, label: `${build.label}\`node ${shown(build.dist, 'cli/main.js')} --version\``, argv: [node, cli, '--version'] },
  );
  if (!values['no-ls']) contenders.push({ key: `${build.key}ls`, label: `${build.label}\`node ${shown(build.dist, 'cli/main.js')} ls --json\``, argv: [node, cli, 'ls', '--json'] });
  contenders.push({ key: `${build.key}import`, label: `${build.label}a Node that only imports ${shown(build.dist, 'index.js')}`, argv: [node, IMPORTER, pathToFileURL(join(build.dist, 'index.js')).href], importer: true });
}

/** One run: wall ms from spawn to exit, and the in-process import ms the importer printed. */
function runOnce(c) {
  const start = process.hrtime.bigint();
  const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) die(`${c.argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) die(`${c.argv.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
  return { wall, importMs: c.importer ? Number(r.stdout.toString().trim()) : undefined };
}

// ---- rounds ---------------------------------------------------------------------------------

const samples = Object.fromEntries(contenders.map((c) => [c.key, []]));
const importSamples = Object.fromEntries(contenders.filter((c) => c.importer).map((c) => [c.key, []]));
for (let r = -WARMUP; r < ROUNDS; r++) {
  // Rotated by the round: every contender takes every position equally often.
  for (const c of rotation(contenders, ((r % contenders.length) + contenders.length) % contenders.length)) {
    const { wall, importMs } = runOnce(c);
    if (r < 0) continue;
    samples[c.key][r] = wall;
    if (c.importer) importSamples[c.key][r] = importMs;
  }
  log(r < 0 ? `warm-up round ${r + WARMUP + 1}/${WARMUP}` : `round ${r + 1}/${ROUNDS}`);
}

// ---- statistics -----------------------------------------------------------------------------

const reference = samples.node;
const results = {};
for (const c of contenders) {
  results[c.key] = {
    label: c.label,
    command: c.argv.map((a) => (a === node ? 'node' : a.startsWith(`${ROOT}/`) ? relative(ROOT, a) : a)).join(' '),
    ms: spread(samples[c.key], 2),
    minusNode: spread(perRoundDifferences(samples[c.key], reference), 2),
    overNode: spread(perRoundRatios(samples[c.key], reference), 3),
    ...(c.importer ? { importMs: spread(importSamples[c.key], 2) } : {}),
  };
}
const versusBaseline = {};
if (builds.length > 1) {
  for (const c of contenders.filter((x) => x.key.startsWith('baseline:'))) {
    const ours = c.key.slice('baseline:'.length);
    versusBaseline[ours] = {
      wallMinusBaseline: spread(perRoundDifferences(samples[ours], samples[c.key]), 2),
      wallOverBaseline: spread(perRoundRatios(samples[ours], samples[c.key]), 3),
      ...(c.importer ? { importMinusBaseline: spread(perRoundDifferences(importSamples[ours], importSamples[c.key]), 2) } : {}),
    };
  }
}
const targets = {
  runMinusNodeMs: { target: TARGETS.runOverNodeMs, median: results.run.minusNode.median, meets: results.run.minusNode.median <= TARGETS.runOverNodeMs },
  importMs: { target: TARGETS.importMs, median: results.import.importMs.median, meets: results.import.importMs.median < TARGETS.importMs },
};
const env = { node: process.version, kernel: release(), cpus: cpus().length, cpu: cpus()[0]?.model };
const config = { rounds: ROUNDS, warmup: WARMUP, baseline: values.baseline === undefined ? null : resolve(values.baseline), ls: !values['no-ls'] };

// ---- report ---------------------------------------------------------------------------------

if (values.json) {
  const raw = { wallMs: samples, importMs: importSamples };
  console.log(JSON.stringify({ env, config, contenders: results, versusBaseline, targets, samples: raw }, null, 2));
} else {
  const rows = contenders.map((c) => {
    const x = results[c.key];
    return [x.label, formatSpread(x.ms, 1), c.key === 'node' ? '—' : formatSpread(x.minusNode, 1), c.key === 'node' ? '—' : formatSpread(x.overNode, 2, '×')];
  });
  const out = [
    '## Start-up',
    '',
    `Node ${env.node}, Linux ${env.kernel}, ${env.cpus} CPUs (${env.cpu}); ${ROUNDS} rounds, each running every contender once ` +
      `in a rotating order, after ${WARMUP} warm-up round${WARMUP === 1 ? '' : 's'}. Wall time of the whole process, ms: the median over the rounds ` +
      '(p25–p75), and the median of the per-round difference to and ratio against `node -e 0` of the same round (p25–p75).',
    '',
    markdownTable(['contender', 'ms', '− `node -e 0`, ms', '÷ `node -e 0`'], rows, 1),
    '',
    '`await import()` of index.js inside a fresh Node (the importer prints it), ms:',
    '',
    markdownTable(
      ['build', 'import ms'],
      contenders.filter((c) => c.importer).map((c) => [c.key.startsWith('baseline:') ? `baseline (${shown(resolve(values.baseline), '.')})` : 'this build', formatSpread(results[c.key].importMs, 1)]),
      1,
    ),
  ];
  if (builds.length > 1) {
    out.push(
      '',
      'This build against the baseline, per round (this build − baseline, ms; this build ÷ baseline):',
      '',
      markdownTable(
        ['contender', 'wall − baseline', 'wall ÷ baseline', 'import − baseline'],
        Object.entries(versusBaseline).map(([key, v]) => [results[key].label, formatSpread(v.wallMinusBaseline, 1), formatSpread(v.wallOverBaseline, 2, '×'), v.importMinusBaseline ? formatSpread(v.importMinusBaseline, 1) : '']),
        1,
      ),
    );
  }
  out.push(
    '',
    `Targets: \`run -- /bin/true\` within \`node -e 0\` + ${TARGETS.runOverNodeMs} ms: ${results.run.minusNode.median.toFixed(1)} ms, ${targets.runMinusNodeMs.meets ? 'meets' : 'misses'}; ` +
      `the import under ${TARGETS.importMs} ms: ${results.import.importMs.median.toFixed(1)} ms, ${targets.importMs.meets ? 'meets' : 'misses'}.`,
    '',
  );
  process.stdout.write(out.join('\n'));
}
