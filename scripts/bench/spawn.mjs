#!/usr/bin/env node
// The spawn benchmark (issue 3): nsbridge's spawn() against a C reference and child_process.
//
//   npm run bench -- [--iterations N] [--json] [--no-big-heap] [--no-nsbridge]
//
// Everything runs in ONE invocation, because ratios between contenders only mean something
// within a run (the machine's speed drifts between runs).
//
// Scenarios: plain (no namespaces, for context), ns4 (new pid+uts+ipc+mnt namespaces) and userns
// (new user+pid+mnt namespaces, the caller mapped to root).
//
// 1. The C reference, spawn-reference.c (compiled with cc into a temp dir), in its fork-style and
//    VM-sharing clone3 modes; the faster median of the two is "the reference".
// 2. Sequential spawn + wait of /bin/true in this process, after a warm-up: nsbridge's spawn()
//    and child_process.spawn (of unshare(1) doing the scenario's namespaces; of /bin/true itself
//    for plain), at the default heap and again after touching ~2 GiB of memory here (a real
//    fork's cost grows with the parent's page tables; nsbridge's spawn must not).
// 3. Throughput: ns4 spawns/second with 8 in flight, nsbridge against child_process + unshare(1),
//    at the default heap.
//
// Prints a markdown report on stdout (or, with --json, the numbers as JSON) and progress on
// stderr. The target (nsbridge median <= 1.25x the reference) is reported, not enforced: the exit
// code is 0 whether or not it is met.
//
// Needs root (ns4 needs CAP_SYS_ADMIN), cc, unshare(1) and, unless --no-nsbridge, dist/ built by
// `npm run prepare`.

