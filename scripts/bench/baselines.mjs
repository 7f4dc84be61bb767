#!/usr/bin/env node
// Baselines for the (future) spawn benchmark.
//
//   node scripts/bench/baselines.mjs [--iterations N] [--json] [--no-big-heap]
//
// 1. Compiles spawn-reference.c (cc) into a temp dir and runs it for every
//    scenario (plain, ns4, userns) x mode (fork, vm); each run reports a median.
// 2. Times sequential child_process.spawn + 'exit' in this process for
//    /bin/true and for unshare(1) doing the same namespaces as ns4 / userns,
//    at the default heap and again after touching ~2 GiB of memory here
//    (fork cost grows with the parent's page tables).
//
// Needs root (ns4 needs CAP_SYS_ADMIN), cc and unshare(1). No dependencies.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCENARIOS = ['plain', 'ns4', 'userns'];
const MODES = ['fork', 'vm'];
const BIG_HEAP_BYTES = 2 * 1024 ** 3;
const WARMUP = 5;

const CHILD_COMMANDS = {
  true: ['/bin/true', []],
  ns4: ['unshare', ['--pid', '--uts', '--ipc', '--mount', '--fork', '/bin/true']],
  userns: ['unshare', ['--user', '--map-root-user', '--pid', '--mount', '--fork', '/bin/true']],
};

function parseArgs(argv) {
  const opts = { iterations: null, json: false, bigHeap: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--no-big-heap') opts.bigHeap = false;
    else if (a === '--iterations' || a.startsWith('--iterations=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) die(`--iterations needs a positive integer, got ${v}`);
      opts.iterations = n;
    } else if (a === '-h' || a === '--help') {
      console.log('usage: node baselines.mjs [--iterations N] [--json] [--no-big-heap]');
      process.exit(0);
    } else die(`unknown argument: ${a}`);
  }
  return opts;
}

function die(msg) {
  console.error(`baselines: ${msg}`);
  process.exit(1);
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

function stats(samplesUs) {
  const s = [...samplesUs].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const p90 = s[Math.min(n - 1, Math.max(0, Math.ceil(0.9 * n) - 1))];
  return { iterations: n, median_us: round1(median), p90_us: round1(p90) };
}

const round1 = (x) => Math.round(x * 10) / 10;

// ---- C reference --------------------------------------------------------

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
    out = execFileSync(bin, [scenario, mode, String(iterations)], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    die(`spawn-reference ${scenario} ${mode} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
  return JSON.parse(out.toString());
}

// ---- child_process ------------------------------------------------------

function spawnOnce(cmd, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const us = Number(process.hrtime.bigint() - t0) / 1e3;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
      else resolve(us);
    });
  });
}

async function measureChild(name, iterations) {
  const [cmd, args] = CHILD_COMMANDS[name];
  for (let i = 0; i < WARMUP; i++) await spawnOnce(cmd, args);
  const samples = [];
  for (let i = 0; i < iterations; i++) samples.push(await spawnOnce(cmd, args));
  return { command: [cmd, ...args].join(' '), ...stats(samples) };
}

async function measureAllChildren(iterations, label) {
  const res = {};
  for (const name of Object.keys(CHILD_COMMANDS)) {
    log(`child_process ${name} (${label}) x${iterations}`);
    res[name] = await measureChild(name, iterations);
  }
  return res;
}

// Allocate and touch ~2 GiB (outside the V8 heap, so no --max-old-space-size
// needed; what matters for fork is the resident, mapped memory).
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

// ---- output -------------------------------------------------------------

const ms = (r) => (r ? (r.median_us / 1000).toFixed(3) : '—');

function table(results) {
  const { reference, childProcess } = results;
  const def = childProcess.default;
  const big = childProcess.bigHeap;
  const head = [
    'scenario',
    'C ref fork',
    'C ref vm',
    'unshare(1) default heap',
    'unshare(1) 2 GiB',
    '/bin/true default heap',
    '/bin/true 2 GiB',
  ];
  const rows = SCENARIOS.map((s) => {
    const ref = (m) => reference.find((r) => r.scenario === s && r.mode === m);
    const un = s === 'plain' ? null : s;
    return [
      s,
      ms(ref('fork')),
      ms(ref('vm')),
      un ? ms(def[un]) : '—',
      un && big ? ms(big[un]) : '—',
      s === 'plain' ? ms(def.true) : '—',
      s === 'plain' && big ? ms(big.true) : '—',
    ];
  });
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  return lines.join('\n');
}

// ---- main ---------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const refIters = opts.iterations ?? 300;
  const cpIters = opts.iterations ?? 200;

  const dir = mkdtempSync(join(tmpdir(), 'nsbridge-bench-'));
  const results = {
    env: { node: process.version, kernel: release(), cpus: cpus().length, cpu: cpus()[0]?.model },
    reference: [],
    childProcess: { default: null, bigHeap: null },
  };
  try {
    const bin = buildReference(dir);
    for (const s of SCENARIOS) {
      for (const m of MODES) {
        log(`spawn-reference ${s} ${m} x${refIters}`);
        results.reference.push(runReference(bin, s, m, refIters));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  results.env.rssDefaultMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
  results.childProcess.default = await measureAllChildren(cpIters, 'default heap');

  if (opts.bigHeap) {
    log('touching ~2 GiB in this process');
    const keep = touchBigHeap(BIG_HEAP_BYTES);
    results.env.rssBigHeapMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    results.childProcess.bigHeap = await measureAllChildren(cpIters, '2 GiB');
    keep.length = 0;
  }

  if (opts.json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    console.log(table(results));
    console.log();
    console.log(
      `Medians in ms. C reference: ${refIters} iterations per cell; child_process: ${cpIters} sequential ` +
        `spawn+'exit' per cell (rss ${results.env.rssDefaultMiB} MiB default` +
        (opts.bigHeap ? `, ${results.env.rssBigHeapMiB} MiB with the 2 GiB touched)` : ')') +
        `. Node ${results.env.node}, kernel ${results.env.kernel}, ${results.env.cpus} CPUs.`,
    );
  }
}

main().catch((e) => die(e.stack ?? String(e)));
