#!/usr/bin/env node
// The spawn benchmark (issue 3): nsbridge's spawn() against a C reference and child_process.
//
//   npm run bench -- [--rounds N] [--iterations N] [--json] [--no-big-heap] [--no-nsbridge]
//
// Everything runs in ONE invocation, because ratios between contenders only mean something
// within a run (the machine's speed drifts between runs), and interleaved: the run is --rounds
// rounds (default 9), and every round measures every contender of a scenario once, in an order
// rotated by one each round (scripts/bench/rounds.mjs), so a noisy minute moves one round's
// figures together instead of one contender's. Each figure is the median over the rounds of the
// contender's per-round median, with p25–p75; each ratio is the median of the per-round ratios.
//
// Scenarios: plain (no namespaces, for context), ns4 (new pid+uts+ipc+mnt namespaces) and userns
// (new user+pid+mnt namespaces, the caller mapped to root).
//
// Contenders, each spawning /bin/true and waiting for it, sequentially:
// - the C reference, spawn-reference.c (compiled with cc into a temp dir), in its fork-style and
//   VM-sharing clone3 modes, each a process of its own per round; per round, the faster of the
//   two is "the reference";
// - nsbridge's spawn() in this process, and child_process.spawn (of unshare(1) doing the
//   scenario's namespaces; of /bin/true itself for plain),
// at the default heap and again after touching ~2 GiB of memory here (a real fork's cost grows
// with the parent's page tables; nsbridge's spawn must not). Then throughput: ns4 spawns/second
// with 8 in flight, nsbridge against child_process + unshare(1), in rounds too, at the default heap.
//
// Prints a markdown report on stdout (or, with --json, the numbers as JSON) and progress on
// stderr. The target (nsbridge <= 1.25x the reference, median of the per-round ratios) is reported,
// not enforced: the exit code is 0 whether or not it is met.
//
// Needs root (ns4 needs CAP_SYS_ADMIN), cc, unshare(1) and, unless --no-nsbridge, dist/ built by
// `npm run prepare`.

import { execFileSync, spawn as cpSpawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpread, markdownTable, perRoundRatios, rotation, spread } from './rounds.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const NSBRIDGE_ENTRY = join(HERE, '..', '..', 'dist', 'index.js');

// Each scenario once, for every contender: the C reference's scenario name is the key.
const SCENARIOS = {
  plain: {
    label: 'no namespaces',
    nsbridge: {},
    childProcess: ['/bin/true', []],
  },
  ns4: {
    label: 'pid+uts+ipc+mnt',
    nsbridge: { namespaces: ['pid', 'uts', 'ipc', 'mnt'] },
    childProcess: ['unshare', ['--pid', '--uts', '--ipc', '--mount', '--fork', '/bin/true']],
  },
  userns: {
    label: 'user+pid+mnt, root mapped',
    nsbridge: { namespaces: ['user', 'pid', 'mnt'], mapRootUser: true },
    childProcess: ['unshare', ['--user', '--map-root-user', '--pid', '--mount', '--fork', '/bin/true']],
  },
};
const SCENARIO_NAMES = Object.keys(SCENARIOS);
const REFERENCE_MODES = ['fork', 'vm'];
const THROUGHPUT_SCENARIO = 'ns4';

// Per contender and round (9 rounds: 540 reference spawns per mode and scenario, 360 Node ones).
const DEFAULTS = { rounds: 9, referenceIterations: 60, nodeIterations: 40, throughputSpawns: 2000 };
// Untimed spawns before each measurement: the first ones pay for page-cache misses, lazy
// binding and JIT compilation, which is not what we measure.
const WARMUP = 5;
const IN_FLIGHT = 8;
const TARGET_RATIO = 1.25;
const BIG_HEAP_BYTES = 2 * 1024 ** 3;

const USAGE = 'usage: node scripts/bench/spawn.mjs [--rounds N] [--iterations N] [--json] [--no-big-heap] [--no-nsbridge]';