import { execFileSync, spawn as cpSpawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const DEFAULTS = { referenceIterations: 300, nodeIterations: 200, throughputSpawns: 2000 };
// Untimed spawns before each measurement: the first ones pay for page-cache misses, lazy
// binding and JIT compilation, which is not what we measure.
const WARMUP = 10;
const IN_FLIGHT = 8;
const TARGET_RATIO = 1.25;
const BIG_HEAP_BYTES = 2 * 1024 ** 3;

const USAGE = 'usage: node scripts/bench/spawn.mjs [--iterations N] [--json] [--no-big-heap] [--no-nsbridge]';

// ---- command line and logging -------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { iterations: null, json: false, bigHeap: true, nsbridge: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--no-big-heap') opts.bigHeap = false;
    else if (a === '--no-nsbridge') opts.nsbridge = false;
    else if (a === '--iterations' || a.startsWith('--iterations=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) die(`--iterations needs a positive integer, got ${v}`);
      opts.iterations = n;
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

// { plain: { fork, vm, best: 'vm' }, ... }: best names the mode that is "the reference".
function measureReference(iterations) {
  const dir = mkdtempSync(join(tmpdir(), 'nsbridge-bench-'));
  try {
    const bin = buildReference(dir);
    const res = {};
    for (const s of SCENARIO_NAMES) {
      res[s] = {};
      for (const m of REFERENCE_MODES) {
        log(`spawn-reference ${s} ${m} x${iterations}`);
        res[s][m] = runReference(bin, s, m, iterations);
      }
      res[s].best = REFERENCE_MODES.reduce((a, b) => (res[s][b].median_us < res[s][a].median_us ? b : a));
    }
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

// The contenders of one scenario, in the order they are measured.
function contendersFor(scenario, nsSpawn) {
  const sc = SCENARIOS[scenario];
  const list = [];
  if (nsSpawn) {
    list.push({
      key: 'nsbridge',
      label: 'nsbridge spawn()',
      command: `spawn('/bin/true', [], ${JSON.stringify(sc.nsbridge)})`,
      once: nsbridgeOnce(nsSpawn, sc.nsbridge),
    });
  }
  list.push({
    key: 'childProcess',
    label: scenario === 'plain' ? 'child_process /bin/true' : 'child_process + unshare(1)',
    command: sc.childProcess.flat().join(' '),
    once: childProcessOnce(sc.childProcess),
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

// { plain: { nsbridge, childProcess }, ... } for the heap this process has right now.
async function measureAllSequential(nsSpawn, iterations, heapLabel) {
  const res = {};
  for (const s of SCENARIO_NAMES) {
    res[s] = {};
    for (const c of contendersFor(s, nsSpawn)) {
      const r = await attempt(`${c.label}, ${s}, ${heapLabel}: ${iterations} sequential`, () =>
        measureSequential(c.once, iterations),
      );
      res[s][c.key] = { label: c.label, command: c.command, ...r };
    }
  }
  return res;
}

async function measureAllThroughput(nsSpawn, total) {
  const res = {};
  for (const c of contendersFor(THROUGHPUT_SCENARIO, nsSpawn)) {
    const what = `${c.label}, ${THROUGHPUT_SCENARIO}, default heap: ${total} spawns, ${IN_FLIGHT} in flight`;
    const r = await attempt(what, () => measureThroughput(c.once, total, IN_FLIGHT));
    res[c.key] = { label: c.label, command: c.command, scenario: THROUGHPUT_SCENARIO, ...r };
  }
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

// nsbridge median / reference median per scenario, for one heap size.
function ratios(reference, sequential) {
  const res = {};
  for (const s of SCENARIO_NAMES) {
    const ns = sequential[s].nsbridge;
    if (!ns?.median_us) continue;
    const ref = reference[s][reference[s].best];
    const ratio = ns.median_us / ref.median_us;
    res[s] = { ratio: round(ratio, 3), meets_target: ratio <= TARGET_RATIO };
  }
  return res;
}

// ---- report -------------------------------------------------------------------------------------

const HEAPS = [
  ['default', 'default'],
  ['bigHeap', '2 GiB touched'],
];

const ms = (us) => (us / 1000).toFixed(3);
const cell = (r) => (!r ? '—' : r.error ? 'failed' : `${ms(r.median_us)} / ${ms(r.p90_us)}`);

function ratioCell(r) {
  if (!r) return '—';
  return `${r.ratio.toFixed(2)}× ${r.meets_target ? 'meets' : 'misses'}`;
}

function markdownTable(head, rows, alignRightFrom) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < alignRightFrom ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function sequentialTable(results) {
  const head = [
    'scenario',
    'heap',
    'C ref fork',
    'C ref vm',
    'nsbridge',
    `nsbridge / ref (target ≤ ${TARGET_RATIO}×)`,
    'child_process',
  ];
  const rows = [];
  for (const s of SCENARIO_NAMES) {
    const ref = results.reference[s];
    // The faster mode is the reference: bold it.
    const refCell = (m) => (m === ref.best ? `**${cell(ref[m])}**` : cell(ref[m]));
    for (const [heap, heapLabel] of HEAPS) {
      const seq = results.sequential[heap];
      if (!seq) continue;
      rows.push([
        SCENARIOS[s].label,
        heapLabel,
        refCell('fork'),
        refCell('vm'),
        cell(seq[s].nsbridge),
        ratioCell(results.ratios[heap]?.[s]),
        cell(seq[s].childProcess),
      ]);
    }
  }
  return markdownTable(head, rows, 2);
}

function throughputTable(throughput) {
  const rows = Object.values(throughput).map((t) => [
    t.label,
    t.error ? 'failed' : String(t.spawns),
    t.error ? '—' : t.seconds.toFixed(3),
    t.error ? '—' : t.per_second.toFixed(0),
  ]);
  return markdownTable(['contender', 'spawns', 'seconds', 'spawns/s'], rows, 1);
}

// Every contender that failed, with its message, so a "failed" cell can be explained.
function failures(results) {
  const out = [];
  for (const [heap, heapLabel] of HEAPS) {
    for (const s of SCENARIO_NAMES) {
      for (const r of Object.values(results.sequential[heap]?.[s] ?? {})) {
        if (r.error) out.push(`- ${r.label}, ${s}, ${heapLabel}: ${r.error}`);
      }
    }
  }
  for (const t of Object.values(results.throughput)) {
    if (t.error) out.push(`- ${t.label}, throughput: ${t.error}`);
  }
  return out;
}

// A cell whose nsbridge measurement failed counts as missing the target.
function targetSummary(results) {
  if (!results.config.nsbridge) return 'nsbridge was not measured (--no-nsbridge).';
  const heaps = HEAPS.filter(([heap]) => results.sequential[heap]);
  const cells = heaps.length * SCENARIO_NAMES.length;
  const measured = heaps.flatMap(([heap]) => Object.values(results.ratios[heap]));
  const met = measured.filter((c) => c.meets_target).length;
  const failed = cells - measured.length;
  return (
    `Target: nsbridge median ≤ ${TARGET_RATIO}× the reference median; met in ${met} of ${cells} cells` +
    (failed ? ` (${failed} failed).` : '.')
  );
}

function report(results) {
  const { env, config } = results;
  return [
    '## Spawn benchmark',
    '',
    `Node ${env.node}, Linux ${env.kernel}, ${env.cpus} CPUs (${env.cpu}); rss ${env.rssDefaultMiB} MiB at the ` +
      `default heap${env.rssBigHeapMiB ? `, ${env.rssBigHeapMiB} MiB with 2 GiB touched` : ''}.`,
    '',
    '### Sequential spawn + wait of /bin/true (ms, median / p90)',
    '',
    sequentialTable(results),
    '',
    `C reference: ${config.referenceIterations} iterations per cell; the faster median of its two modes ` +
      `(bold) is the reference; it runs in its own small process, so both heap rows show the same ` +
      `figures. Node contenders: ${config.nodeIterations} iterations per cell. ` +
      `All after ${config.warmup} warm-up spawns. child_process runs unshare(1) with the scenario's ` +
      'namespaces, and /bin/true itself for no namespaces.',
    '',
    targetSummary(results),
    '',
    `### Throughput, ${SCENARIOS[THROUGHPUT_SCENARIO].label}, ${config.inFlight} in flight, default heap`,
    '',
    throughputTable(results.throughput),
    ...(failures(results).length ? ['', '### Failures', '', ...failures(results)] : []),
  ].join('\n');
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkRoot();
  const nsSpawn = opts.nsbridge ? await loadNsbridgeSpawn() : null;

  const config = {
    referenceIterations: opts.iterations ?? DEFAULTS.referenceIterations,
    nodeIterations: opts.iterations ?? DEFAULTS.nodeIterations,
    throughputSpawns: opts.iterations ? opts.iterations * 10 : DEFAULTS.throughputSpawns,
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

  results.reference = measureReference(config.referenceIterations);

  results.env.rssDefaultMiB = rssMiB();
  results.sequential = { default: await measureAllSequential(nsSpawn, config.nodeIterations, 'default heap') };
  // Throughput is wanted at the default heap, and the touched 2 GiB cannot reliably be given back:
  // measure it before touching.
  results.throughput = await measureAllThroughput(nsSpawn, config.throughputSpawns);

  results.sequential.bigHeap = null;
  if (opts.bigHeap) {
    log('touching ~2 GiB in this process');
    const keep = touchBigHeap(BIG_HEAP_BYTES);
    results.env.rssBigHeapMiB = rssMiB();
    results.sequential.bigHeap = await measureAllSequential(nsSpawn, config.nodeIterations, '2 GiB touched');
    keep.length = 0;
  }

  results.ratios = {
    default: ratios(results.reference, results.sequential.default),
    bigHeap: results.sequential.bigHeap && ratios(results.reference, results.sequential.bigHeap),
  };

  console.log(opts.json ? JSON.stringify(results, null, 2) : report(results));
}

main().catch((e) => die(e.stack ?? String(e)));
