/**
 * Sockets of other network namespaces in this process (listenIn, connectIn, createDgramSocketIn,
 * socketIn, socketNamespace) and fetch() through namespaceDispatcher: real servers and clients on
 * both sides, the socket's namespace read back from the kernel (SIOCGSKNS), Node's own errors,
 * and this thread's namespaces unchanged after every test.
 */
import { once } from 'node:events';
import { closeSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { request } from 'undici';
import {
  Namespace, connectIn, createDgramSocketIn, createNamespaceSync, listenIn, namespaceDispatcher, socketIn, socketNamespace, spawn, type NsChild,
} from '../src/index.js';
import { isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { openFds } from './helpers/proc-state.mjs';

const NEEDS_ROOT = 'needs root (CAP_SYS_ADMIN) to create and join network namespaces';
const KINDS = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'];
const threadNamespaces = (): string[] => KINDS.map((kind) => readlinkSync(`/proc/thread-self/ns/${kind}`));
const hostNetInode = (): bigint => statSync('/proc/self/ns/net', { bigint: true }).ino;
const threads = (): string[] => readdirSync('/proc/self/task').sort();

/** The inode of the network namespace a Node socket object's fd belongs to (ioctl SIOCGSKNS). */
function namespaceOf(socket: Parameters<typeof socketNamespace>[0]): bigint {
  const ns = socketNamespace(socket);
  try {
    return ns.inode;
  } finally {
    ns.close();
  }
}

/** One request/answer over a connected socket: writes `text`, reads to the end. */
async function roundTrip(socket: Socket, text: string): Promise<string> {
  if (socket.connecting) await once(socket, 'connect');
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  socket.end(text);
  await once(socket, 'close');
  return reply;
}

/** An echo server answering "<tag> got <data>" on each connection. */
const echoServer = (tag: string): Server => createServer((c) => c.once('data', (data) => c.end(`${tag} got ${data.toString()}`)));

/** The error a socket emits, as the fields Node's errors carry. */
async function errorOf(socket: Socket): Promise<Record<string, unknown>> {
  const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException & { address?: string; port?: number }];
  socket.destroy();
  return { message: error.message, code: error.code, errno: error.errno, syscall: error.syscall, address: error.address, port: error.port };
}

/** A program in `ns` that connects to host:port once and prints the reply (or the error code) as JSON. */
async function clientIn(ns: Namespace, host: string, port: number, text: string): Promise<unknown> {
  const child = spawn(process.execPath, ['test/fixtures/net-connect.mjs', host, String(port), text], { join: { net: ns }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  expect(await child.exited).toEqual({ code: 0, signal: null });
  child.process!.close();
  return JSON.parse(out) as unknown;
}

/** A server program in `ns` (test/fixtures/net-serve.mjs) on the addresses; its ports, and a stop. */
async function serverIn(ns: Namespace, ...addresses: string[]): Promise<{ ports: Record<string, number>; child: NsChild; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['test/fixtures/net-serve.mjs', ...addresses], { join: { net: ns }, stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  child.stdout.resume(); // read on to its end, so that our end closes when the program exits
  return {
    ports: JSON.parse(line.toString()) as Record<string, number>,
    child,
    stop: async () => {
      child.stdin.end();
      expect(await child.exited).toEqual({ code: 0, signal: null });
      child.process!.close();
    },
  };
}

describe('sockets made inside a network namespace, used by Node on this thread', () => {
  expectEachTestLeavesHostUnchanged();
  let ours: string[];
  let ns: Namespace;
  beforeEach(() => {
    ours = threadNamespaces();
    if (isRoot) ns = createNamespaceSync('net', { loopback: true });
  });
  afterEach(() => {
    ns?.close();
    // The work was done by native threads that joined and ended: this thread never moved.
    expect(threadNamespaces()).toEqual(ours);
  });

  itWith(isRoot, NEEDS_ROOT, "listenIn: this process's server listens in the namespace (SIOCGSKNS gives its inode), answers a client spawned there over IPv4 and IPv6, and is not reachable from the host", async () => {
    const v4 = echoServer('v4');
    const v6 = echoServer('v6');
    const a4 = (await listenIn(ns, v4, { host: '127.0.0.1', port: 0 })) as AddressInfo;
    const a6 = (await listenIn(ns, v6, { host: '::1', port: 0 })) as AddressInfo;
    try {
      expect([a4.address, a4.family, a6.address, a6.family]).toEqual(['127.0.0.1', 'IPv4', '::1', 'IPv6']);
      expect([namespaceOf(v4), namespaceOf(v6)]).toEqual([ns.inode, ns.inode]);
      expect(namespaceOf(v4)).not.toBe(hostNetInode());
      expect(await clientIn(ns, '127.0.0.1', a4.port, 'hello')).toEqual({ reply: 'v4 got hello' });
      expect(await clientIn(ns, '::1', a6.port, 'hello')).toEqual({ reply: 'v6 got hello' });
      // The host's loopback is another one: nothing listens on that port there.
      expect(await errorOf(connect(a4.port, '127.0.0.1'))).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    } finally {
      v4.close();
      v6.close();
    }
  });

  itWith(isRoot, NEEDS_ROOT, 'listenIn with an http.Server and the default host (:: dual-stack): a client in the namespace gets the answer on 127.0.0.1 and ::1', async () => {
    const server = createHttpServer((req, res) => res.end(`inside ${req.url}`));
    const address = (await listenIn(ns, server)) as AddressInfo;
    try {
      expect([address.address, address.family]).toEqual(['::', 'IPv6']);
      const get = (host: string): Promise<string> => roundTrip(connectIn(ns, { host, port: address.port }), 'GET /x HTTP/1.0\r\n\r\n').then((reply) => reply.split('\r\n').at(-1)!);
      expect([await get('127.0.0.1'), await get('::1')]).toEqual(['inside /x', 'inside /x']);
    } finally {
      server.close();
    }
  });

  itWith(isRoot, NEEDS_ROOT, 'connectIn: a connection from inside reaches a server spawned in the namespace (its socket is in the namespace); the same from the host is refused', async () => {
    const server = await serverIn(ns, '127.0.0.1', '::1');
    try {
      const socket = connectIn(ns, { host: '127.0.0.1', port: server.ports['127.0.0.1']! });
      expect(namespaceOf(socket)).toBe(ns.inode);
      expect(await roundTrip(socket, 'ping')).toBe('127.0.0.1 got ping');
      expect(await roundTrip(connectIn(ns, { host: '::1', port: server.ports['::1']! }), 'ping6')).toBe('::1 got ping6');
      expect(await roundTrip(connectIn(ns, { port: server.ports['127.0.0.1']! }), 'localhost')).toBe('127.0.0.1 got localhost');
      const fromHost = connectIn('self', { host: '127.0.0.1', port: server.ports['127.0.0.1']! });
      expect(namespaceOf(fromHost)).toBe(hostNetInode());
      expect(await errorOf(fromHost)).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await server.stop();
    }
  });

  itWith(isRoot, NEEDS_ROOT, "errors are Node's: ECONNREFUSED from connect, EADDRINUSE from listen, dgram's bind EADDRINUSE; the server is left unbound after a failed listen", async () => {
    expect(await errorOf(connectIn(ns, { host: '127.0.0.1', port: 1 }))).toEqual({
      message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port: 1,
    });
    // No route at all from a namespace whose lo is down.
    const bare = createNamespaceSync('net');
    try {
      expect(await errorOf(connectIn(bare, { host: '10.1.2.3', port: 80 }))).toEqual({
        message: 'connect ENETUNREACH 10.1.2.3:80 - Local (0.0.0.0:0)', code: 'ENETUNREACH', errno: -101, syscall: 'connect', address: '10.1.2.3', port: 80,
      });
    } finally {
      bare.close();
    }
    const first = createServer();
    const address = (await listenIn(ns, first, { host: '127.0.0.1' })) as AddressInfo;
    const second = createServer();
    try {
      await expect(listenIn(ns, second, { host: '127.0.0.1', port: address.port })).rejects.toMatchObject({
        message: `listen EADDRINUSE: address already in use 127.0.0.1:${address.port}`, code: 'EADDRINUSE', errno: -98, syscall: 'listen', address: '127.0.0.1', port: address.port,
      });
      expect([second.listening, second.address()]).toEqual([false, null]);
      // The same port is free on the host: another namespace, another port space.
      const host = createServer();
      host.listen(address.port, '127.0.0.1');
      await once(host, 'listening');
      host.close();
      const udp = await createDgramSocketIn(ns, { type: 'udp4', address: '127.0.0.1' });
      try {
        await expect(createDgramSocketIn(ns, { type: 'udp4', address: '127.0.0.1', port: udp.address().port })).rejects.toMatchObject({
          message: `bind EADDRINUSE 127.0.0.1:${udp.address().port}`, code: 'EADDRINUSE', errno: -98, syscall: 'bind',
        });
      } finally {
        udp.close();
      }
      await expect(listenIn(ns, second, { host: '10.9.9.9' })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'listen', message: 'listen EADDRNOTAVAIL: address not available 10.9.9.9' });
    } finally {
      first.close();
    }
  });

  itWith(isRoot, NEEDS_ROOT, 'UDP: two dgram sockets in the namespace exchange datagrams over 127.0.0.1 and ::1; both are in the namespace', async () => {
    for (const [type, address] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
      const a = await createDgramSocketIn(ns, { type, address });
      const b = await createDgramSocketIn(ns, { type, address });
      try {
        expect([namespaceOf(a), namespaceOf(b)]).toEqual([ns.inode, ns.inode]);
        const got = once(b, 'message');
        a.send(`to ${type}`, b.address().port, address);
        const [message, from] = (await got) as [Buffer, { port: number; address: string }];
        expect([message.toString(), from.port, from.address]).toEqual([`to ${type}`, a.address().port, address]);
      } finally {
        a.close();
        b.close();
      }
    }
  });

  itWith(isRoot, NEEDS_ROOT, 'Unix sockets: an abstract name is per network namespace (reachable from inside, ECONNREFUSED from the host); a path name is the file system\'s', async () => {
    const name = `\0nsbridge-test-${process.pid}`;
    const server = echoServer('unix');
    expect(await listenIn(ns, server, { path: name })).toBe(name);
    try {
      const inside = connectIn(ns, { path: name });
      expect(namespaceOf(inside)).toBe(ns.inode);
      expect(await roundTrip(inside, 'abstract')).toBe('unix got abstract');
      expect(await errorOf(connectIn('self', { path: name }))).toEqual({
        message: `connect ECONNREFUSED: connection refused ${name}`, code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: name, port: undefined,
      });
    } finally {
      server.close();
    }
  });

  itWith(isRoot, NEEDS_ROOT, 'socketIn: a raw fd of the namespace for any Node object; bad input is a TypeError / RangeError naming it; a closed or non-net Namespace is refused before any thread starts', async () => {
    const fd = socketIn(ns, { kind: 'tcp', bind: { address: '127.0.0.1', port: 0 } });
    const server = echoServer('raw');
    server.listen({ fd });
    await once(server, 'listening');
    try {
      expect(namespaceOf(server)).toBe(ns.inode);
      expect(await roundTrip(connectIn(ns, { port: (server.address() as AddressInfo).port }), 'fd')).toBe('raw got fd');
    } finally {
      server.close();
    }
    const unbound = socketIn(ns, { kind: 'unix-seqpacket' });
    expect(namespaceOf(unbound)).toBe(ns.inode);
    closeSync(unbound);

    expect(() => socketIn(ns, { kind: 'sctp' as never })).toThrow(new RangeError("options.kind must be one of 'tcp', 'udp', 'unix', 'unix-dgram', 'unix-seqpacket', got \"sctp\""));
    expect(() => socketIn(ns, { kind: 'tcp', bind: { address: '127.0.0.300' } })).toThrow(new RangeError("options.bind.address must be an IPv4 or IPv6 address, got \"127.0.0.300\""));
    expect(() => socketIn(ns, { kind: 'tcp', family: 6, bind: { address: '127.0.0.1' } })).toThrow(new RangeError('options.bind.address "127.0.0.1" is not an IPv6 address (options.family is 6)'));
    expect(() => socketIn(ns, { kind: 'udp', bind: { address: '::', port: 65536 } })).toThrow(RangeError);
    expect(() => socketIn(ns, { kind: 'unix', bind: { path: 'x'.repeat(108) } })).toThrow(new RangeError('options.bind.path is 108 bytes; a Unix socket address holds at most 107'));
    expect(() => socketIn(ns, { kind: 'unix', ipv6Only: true })).toThrow(new TypeError('options.ipv6Only applies to IPv6 sockets, not to unix'));
    expect(() => socketIn(ns, { kind: 'tcp', port: 1 } as never)).toThrow(new TypeError("Unknown option 'port': expected one of kind, family, bind, reuseAddress, ipv6Only"));
    expect(() => connectIn(ns, { host: 'example.com', port: 80 })).toThrow(TypeError);
    expect(() => connectIn(ns, { host: '127.0.0.1', port: 0 })).toThrow(RangeError);
    await expect(listenIn(ns, {} as Server)).rejects.toThrow(new TypeError('server must be a net.Server (or an http / https server), got [object Object]'));

    const uts = createNamespaceSync('uts');
    expect(() => connectIn(uts, { port: 80 })).toThrow(new TypeError('namespace must be a network namespace, got a uts namespace'));
    uts.close();
    const closed = createNamespaceSync('net');
    closed.close();
    expect(() => connectIn(closed, { port: 80 })).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED' }));
    await expect(listenIn(closed, createServer())).rejects.toMatchObject({ code: 'ERR_NSBRIDGE_CLOSED' });
    await expect(createDgramSocketIn(closed, { type: 'udp4' })).rejects.toMatchObject({ code: 'ERR_NSBRIDGE_CLOSED' });
    expect(() => socketIn(closed, { kind: 'tcp' })).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED' }));
  });

  itWith(isRoot, NEEDS_ROOT, "1,000 listens and connects with a round trip each, in a namespace of their own: once its handle is closed, this process's fds and threads are exactly as they were (the spare sockets made ahead went with it)", async () => {
    const cycle = async (own: Namespace, i: number): Promise<void> => {
      const server = echoServer('n');
      const { port } = (await listenIn(own, server, { host: '127.0.0.1' })) as AddressInfo;
      expect(await roundTrip(connectIn(own, { port }), String(i))).toBe(`n got ${i}`);
      server.close();
      await once(server, 'close');
    };
    // Warm: whatever Node opens or starts once per process on first use is there before the baseline.
    const warm = createNamespaceSync('net', { loopback: true });
    for (let i = 0; i < 10; i++) await cycle(warm, i);
    warm.close();
    const fds = openFds();
    const tasks = threads();
    const own = createNamespaceSync('net', { loopback: true });
    for (let i = 0; i < 1000; i++) await cycle(own, i);
    // Sockets are made 1, 2, 4 … 16 at a time by one thread and kept for the handle.
    expect(openFds().length).toBeGreaterThan(fds.length);
    own.close();
    // A closed handle's fd goes a loop turn later: a bounded wait before the comparison counts.
    for (let turn = 0; turn < 100 && (JSON.stringify(openFds()) !== JSON.stringify(fds) || JSON.stringify(threads()) !== JSON.stringify(tasks)); turn++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(openFds()).toEqual(fds);
    expect(threads()).toEqual(tasks);
  }, 120_000);
});

describe('fetch() into a namespace: namespaceDispatcher', () => {
  expectEachTestLeavesHostUnchanged();

  itWith(isRoot, NEEDS_ROOT, "Node's fetch and undici's request with the dispatcher reach an HTTP server spawned in the namespace; without it the host refuses; a closed Namespace fails the request", async () => {
    const ns = createNamespaceSync('net', { loopback: true });
    const server = spawn(process.execPath, ['-e', "const s = require('http').createServer((q, r) => r.end('ns says ' + q.url)).listen(0, '127.0.0.1', () => console.log(s.address().port)); process.stdin.on('end', () => s.close()).resume()"], { join: { net: ns }, stdio: ['pipe', 'pipe', 'inherit'] });
    const [line] = (await once(server.stdout, 'data')) as [Buffer];
    server.stdout.resume();
    const port = Number(line.toString());
    const dispatcher = namespaceDispatcher(ns);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/a`, { dispatcher });
      expect([res.status, await res.text()]).toEqual([200, 'ns says /a']);
      const r2 = await request(`http://localhost:${port}/b`, { dispatcher });
      expect([r2.statusCode, await r2.body.text()]).toEqual([200, 'ns says /b']);
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
      const closedPort = port === 8 ? 10 : 8; // not on fetch's list of blocked ports
      await expect(fetch(`http://127.0.0.1:${closedPort}/`, { dispatcher })).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED 127.0.0.1:${closedPort}` } });
    } finally {
      await dispatcher.close();
      server.stdin.end();
      expect(await server.exited).toEqual({ code: 0, signal: null });
      server.process!.close();
    }
    const late = namespaceDispatcher(ns);
    ns.close();
    await expect(fetch('http://127.0.0.1:80/', { dispatcher: late })).rejects.toMatchObject({ cause: { code: 'ERR_NSBRIDGE_CLOSED' } });
    await late.close();
    expect(() => namespaceDispatcher(ns)).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED' }));
    expect(() => namespaceDispatcher('self', { agent: { connect: {} } as never })).toThrow(new TypeError('options.agent.connect is not allowed: connections are made by the dispatcher, inside the namespace'));
  });
});
