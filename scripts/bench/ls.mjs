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
// Then, interleaved, `runs` times (default 15): lsns -J, node dist/cli/main.js ls --json, an
// in-process listNamespaces(), and `node -e 0` (Node's own start-up, for context). Medians and
// ratios go to stdout (markdown, or JSON with --json); progress to stderr.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

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

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const { listNamespaces } = await import(join(ROOT, 'dist', 'index.js'));
  log(`setting up ${GROUPS} groups of ${PER_GROUP} processes…`);
  const added = await setup();
  const processes = processCount();
  // lsns -J nests namespaces in its process tree ("children"): count them all.
  const count = (list) => list.reduce((n, ns) => n + 1 + count(ns.children ?? []), 0);
  const namespaces = count(JSON.parse(run('lsns', ['-J'])).namespaces);
  const ours = listNamespaces().length;
  log(`${processes} processes (${added} added), lsns sees ${namespaces} namespaces, listNamespaces() ${ours}`);

  const samples = { lsns: [], cli: [], inProcess: [], nodeStart: [] };
  for (let i = 0; i < 2; i++) listNamespaces(); // warm-up: the addon loaded, the JIT warm
  for (let r = 0; r < RUNS; r++) {
    samples.lsns.push(time(() => run('lsns', ['-J'])));
    samples.cli.push(time(() => run(process.execPath, ['dist/cli/main.js', 'ls', '--json'])));
    samples.inProcess.push(time(() => listNamespaces()));
    samples.nodeStart.push(time(() => run(process.execPath, ['-e', '0'])));
    log(`run ${r + 1}/${RUNS}`);
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const result = {
    processes,
    namespacesLsns: namespaces,
    namespacesOurs: ours,
    runs: RUNS,
    medianMs: m,
    ratios: { cliVsLsns: m.cli / m.lsns, inProcessVsLsns: m.inProcess / m.lsns },
    targets: { cliVsLsns: 0.5, inProcessVsLsns: 0.15 },
  };
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const f = (x) => x.toFixed(1);
    process.stdout.write(
      [
        `${processes} processes, ${namespaces} namespaces (lsns), ${ours} (listNamespaces), median of ${RUNS} interleaved runs`,
        '',
        '| what | median ms | vs lsns -J | target |',
        '|---|---|---|---|',
        `| lsns -J | ${f(m.lsns)} | 1.00 | |`,
        `| node dist/cli/main.js ls --json | ${f(m.cli)} | ${result.ratios.cliVsLsns.toFixed(2)} | <= 0.50 |`,
        `| listNamespaces() in-process | ${f(m.inProcess)} | ${result.ratios.inProcessVsLsns.toFixed(3)} | <= 0.15 |`,
        `| node -e 0 (start-up alone) | ${f(m.nodeStart)} | ${(m.nodeStart / m.lsns).toFixed(2)} | |`,
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
