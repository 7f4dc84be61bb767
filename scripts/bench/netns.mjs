#!/usr/bin/env node
// The network namespace benchmark (issue 15): nsbridge's netns and veth calls against iproute2,
// driven from Node (one child process per `ip` command) and from one shell loop, in ONE run.
//
//   npm run bench:netns -- [--rounds N] [--iterations N] [--json]
//
// Workloads, each op timed for every contender:
// (a) a network namespace with lo up, created and destroyed:
//     - nsbridge, anonymous: createNamespaceSync('net', { loopback: true }), close();
//     - nsbridge, named (the fair comparison with ip): the same plus persistNamespace(ns, name)
//       before close() and removePersistedNamespace(name) after;
//     - ip from Node: execFileSync of `ip netns add N`, `ip -n N link set lo up`, `ip netns del N`;
//     - ip shell loop: those three in one `sh -c 'for i in $(seq K); ...'`, its time divided by K.
// (b) a veth pair between two existing namespaces (made before the timing), one address on each
//     end, both ends up — pair i of a round named A<i> / B<i>:
//     - nsbridge: createVethPair({ a, b });
//     - ip from Node / shell loop: `ip link add A netns nA type veth peer name B netns nB`, two
//       `ip -n … addr add`, two `ip -n … link set … up`.
//     The pairs go away untimed after each contender's turn, with the two namespaces, which are
//     made anew: the kernel takes ~20 ms to delete one veth pair (ip link del waits for it just
//     the same), which would swamp the setup this workload compares.
// Then throughput, namespaces/s with 4 in flight: nsbridge 4 createNamespace('net', { loopback:
// true }) promises at a time (Promise.all, then close), against 4 concurrent async child_process
// chains of `ip netns add N; ip -n N link set lo up; ip netns del N`.
//
// --rounds rounds (default 9), each running every contender once in an order rotated by one each
// round (scripts/bench/rounds.mjs); in a round a contender does --iterations ops (default 40,
// after 3 untimed ones) and its figure is the round's time / ops (all the shell loop can give). A
// cell is the median over the rounds with p25–p75; a speed-up is the median of the per-round ratios
// contender ÷ nsbridge. Goal (reported, not enforced): nsbridge (named, for (a)) >= 10x faster
// than ip from Node and >= 3x faster than the shell loop, in (a) and (b).
//
// Needs root, ip(8) and dist/ built (`npm run build:ts`). Every name it makes starts with
// nsbb-PID- (/run/netns) or nsbbPID (links, inside its namespaces only); all are removed at the
// end, on error and on SIGINT/SIGTERM, and the run checks `ip netns list` and the host's links
// are as before.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { cpus, release } from 'node:os';
import { benchArguments, formatSpread, markdownTable, perRoundRatios, rotation, spread } from './rounds.mjs';

const USAGE = 'usage: node scripts/bench/netns.mjs [--rounds N] [--iterations N] [--json]';
const log = (msg) => process.stderr.write(`${msg}\n`);
const { rounds: ROUNDS, iterations: ITERATIONS, json: JSON_OUT, die } = benchArguments('bench:netns', USAGE, { rounds: 9, iterations: 40 });
const WARMUP = 3;
const IN_FLIGHT = 4;
const THROUGHPUT_OPS = IN_FLIGHT * Math.ceil(ITERATIONS / 2); // namespaces per contender and round
const GOAL = { ipNode: 10, ipShell: 3 };

if (process.getuid() !== 0) die('needs root (new network namespaces, /run/netns, veth links)');

const NETNS_DIR = '/run/netns';
const PREFIX = `nsbb-${process.pid}-`; // netns names
const LINK_A = `vb${process.pid}a`; // veth ends, + the pair's number: <= 15 bytes
const LINK_B = `vb${process.pid}b`;
const NS_A = `${PREFIX}A`; // the two namespaces of workload (b)
const NS_B = `${PREFIX}B`;
const ADDR_A = '10.9.0.1/24';
const ADDR_B = '10.9.0.2/24';

