#!/usr/bin/env node
// The "acting inside namespaces" benchmark (issue 16): sockets made inside a network namespace
// against the same on the host's loopback, and fetch() through namespaceDispatcher against plain
// fetch, in ONE run.
//
//   npm run bench:inside -- [--rounds N] [--iterations N] [--json]
//
// Workloads (each op timed for both contenders, this process's own servers and clients):
// (a) listen + connect + one round trip: a net.Server listens on 127.0.0.1 port 0, a client
//     connects, sends 1 byte, the server answers and ends, the client reads to the end, the server
//     closes. Host: server.listen() + net.connect(); nsbridge: listenIn(ns, …) + connectIn(ns, …)
//     in a namespace with lo up (each makes its socket on a native thread that joins it).
// (b) fetch, pooled: GET of a small body from an http.Server on 127.0.0.1, keep-alive. Host:
//     the global fetch (its default dispatcher); nsbridge: fetch with namespaceDispatcher(ns)
//     against the same server listening in the namespace.
// (c) fetch, a new connection each: as (b), with a fresh undici Agent (host) or a fresh
//     namespaceDispatcher(ns) per request, closed after it: the connect path every time.
//
// --rounds rounds (default 9), each running both contenders in an order rotated by one each
// round (scripts/bench/rounds.mjs); a contender does --iterations ops in its turn (default 200,
// after 10 untimed) and its figure is the turn's time / ops. A cell is the median over the rounds
// with p25–p75; a ratio is the median of the per-round ratios nsbridge ÷ host. Goals (reported,
// not enforced): (a) <= 2x the host figure; (b) and (c) <= 1.5x.
//
// Needs root (CAP_SYS_ADMIN for the namespace) and dist/ built (`npm run build:ts`).
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { cpus, release } from 'node:os';
import { Agent } from 'undici';
import { connectIn, createNamespaceSync, listenIn, namespaceDispatcher } from '../../dist/index.js';
import { benchArguments, formatSpread, markdownTable, perRoundRatios, rotation, spread } from './rounds.mjs';

const USAGE = 'usage: node scripts/bench/inside.mjs [--rounds N] [--iterations N] [--json]';
const { rounds: ROUNDS, iterations: ITERATIONS, json: JSON_OUT, die } = benchArguments('bench:inside', USAGE, { rounds: 9, iterations: 200 });
const WARMUP = 10;
if (process.getuid?.() !== 0) die('needs root (a network namespace is created)');

const ns = createNamespaceSync('net', { loopback: true });

/** One listen + connect + 1-byte round trip + close, with the given listen and connect. */
async function roundTrip(listen, dial) {
  const server = createServer((c) => c.once('data', () => c.end('y')));
  const { port } = await listen(server);
  const socket = dial(port);
  socket.end('x');
  socket.resume();
  await once(socket, 'close');
  server.close();
  await once(server, 'close');
}
const hostListen = async (server) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address();
};
const nsListen = (server) => listenIn(ns, server, { host: '127.0.0.1', port: 0 });

// Servers for the fetch workloads: one on the host's loopback, one in the namespace.
const handler = (req, res) => res.end('ok');
const hostHttp = createHttpServer(handler);
hostHttp.listen(0, '127.0.0.1');
await once(hostHttp, 'listening');
const hostUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (hostHttp.address()).port}/`;
const nsHttp = createHttpServer(handler);
const nsUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (await listenIn(ns, nsHttp, { host: '127.0.0.1', port: 0 })).port}/`;
const pooled = namespaceDispatcher(ns);

async function get(url, dispatcher) {
  const res = await fetch(url, dispatcher === undefined ? {} : { dispatcher });
  const text = await res.text();
  if (text !== 'ok') throw new Error(`unexpected body ${text}`);
}

const WORKLOADS = [
  {
    id: 'roundtrip',
    title: 'listen + connect + 1 round trip',
    goal: 2,
    host: () => roundTrip(hostListen, (port) => connect(port, '127.0.0.1')),
    nsbridge: () => roundTrip(nsListen, (port) => connectIn(ns, { host: '127.0.0.1', port })),
  },
  {
    id: 'fetch-pooled',
    title: 'fetch, keep-alive pool',
    goal: 1.5,
    host: () => get(hostUrl),
    nsbridge: () => get(nsUrl, pooled),
  },
  {
    id: 'fetch-new',
    title: 'fetch, a new connection each',
    goal: 1.5,
    host: async () => {
      const agent = new Agent();
      await get(hostUrl, agent);
      await agent.close();
    },
    nsbridge: async () => {
      const dispatcher = namespaceDispatcher(ns);
      await get(nsUrl, dispatcher);
      await dispatcher.close();
    },
  },
];

async function turn(op) {
  for (let i = 0; i < WARMUP; i++) await op();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await op();
  return Number(process.hrtime.bigint() - start) / 1e6 / ITERATIONS;
}

const results = [];
try {
  for (const w of WORKLOADS) {
    const times = { host: [], nsbridge: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const who of rotation(['host', 'nsbridge'], r)) times[who].push(await turn(w[who]));
    }
    const ratio = spread(perRoundRatios(times.nsbridge, times.host), 2);
    results.push({ id: w.id, title: w.title, goal: w.goal, host: spread(times.host, 4), nsbridge: spread(times.nsbridge, 4), ratio, met: ratio.median !== null && ratio.median <= w.goal });
  }
} finally {
  await pooled.close();
  hostHttp.close();
  nsHttp.close();
  ns.close();
}

const machine = { node: process.version, kernel: release(), cpus: cpus().length, rounds: ROUNDS, iterations: ITERATIONS };
if (JSON_OUT) {
  console.log(JSON.stringify({ machine, results }, null, 2));
} else {
  console.log(`bench:inside — ${machine.rounds} rounds × ${machine.iterations} ops, node ${machine.node}, kernel ${machine.kernel}, ${machine.cpus} CPUs`);
  console.log(markdownTable(
    ['workload', 'host (ms/op)', 'in a namespace (ms/op)', 'ratio', 'goal'],
    results.map((r) => [r.title, formatSpread(r.host, 3), formatSpread(r.nsbridge, 3), `${formatSpread(r.ratio, 2)}×`, `≤ ${r.goal}× ${r.met ? 'met' : 'missed'}`]),
    1,
  ));
}