// ---- command line and logging -------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { rounds: DEFAULTS.rounds, iterations: null, json: false, bigHeap: true, nsbridge: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--no-big-heap') opts.bigHeap = false;
    else if (a === '--no-nsbridge') opts.nsbridge = false;
    else if (a === '--iterations' || a.startsWith('--iterations=') || a === '--rounds' || a.startsWith('--rounds=')) {
      const name = a.replace(/^--/, '').replace(/=.*$/, '');
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) die(`--${name} needs a positive integer, got ${v}`);
      opts[name] = n;
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else die(`unknown argument: ${a}\n${USAGE}`);
  }
  return opts;
}

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

// ---- statistics ---------------------------------------------------------------------------------

// Median and nearest-rank p90, in µs: the same definitions as spawn-reference.c, so the columns
// compare like with like.
function stats(samplesUs) {
  const s = [...samplesUs].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const p90 = s[Math.min(n - 1, Math.max(0, Math.ceil(0.9 * n) - 1))];
  return { iterations: n, median_us: round(median, 1), p90_us: round(p90, 1) };
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

const elapsedUs = (t0) => Number(process.hrtime.bigint() - t0) / 1e3;

// ---- preflight ----------------------------------------------------------------------------------

function checkRoot() {
  if (process.getuid?.() !== 0) {
    die(
      'needs root: the ns4 scenario creates pid/uts/ipc/mnt namespaces, which needs CAP_SYS_ADMIN ' +
        '(run it as root, e.g. `sudo npm run bench`)',
    );
  }
}

// Loaded only when the nsbridge contender is on, so the rest can run before dist/ has spawn().
async function loadNsbridgeSpawn() {
  if (!existsSync(NSBRIDGE_ENTRY)) {
    die(`${NSBRIDGE_ENTRY} is missing: build it with \`npm run prepare\` first (or pass --no-nsbridge)`);
  }
  const { spawn } = await import('../../dist/index.js');
  if (typeof spawn !== 'function') {
    die('dist/index.js exports no spawn(): rebuild with `npm run prepare` (or pass --no-nsbridge)');
  }
  return spawn;
}

// ---- C reference --------------------------------------------------------------------------------

function buildReference(dir) {
  const bin = join(dir, 'spawn-reference');
  const src = join(HERE, 'spawn-reference.c');
  try {
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', bin, src], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    die(`cc failed:\n${e.stderr?.toString() ?? e.message}`);
  }
  return bin;
}

function runReference(bin, scenario, mode, iterations) {
  let out;
  try {
    const args = [scenario, mode, String(iterations), String(WARMUP)];
    out = execFileSync(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    die(`spawn-reference ${scenario} ${mode} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
  const { iterations: n, median_us, p90_us } = JSON.parse(out.toString());
  return { iterations: n, median_us, p90_us };
}

// ---- Node contenders: each is a function that spawns /bin/true once and settles when it exited --

function childProcessOnce([cmd, args]) {
  return () =>
    new Promise((resolve, reject) => {
      const child = cpSpawn(cmd, args, { stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
      });
    });
}

function nsbridgeOnce(nsSpawn, scenarioOptions) {
  const options = { ...scenarioOptions, stdio: 'ignore' };
  return async () => {
    const child = nsSpawn('/bin/true', [], options);
    const r = await child.exited;
    if (r.code !== 0) throw new Error(`nsbridge spawn of /bin/true exited with ${r.signal ?? r.code}`);
  };
}

// The contenders of one scenario; `measure(config)` gives one round's { median_us, p90_us }.
// With `bin`, the C reference's two modes are among them.
function contendersFor(scenario, nsSpawn, bin) {
  const sc = SCENARIOS[scenario];
  const list = [];
  for (const mode of bin ? REFERENCE_MODES : []) {
    list.push({
      key: `ref_${mode}`,
      label: `C reference, ${mode}`,
      command: `spawn-reference ${scenario} ${mode}`,
      measure: (config) => runReference(bin, scenario, mode, config.referenceIterations),
    });
  }
  if (nsSpawn) {
    const once = nsbridgeOnce(nsSpawn, sc.nsbridge);
    list.push({
      key: 'nsbridge',
      label: 'nsbridge spawn()',
      command: `spawn('/bin/true', [], ${JSON.stringify(sc.nsbridge)})`,
      once,
      measure: (config) => measureSequential(once, config.nodeIterations),
    });
  }
  const once = childProcessOnce(sc.childProcess);
  list.push({
    key: 'childProcess',
    label: scenario === 'plain' ? 'child_process /bin/true' : 'child_process + unshare(1)',
    command: sc.childProcess.flat().join(' '),
    once,
    measure: (config) => measureSequential(once, config.nodeIterations),
  });
  return list;
}

// ---- measurements -------------------------------------------------------------------------------

async function measureSequential(once, iterations) {
  for (let i = 0; i < WARMUP; i++) await once();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    samples.push(elapsedUs(t0));
  }
  return stats(samples);
}

// Keeps `inFlight` spawns outstanding until `total` have completed. Stops starting new ones at the
// first failure (and rethrows it), so no spawns linger into the next measurement.
async function runConcurrently(once, total, inFlight) {
  let started = 0;
  /** @type {Error | null} */
  let error = null;
  const worker = async () => {
    while (error === null && started < total) {
      started++;
      await once().catch((e) => {
        error ??= e;
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (error) throw error;
}

async function measureThroughput(once, total, inFlight) {
  await runConcurrently(once, inFlight * WARMUP, inFlight); // warm up the concurrent path too
  const t0 = process.hrtime.bigint();
  await runConcurrently(once, total, inFlight);
  const seconds = elapsedUs(t0) / 1e6;
  return { spawns: total, in_flight: inFlight, seconds: round(seconds, 3), per_second: round(total / seconds, 1) };
}

// A failing contender is reported in its cell rather than ending the run: nsbridge's spawn is the
// thing under development, and the other cells are still worth having.
async function attempt(what, fn) {
  log(what);
  try {
    return await fn();
  } catch (e) {
    log(`  failed: ${e.message}`);
    return { error: e.message };
  }
}

// Per round, each contender's { median_us, p90_us } (or { error }): { rounds: [{ key: figures }] }.
// A contender that failed once is left out of the later rounds.
async function measureRounds(contenders, config, what) {
  const rounds = [];
  const failed = new Map();
  for (let r = 0; r < config.rounds; r++) {
    const round = {};
    for (const c of rotation(contenders, r)) {
      if (failed.has(c.key)) continue;
      const result = await attempt(`${what}, round ${r + 1}/${config.rounds}: ${c.label}`, () => c.measure(config));
      if (result.error) failed.set(c.key, result.error);
      else round[c.key] = result;
    }
    rounds.push(round);
  }
  return { rounds, failed: Object.fromEntries(failed) };
}

// The per-round reference: the faster of the C reference's two modes in that round.
const referenceOf = (round) => Math.min(...REFERENCE_MODES.map((m) => round[`ref_${m}`]?.median_us ?? Infinity));

// { scenario: { contenders: { key: { label, command, median_ms spread } }, ratio, failed } }.
function summarise(contenders, measured) {
  const { rounds, failed } = measured;
  const out = { contenders: {}, failed };
  for (const c of contenders) {
    const medians = rounds.map((round) => round[c.key]?.median_us ?? NaN);
    out.contenders[c.key] = { label: c.label, command: c.command, us: spread(medians, 1) };
  }
  const ns = rounds.map((round) => round.nsbridge?.median_us ?? NaN);
  const ref = rounds.map((round) => referenceOf(round));
  out.reference_us = spread(ref.map((x) => (Number.isFinite(x) ? x : NaN)), 1);
  out.ratio = spread(perRoundRatios(ns, ref), 3);
  out.meets_target = out.ratio.median !== null && out.ratio.median <= TARGET_RATIO;
  return out;
}

// { plain: summary, ... } for the heap this process has right now.
async function measureAllSequential(nsSpawn, bin, config, heapLabel) {
  const res = {};
  for (const s of SCENARIO_NAMES) {
    const contenders = contendersFor(s, nsSpawn, bin);
    res[s] = summarise(contenders, await measureRounds(contenders, config, `${s}, ${heapLabel}`));
  }
  return res;
}

// Throughput in rounds: per round, each contender runs its share of the spawns, in rotating order.
async function measureAllThroughput(nsSpawn, config) {
  const contenders = contendersFor(THROUGHPUT_SCENARIO, nsSpawn, null).map((c) => ({
    ...c,
    measure: () => measureThroughput(c.once, Math.ceil(config.throughputSpawns / config.rounds), IN_FLIGHT),
  }));
  const { rounds, failed } = await measureRounds(contenders, config, `throughput, ${THROUGHPUT_SCENARIO}, ${IN_FLIGHT} in flight`);
  const perSecond = (key) => rounds.map((round) => round[key]?.per_second ?? NaN);
  const res = { failed, contenders: {} };
  for (const c of contenders) res.contenders[c.key] = { label: c.label, command: c.command, per_second: spread(perSecond(c.key), 1) };
  res.ratio = spread(perRoundRatios(perSecond('nsbridge'), perSecond('childProcess')), 3);
  return res;
}

// Allocate and touch ~2 GiB (outside the V8 heap, so no --max-old-space-size needed; what matters
// for fork is the resident, mapped memory).
function touchBigHeap(bytes) {
  const chunk = 256 * 1024 ** 2;
  const bufs = [];
  for (let left = bytes; left > 0; left -= chunk) {
    const b = Buffer.allocUnsafeSlow(Math.min(chunk, left));
    b.fill(0xa5); // write every page
    bufs.push(b);
  }
  return bufs;
}

const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

// ---- report -------------------------------------------------------------------------------------

const HEAPS = [
  ['default', 'default'],
  ['bigHeap', '2 GiB touched'],
];

/** A spread of µs as ms: "0.512 (0.498–0.530)". */
const msCell = (s) => (s?.median == null ? '—' : formatSpread({ median: s.median / 1000, p25: s.p25 / 1000, p75: s.p75 / 1000 }, 3));

function sequentialTable(results) {
  const head = ['scenario', 'heap', 'C ref fork', 'C ref vm', 'nsbridge', `nsbridge ÷ ref (target ≤ ${TARGET_RATIO}×)`, 'child_process'];
  const rows = [];
  for (const s of SCENARIO_NAMES) {
    for (const [heap, heapLabel] of HEAPS) {
      const r = results.sequential[heap]?.[s];
      if (!r) continue;
      const c = r.contenders;
      rows.push([
        SCENARIOS[s].label,
        heapLabel,
        msCell(c.ref_fork?.us),
        msCell(c.ref_vm?.us),
        msCell(c.nsbridge?.us),
        r.ratio.median === null ? '—' : `${formatSpread(r.ratio, 2, '×')} ${r.meets_target ? 'meets' : 'misses'}`,
        msCell(c.childProcess?.us),
      ]);
    }
  }
  return markdownTable(head, rows, 2);
}

function throughputTable(throughput) {
  const rows = Object.values(throughput.contenders).map((t) => [t.label, formatSpread(t.per_second, 0)]);
  return markdownTable(['contender', 'spawns/s'], rows, 1);
}

// Every contender that failed, with its message, so a missing cell can be explained.
function failures(results) {
  const out = [];
  for (const [heap, heapLabel] of HEAPS) {
    for (const s of SCENARIO_NAMES) {
      for (const [key, error] of Object.entries(results.sequential[heap]?.[s]?.failed ?? {})) out.push(`- ${key}, ${s}, ${heapLabel}: ${error}`);
    }
  }
  for (const [key, error] of Object.entries(results.throughput.failed)) out.push(`- ${key}, throughput: ${error}`);
  return out;
}

// A cell whose nsbridge measurement failed counts as missing the target.
function targetSummary(results) {
  if (!results.config.nsbridge) return 'nsbridge was not measured (--no-nsbridge).';
  const cells = HEAPS.flatMap(([heap]) => (results.sequential[heap] ? SCENARIO_NAMES.map((s) => results.sequential[heap][s]) : []));
  const met = cells.filter((c) => c.meets_target).length;
  return `Target: nsbridge ≤ ${TARGET_RATIO}× the reference (median of the per-round ratios); met in ${met} of ${cells.length} cells.`;
}

function report(results) {
  const { env, config } = results;
  return [
    '## Spawn benchmark',
    '',
    `Node ${env.node}, Linux ${env.kernel}, ${env.cpus} CPUs (${env.cpu}); rss ${env.rssDefaultMiB} MiB at the ` +
      `default heap${env.rssBigHeapMiB ? `, ${env.rssBigHeapMiB} MiB with 2 GiB touched` : ''}.`,
    '',
    `### Sequential spawn + wait of /bin/true (ms: median over ${config.rounds} interleaved rounds, p25–p75)`,
    '',
    sequentialTable(results),
    '',
    `Each round measures every contender once, in an order rotated by one each round: the C reference ` +
      `${config.referenceIterations} spawns per mode (a process of its own: the touched heap is not its), ` +
      `the Node contenders ${config.nodeIterations}, each after ${config.warmup} warm-up spawns; a cell is the median of ` +
      `the per-round medians. The ratio is the median of the per-round ratios of nsbridge to the faster reference mode of ` +
      'that round. child_process runs unshare(1) with the scenario\'s namespaces, and /bin/true itself for no namespaces.',
    '',
    targetSummary(results),
    '',
    `### Throughput, ${SCENARIOS[THROUGHPUT_SCENARIO].label}, ${config.inFlight} in flight, default heap (${config.rounds} rounds of ${Math.ceil(config.throughputSpawns / config.rounds)} spawns each)`,
    '',
    throughputTable(results.throughput),
    '',
    `nsbridge ÷ child_process, per round: ${formatSpread(results.throughput.ratio, 2, '×')}.`,
    ...(failures(results).length ? ['', '### Failures', '', ...failures(results)] : []),
  ].join('\n');
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkRoot();
  const nsSpawn = opts.nsbridge ? await loadNsbridgeSpawn() : null;

  const config = {
    rounds: opts.rounds,
    referenceIterations: opts.iterations ?? DEFAULTS.referenceIterations,
    nodeIterations: opts.iterations ?? DEFAULTS.nodeIterations,
    throughputSpawns: opts.iterations ? opts.iterations * opts.rounds * 5 : DEFAULTS.throughputSpawns,
    warmup: WARMUP,
    inFlight: IN_FLIGHT,
    targetRatio: TARGET_RATIO,
    nsbridge: opts.nsbridge,
    bigHeap: opts.bigHeap,
  };
  const results = {
    env: { node: process.version, kernel: release(), cpus: cpus().length, cpu: cpus()[0]?.model },
    config,
  };

  const dir = mkdtempSync(join(tmpdir(), 'nsbridge-bench-'));
  try {
    const bin = buildReference(dir);
    results.env.rssDefaultMiB = rssMiB();
    results.sequential = { default: await measureAllSequential(nsSpawn, bin, config, 'default heap') };
    // Throughput is wanted at the default heap, and the touched 2 GiB cannot reliably be given
    // back: measure it before touching.
    results.throughput = await measureAllThroughput(nsSpawn, config);
    results.sequential.bigHeap = null;
    if (opts.bigHeap) {
      log('touching ~2 GiB in this process');
      const keep = touchBigHeap(BIG_HEAP_BYTES);
      results.env.rssBigHeapMiB = rssMiB();
      results.sequential.bigHeap = await measureAllSequential(nsSpawn, bin, config, '2 GiB touched');
      keep.length = 0;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(opts.json ? JSON.stringify(results, null, 2) : report(results));
}

main().catch((e) => die(e.stack ?? String(e)));