const ip = (...argv) => execFileSync('ip', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
const execFileAsync = promisify(execFile);
const ipAsync = (argv) => execFileAsync('ip', argv);
const sh = (script) => execFileSync('sh', ['-c', `set -e; ${script}`], { stdio: ['ignore', 'ignore', 'pipe'] });
const netnsNames = () => readdirSync(NETNS_DIR).sort();
const hostLinks = () => readdirSync('/sys/class/net').sort();

// ---- clean-up: every /run/netns/nsbb-PID-*, and so every link in them -----------------------------

const held = []; // handles of workload (b)'s namespaces
function cleanup() {
  for (const ns of held.splice(0)) ns.close();
  for (const name of netnsNames().filter((n) => n.startsWith(PREFIX))) {
    try {
      ip('netns', 'del', name);
    } catch (e) {
      log(`clean-up: ip netns del ${name}: ${e.stderr?.toString().trim() || e.message}`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

/** Workload (b)'s two namespaces, made anew (deleting them takes their links along, asynchronously in the kernel). */
function freshVethNamespaces(nsb) {
  for (const ns of held.splice(0)) ns.close();
  for (const name of [NS_A, NS_B]) {
    if (netnsNames().includes(name)) ip('netns', 'del', name);
    ip('netns', 'add', name);
  }
  held.push(nsb.openPersistedNamespace(NS_A), nsb.openPersistedNamespace(NS_B));
}

// ---- contenders: op(i) does one op; shellLoop(k) does k in one shell; none leaves anything -------

function contenders(nsb) {
  const { createNamespace, createNamespaceSync, persistNamespace, removePersistedNamespace, createVethPair } = nsb;
  let n = 0; // a fresh name per op, so a failed op cannot trip up the next
  const netnsIp = (N) => [['netns', 'add', N], ['-n', N, 'link', 'set', 'lo', 'up'], ['netns', 'del', N]];
  const netnsShell = (k, tag) => `for i in $(seq ${k}); do ip netns add ${PREFIX}${tag}$i; ip -n ${PREFIX}${tag}$i link set lo up; ip netns del ${PREFIX}${tag}$i; done`;
  const vethIp = (i) => [
    ['link', 'add', `${LINK_A}${i}`, 'netns', NS_A, 'type', 'veth', 'peer', 'name', `${LINK_B}${i}`, 'netns', NS_B],
    ['-n', NS_A, 'addr', 'add', ADDR_A, 'dev', `${LINK_A}${i}`],
    ['-n', NS_B, 'addr', 'add', ADDR_B, 'dev', `${LINK_B}${i}`],
    ['-n', NS_A, 'link', 'set', `${LINK_A}${i}`, 'up'],
    ['-n', NS_B, 'link', 'set', `${LINK_B}${i}`, 'up'],
  ];
  let pair = 0; // pairs made since the namespaces were made anew
  return {
    netns: [
      { key: 'anonymous', label: 'nsbridge, anonymous', op: () => createNamespaceSync('net', { loopback: true }).close() },
      {
        key: 'named',
        label: 'nsbridge, named (persist + remove)',
        op: () => {
          const name = `${PREFIX}n${n++}`;
          const ns = createNamespaceSync('net', { loopback: true });
          try {
            persistNamespace(ns, name);
          } finally {
            ns.close();
          }
          removePersistedNamespace(name);
        },
      },
      { key: 'ipNode', label: 'ip from Node (3 × execFileSync)', op: () => netnsIp(`${PREFIX}i${n++}`).forEach((a) => ip(...a)) },
      { key: 'ipShell', label: 'ip, one shell loop', shellLoop: (k) => sh(netnsShell(k, `s${n++}-`)) },
    ],
    veth: [
      {
        key: 'nsbridge',
        label: 'nsbridge createVethPair',
        reset: () => ((pair = 0), freshVethNamespaces(nsb)),
        op: () => {
          const i = pair++;
          createVethPair({
            a: { namespace: held[0], name: `${LINK_A}${i}`, addresses: [ADDR_A] },
            b: { namespace: held[1], name: `${LINK_B}${i}`, addresses: [ADDR_B] },
          });
        },
      },
      { key: 'ipNode', label: 'ip from Node (5 × execFileSync)', reset: () => ((pair = 0), freshVethNamespaces(nsb)), op: () => vethIp(pair++).forEach((a) => ip(...a)) },
      {
        key: 'ipShell',
        label: 'ip, one shell loop',
        reset: () => ((pair = 0), freshVethNamespaces(nsb)),
        shellLoop: (k) => {
          const first = pair;
          pair += k;
          sh(`for i in $(seq ${first} ${first + k - 1}); do ${vethIp('$i').map((a) => `ip ${a.join(' ')}`).join('; ')}; done`);
        },
      },
    ],
    throughput: [
      {
        key: 'nsbridge',
        label: `nsbridge createNamespace, ${IN_FLIGHT} per Promise.all`,
        batch: async (total) => {
          for (let done = 0; done < total; done += IN_FLIGHT) {
            const batch = await Promise.all(Array.from({ length: IN_FLIGHT }, () => createNamespace('net', { loopback: true })));
            for (const ns of batch) ns.close();
          }
        },
      },
      {
        key: 'ipNode',
        label: `ip from Node, ${IN_FLIGHT} async chains`,
        batch: async (total) => {
          let started = 0;
          const chain = async () => {
            while (started < total) {
              started++;
              for (const a of netnsIp(`${PREFIX}t${n++}`)) await ipAsync(a);
            }
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, chain));
        },
      },
    ],
  };
}

// ---- measurement: per round and contender, µs per op (or namespaces/s) -----------------------------

const nowUs = () => Number(process.hrtime.bigint()) / 1e3;

function perOpUs(c) {
  if (c.shellLoop) {
    c.shellLoop(WARMUP);
    const t0 = nowUs();
    c.shellLoop(ITERATIONS);
    const us = (nowUs() - t0) / ITERATIONS;
    c.reset?.();
    return us;
  }
  for (let i = 0; i < WARMUP; i++) c.op();
  const t0 = nowUs();
  for (let i = 0; i < ITERATIONS; i++) c.op();
  const us = (nowUs() - t0) / ITERATIONS;
  c.reset?.(); // untimed: what the op made goes away before the next contender's turn
  return us;
}

async function perSecond(c) {
  await c.batch(IN_FLIGHT);
  const t0 = nowUs();
  await c.batch(THROUGHPUT_OPS);
  return THROUGHPUT_OPS / ((nowUs() - t0) / 1e6);
}

// { key: [figure per round] } for a workload's contenders.
async function measure(what, list, fn) {
  const samples = Object.fromEntries(list.map((c) => [c.key, []]));
  for (let r = 0; r < ROUNDS; r++) {
    log(`${what}, round ${r + 1}/${ROUNDS}`);
    for (const c of rotation(list, r)) {
      await new Promise((resolve) => setImmediate(resolve)); // let a pending SIGINT/SIGTERM handler run
      samples[c.key].push(await fn(c));
    }
  }
  return samples;
}

// Each contender's figure, and its per-round ratio to the contender `ref`'s.
function summarise(list, samples, ref, digits) {
  return Object.fromEntries(
    list.map((c) => [
      c.key,
      { label: c.label, figure: spread(samples[c.key], digits), speedup: spread(perRoundRatios(samples[c.key], samples[ref]), 3) },
    ]),
  );
}

// ---- report ------------------------------------------------------------------------------------------

const goalCell = (key, s) => (GOAL[key] ? `≥ ${GOAL[key]}× ${s.speedup.median >= GOAL[key] ? 'meets' : 'misses'}` : '');

function report(results) {
  const rows = [];
  for (const [workload, label, ref] of [
    ['netns', '(a) netns + lo up, create + destroy', 'named'],
    ['veth', '(b) veth pair, 2 addresses, up', 'nsbridge'],
  ]) {
    Object.entries(results[workload]).forEach(([key, s], i) =>
      rows.push([i ? '' : label, s.label, formatSpread(s.figure, 0), key === ref ? '1 (reference)' : formatSpread(s.speedup, 1, '×'), goalCell(key, s)]),
    );
  }
  const t = results.throughput;
  const met = Object.values(results.goals).filter(Boolean).length;
  const anon = results.netns.anonymous;
  const ratioTo = (key) => formatSpread(spread(perRoundRatios(results.samples.netns[key], results.samples.netns.anonymous), 3), 1, '×');
  return [
    '## Network namespace benchmark',
    '',
    `Node ${results.env.node}, Linux ${results.env.kernel}, ${results.env.cpus} CPUs (${results.env.cpu}), iproute2 ${results.env.ip}.`,
    '',
    `### Per op (µs: median over ${ROUNDS} interleaved rounds of ${ITERATIONS} ops each, p25–p75)`,
    '',
    markdownTable(['workload', 'contender', 'µs per op', 'time ÷ nsbridge, per round', 'goal'], rows, 2),
    '',
    `The anonymous namespace (${formatSpread(anon.figure, 0)} µs) is ${ratioTo('ipNode')} faster than ip from Node and ${ratioTo('ipShell')} ` +
      'than the shell loop; the goal is judged on the named one, which does what `ip netns add/del` does.',
    '',
    `Goal: nsbridge ≥ ${GOAL.ipNode}× faster than ip from Node and ≥ ${GOAL.ipShell}× faster than the shell loop, in (a) and (b): met in ${met} of 4.`,
    '',
    `### Throughput, ${IN_FLIGHT} in flight (namespaces/s: median over ${ROUNDS} rounds of ${THROUGHPUT_OPS} each, p25–p75)`,
    '',
    markdownTable(['contender', 'namespaces/s'], Object.values(t).map((s) => [s.label, formatSpread(s.figure, 0)]), 1),
    '',
    `nsbridge ÷ ip from Node, per round: ${formatSpread(t.nsbridge.speedup, 1, '×')}.`,
  ].join('\n');
}

// ---- main ----------------------------------------------------------------------------------------------

async function main() {
  const nsb = await import('../../dist/index.js').catch((e) => die(`cannot load dist/index.js (build it with \`npm run build:ts\`): ${e.message}`));
  const list = contenders(nsb);
  const before = { netns: netnsNames(), links: hostLinks() };
  const results = {
    env: { node: process.version, kernel: release(), cpus: cpus().length, cpu: cpus()[0]?.model, ip: /iproute2-([^\s,]+)/.exec(execFileSync('ip', ['-V']).toString())?.[1] },
    config: { rounds: ROUNDS, iterations: ITERATIONS, warmup: WARMUP, inFlight: IN_FLIGHT, throughputOps: THROUGHPUT_OPS, goal: GOAL },
    samples: {},
  };
  try {
    results.samples.netns = await measure('(a) netns', list.netns, perOpUs);
    freshVethNamespaces(nsb);
    results.samples.veth = await measure('(b) veth', list.veth, perOpUs);
    cleanup();
    results.samples.throughput = await measure('throughput', list.throughput, perSecond);
  } finally {
    cleanup();
  }
  results.netns = summarise(list.netns, results.samples.netns, 'named', 1);
  results.veth = summarise(list.veth, results.samples.veth, 'nsbridge', 1);
  results.throughput = summarise(list.throughput, results.samples.throughput, 'ipNode', 1);
  results.goals = Object.fromEntries(
    ['netns', 'veth'].flatMap((w) => Object.keys(GOAL).map((k) => [`${w}_${k}`, results[w][k].speedup.median >= GOAL[k]])),
  );
  const after = { netns: netnsNames(), links: hostLinks() };
  for (const k of ['netns', 'links']) if (after[k].join() !== before[k].join()) log(`warning: ${k} before [${before[k]}], after [${after[k]}]`);
  console.log(JSON_OUT ? JSON.stringify(results, null, 2) : report(results));
}

main().catch((e) => {
  // Ctrl-C reaches the ip or sh child too, whose death ends the run here (cleaned up by then).
  if (e.signal === 'SIGINT' || e.signal === 'SIGTERM' || e.status === 130) {
    log('interrupted');
    process.exit(130);
  }
  die(e.stderr?.toString().trim() || e.stack || String(e));
});
