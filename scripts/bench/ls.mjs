#!/usr/bin/env node
// The listing benchmark (issue 5): `nsbridge ls --json` and an in-process listNamespaces()
// against `lsns -J`, on the same host state, in ONE run (ratios only mean something within a run).
//
//   npm run bench:ls -- [--groups N] [--per-group N] [--runs N] [--json]
//
// Setup (needs root and unshare(1)): N groups (default 200), each `unshare --pid --uts --ipc --net
// --mount --fork` running a shell that starts per-group - 2 sleepers and then becomes one itself:
// with the unshare process outside, per-group processes (default 11) and 5 namespaces per group,
// i.e. >= 2,000 processes over >= 1,000 namespaces. Every group is its own process group
// (detached), killed with SIGKILL at the end, on error and on SIGINT/SIGTERM.
//
// Then `runs` rounds (default 15), each running every contender once in an order rotated by one
// each round (scripts/bench/rounds.mjs): lsns -J, node dist/cli/main.js ls --json, an in-process
// listNamespaces(), and `node -e 0` (Node's own start-up, for context). Reported: each contender's
// median over the rounds with p25–p75, and the median of its per-round ratio to lsns -J of the
// same round, with p25–p75, on stdout (markdown, or JSON with --json); progress on stderr.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { formatSpread, markdownTable, perRoundRatios, rotation, spread } from './rounds.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const GROUPS = flag('--groups', 200);
const PER_GROUP = flag('--per-group', 11);
const RUNS = flag('--runs', 15);
const JSON_OUT = args.includes('--json');
const log = (msg) => process.stderr.write(`${msg}\n`);

if (process.getuid() !== 0) {
  log('bench:ls needs root (new pid/net/... namespaces for the setup)');
  process.exit(1);
}

const groups = [];
function teardown() {
  for (const child of groups) {
    try {
      process.kill(-child.pid, 'SIGKILL'); // the whole process group: unshare, its shell, the sleepers
    } catch {
      /* gone */
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    teardown();
    process.exit(130);
  });
}
process.on('exit', teardown);

const processCount = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;

async function setup() {
  const before = processCount();
  const script = `for i in $(seq ${PER_GROUP - 2}); do sleep 100000 & done; echo ready; exec sleep 100000`;
  const ready = [];
  for (let g = 0; g < GROUPS; g++) {
    const child = spawn('unshare', ['--pid', '--uts', '--ipc', '--net', '--mount', '--fork', 'sh', '-c', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    groups.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.stdout.once('data', resolve);
        child.once('exit', (code, signal) => reject(new Error(`group ${g} exited early (${code ?? signal})`)));
      }),
    );
    if (ready.length % 50 === 0) await Promise.all(ready.slice(-50));
  }
  await Promise.all(ready);
  for (const child of groups) child.stdout.destroy();
  return processCount() - before;
}

function time(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.status ?? r.signal}`);
  return r.stdout;
}

async function main() {
  const { listNamespaces } = await import(join(ROOT, 'dist', 'index.js'));
  log(`setting up ${GROUPS} groups of ${PER_GROUP} processes…`);
  const added = await setup();
  const processes = processCount();
  // lsns -J nests namespaces in its process tree ("children"): count them all.
  const count = (list) => list.reduce((n, ns) => n + 1 + count(ns.children ?? []), 0);
  const namespaces = count(JSON.parse(run('lsns', ['-J']).toString()).namespaces);
  const ours = listNamespaces().length;
  log(`${processes} processes (${added} added), lsns sees ${namespaces} namespaces, listNamespaces() ${ours}`);

  const contenders = [
    { key: 'lsns', label: 'lsns -J', once: () => run('lsns', ['-J']) },
    { key: 'cli', label: 'node dist/cli/main.js ls --json', target: 0.5, once: () => run(process.execPath, ['dist/cli/main.js', 'ls', '--json']) },
    { key: 'inProcess', label: 'listNamespaces() in-process', target: 0.15, once: () => listNamespaces() },
    { key: 'nodeStart', label: 'node -e 0 (start-up alone)', once: () => run(process.execPath, ['-e', '0']) },
  ];
  const samples = Object.fromEntries(contenders.map((c) => [c.key, []]));
  for (let i = 0; i < 2; i++) listNamespaces(); // warm-up: the addon loaded, the JIT warm
  for (let r = 0; r < RUNS; r++) {
    for (const c of rotation(contenders, r)) samples[c.key].push(time(c.once));
    log(`round ${r + 1}/${RUNS}`);
  }
  const ms = Object.fromEntries(contenders.map((c) => [c.key, spread(samples[c.key], 2)]));
  const vsLsns = Object.fromEntries(contenders.map((c) => [c.key, spread(perRoundRatios(samples[c.key], samples.lsns), 3)]));
  const result = {
    processes,
    namespacesLsns: namespaces,
    namespacesOurs: ours,
    rounds: RUNS,
    ms,
    vsLsns,
    targets: { cli: 0.5, inProcess: 0.15 },
  };
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const rows = contenders.map((c) => [
      c.label,
      formatSpread(ms[c.key], 1),
      c.key === 'lsns' ? '1' : formatSpread(vsLsns[c.key], c.key === 'inProcess' ? 3 : 2, '×'),
      c.target === undefined ? '' : `≤ ${c.target}× ${vsLsns[c.key].median <= c.target ? 'meets' : 'misses'}`,
    ]);
    process.stdout.write(
      [
        `${processes} processes, ${namespaces} namespaces (lsns), ${ours} (listNamespaces); ${RUNS} interleaved rounds, median (p25–p75)`,
        '',
        markdownTable(['what', 'ms', '÷ lsns -J, per round', 'target'], rows, 1),
        '',
      ].join('\n'),
    );
  }
}

try {
  await main();
} finally {
  teardown();
}
