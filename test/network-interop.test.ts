/**
 * nsbridge and iproute2 on the same names and links, both ways: what nsbridge makes (names in
 * /run/netns, veth pairs, addresses, routes) is what `ip` shows, field by field from `ip -j`; what
 * `ip netns add` makes nsbridge opens, lists, configures and deletes; `ip netns exec` and
 * `nsbridge netns exec` put a program in the same network namespace; and a name added later is
 * seen from a mount namespace made before it, because /run/netns is a shared mount (checked
 * through /proc/<pid>/mountinfo and nsenter + stat, not through nsbridge).
 */
import { spawn as spawnProcess, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect } from 'vitest';
import {
  createNamespaceSync, createVethPair, isNamespaceMount, listNetnsNames, openPersistedNamespace, persistNamespace, removePersistedNamespace, spawn, type Namespace,
} from '../src/index.js';
import { nsbridge } from './helpers/cli.js';
import { hasCommands, isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { expectEachTestLeavesNetworkUnchanged, withNetwork } from './helpers/network.js';
import { PLAIN_ENV, nodeArgv, repoRoot } from './helpers/processes.js';

const haveIp = isRoot && hasCommands('ip');
const NEEDS_IP = 'needs root and iproute2 (ip)';
const haveTools = haveIp && hasCommands('unshare', 'nsenter', 'stat');
const NEEDS_TOOLS = 'needs root, iproute2 (ip) and util-linux unshare / nsenter, coreutils stat';

const prefix = `nsbt-${process.pid}-`;
/** An interface name of this file: ≤ 15 bytes whatever the pid. */
const ifname = (tag: string): string => {
  const name = `nb${process.pid}${tag}`;
  if (Buffer.byteLength(name) > 15) throw new Error(`interface name too long: ${name}`);
  return name;
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A program other than node, to completion (without the ASan run's LD_PRELOAD). */
function run(file: string, args: readonly string[]): Run {
  const result = spawnSync(file, args, { encoding: 'utf8', env: PLAIN_ENV, timeout: 30_000, killSignal: 'SIGKILL' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const RUN_DIR = '/run/netns';
const BROKEN_ENTRY = 'Error: Peer netns reference is invalid.\n';

/** Entries in /run/netns that are not this file's and not namespace mounts (ip lists them, nsbridge does not). */
const foreignBrokenEntries = (): string[] => (existsSync(RUN_DIR) ? readdirSync(RUN_DIR).filter((name) => !name.startsWith(prefix) && !isNamespaceMount(`${RUN_DIR}/${name}`)) : []);

/**
 * `ip …` that must succeed quietly; its stdout. ip asks the kernel for the netns id of entries in
 * /run/netns (netns list, and any command that names link-netns peers) and prints BROKEN_ENTRY for
 * each entry that is not a namespace mount. Such entries are never this file's (a machine may keep
 * them from an interrupted run of anything), so that line is allowed only while a foreign broken
 * entry exists, and nothing else on stderr ever.
 */
function ip(...args: string[]): string {
  const foreignBroken = foreignBrokenEntries().length > 0;
  const result = run('ip', args);
  const stderr = foreignBroken ? result.stderr.split(BROKEN_ENTRY).join('') : result.stderr;
  expect(stderr, `ip ${args.join(' ')}`).toBe('');
  expect(result.status, `ip ${args.join(' ')}`).toBe(0);
  return result.stdout;
}

/** `ip -j …`, parsed. */
const ipJson = (...args: string[]): Record<string, any>[] => JSON.parse(ip('-j', ...args)) as Record<string, any>[];

/** The lines of `ip netns list` for this file's names. */
const ipNetnsLines = (): string[] => ip('netns', 'list').split('\n').filter((line) => line.startsWith(prefix)).sort();

/** Every name `ip netns list` prints (without its " (id: N)"), sorted. */
const ipNetnsNames = (): string[] => ip('netns', 'list').split('\n').filter(Boolean).map((line) => line.replace(/ \(id: \d+\)$/, '')).sort();

/** The keys of an `ip -j link` entry compared here (a missing key shows up as a difference). */
function linkView(link: Record<string, any>): Record<string, unknown> {
  const keys = ['ifindex', 'ifname', 'link', 'link_index', 'link_netnsid', 'flags', 'mtu', 'operstate', 'link_type', 'address'];
  return Object.fromEntries(keys.filter((key) => key in link).map((key) => [key, link[key]]));
}

/**
 * An `ip -j addr` address: family, address/prefix, scope and whether it was added without DAD.
 * `tentative` is left out: the DAD of an address without nodad (the link-local fe80:: ones) runs
 * about a second, so whether ip catches it tentative is timing.
 */
const addrView = (a: Record<string, any>): [string, string, string, boolean] => [a.family, `${a.local}/${a.prefixlen}`, a.scope, a.nodad === true];

const addrsOf = (entries: Record<string, any>[]): Record<string, [string, string, string, boolean][]> =>
  Object.fromEntries(entries.map((entry) => [entry.ifname, (entry.addr_info as Record<string, any>[]).map(addrView)]));


/** The interface names of a /proc/net/dev text, sorted. */
const devNames = (text: string): string[] => text.split('\n').slice(2).filter(Boolean).map((line) => line.split(':')[0]!.trim()).sort();

/** The mount of `/run/netns/NAME` in a process's mountinfo: [root, fstype], or null. */
function mountOf(pid: number | 'self', path: string): [string, string] | null {
  for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields[4] !== path) continue;
    const dash = fields.indexOf('-');
    return [fields[3]!, fields[dash + 1]!];
  }
  return null;
}

/** What a process sees at `path` in its mount namespace: file system type and inode (nsenter + stat), or stat's complaint. */
function seenAt(pid: number, path: string): string {
  const fsType = run('nsenter', ['-t', String(pid), '-m', 'stat', '-f', '-c', '%T', path]);
  const inode = run('nsenter', ['-t', String(pid), '-m', 'stat', '-L', '-c', '%i', path]);
  if (fsType.status !== 0 || inode.status !== 0) {
    const enoent = [fsType, inode].every((r) => r.status === 1 && r.stdout === '' && r.stderr.endsWith(`'${path}': No such file or directory\n`));
    return enoent ? 'ENOENT' : `${fsType.status} ${inode.status} ${fsType.stderr}${inode.stderr}`;
  }
  return `${fsType.stdout.trim()} ${inode.stdout.trim()}`;
}

/** One TCP round trip from this process; the reply, or the error code. */
async function roundTrip(host: string, port: number, text: string): Promise<string> {
  const socket = connect(port, host);
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  try {
    await once(socket, 'connect');
    socket.write(text);
    await once(socket, 'end');
    return reply;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  } finally {
    socket.destroy();
  }
}

/** A TCP server in `ns` (test/fixtures/netns-serve.mjs) on these addresses. */
async function serveIn(ns: Namespace, addresses: string[]): Promise<{ ports: Record<string, number>; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['test/fixtures/netns-serve.mjs', ...addresses], { join: { net: ns }, cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let line = '';
  child.stdout.setEncoding('utf8');
  while (!line.includes('\n')) {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), child.exited.then((status) => Promise.reject(new Error(`server exited: ${JSON.stringify(status)}`)))])) as [string];
    line += chunk;
  }
  return {
    ports: JSON.parse(line) as Record<string, number>,
    stop: async () => {
      child.stdin.end();
      expect(await child.exited).toEqual({ code: 0, signal: null });
      child.process!.close();
    },
  };
}

/** A process parked in a mount namespace of its own: `sh -c 'echo ready; exec sleep 1000'`; pid is the sleep's. */
interface Watcher {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Resolves once `pid` runs sleep: the shell prints "ready" before its exec, so the comm is still
 * "sh" for a moment after the line arrives. Rejects after 10 s.
 */
async function execedSleep(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (readFileSync(`/proc/${pid}/comm`, 'utf8') !== 'sleep\n') {
    if (Date.now() > deadline) throw new Error(`pid ${pid} did not exec sleep within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function unshareWatcher(propagation: 'unchanged' | 'private'): Promise<Watcher> {
  const child = spawnProcess('unshare', ['-m', '--propagation', propagation, 'sh', '-c', 'echo ready; exec sleep 1000'], { env: PLAIN_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then((code) => Promise.reject(new Error(`unshare exited: ${String(code)}`)))])) as [Buffer];
  expect(chunk.toString()).toBe('ready\n');
  await execedSleep(child.pid!);
  return {
    pid: child.pid!,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function nsbridgeWatcher(propagation: 'unchanged' | 'private'): Promise<Watcher> {
  const child = spawn('sh', ['-c', 'echo ready; exec sleep 1000'], { namespaces: ['mnt'], propagation, env: PLAIN_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('ready\n');
  await execedSleep(child.pid!);
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGKILL');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
      child.process!.close();
    },
  };
}

const LO_DOWN = { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK'], mtu: 65536, operstate: 'DOWN', link_type: 'loopback', address: '00:00:00:00:00:00' };
const LO_UP = { ...LO_DOWN, flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN' };
const UP_FLAGS = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'];

describe('nsbridge and iproute2 on the same names and links', () => {
  expectEachTestLeavesHostUnchanged();
  const before = expectEachTestLeavesNetworkUnchanged(haveIp, prefix);

  itWith(haveIp, NEEDS_IP, 'names nsbridge adds (CLI and persistNamespace) are what ip netns list and ip -n NAME show, lo and the links and addresses nsbridge adds included', () => {
    const byCli = `${prefix}a1`;
    const byApi = `${prefix}a2`;
    const add = nsbridge(['netns', 'add', '--loopback', byCli]);
    expect([add.status, add.stdout, add.stderr]).toEqual([0, '', '']);
    try {
      const ns = createNamespaceSync('net');
      try {
        expect(persistNamespace(ns, byApi)).toBe(`/run/netns/${byApi}`);
      } finally {
        ns.close();
      }
      try {
        expect(ipNetnsLines()).toEqual([byCli, byApi]);
        expect(ipJson('netns', 'list').filter((entry) => String(entry.name).startsWith(prefix)).sort((x, y) => String(x.name).localeCompare(String(y.name)))).toEqual([{ name: byCli }, { name: byApi }]);
        // --loopback: lo up with its two addresses; without: lo down and no address, as ip netns add makes it.
        expect(ipJson('-n', byCli, 'link', 'show').map(linkView)).toEqual([LO_UP]);
        expect(addrsOf(ipJson('-n', byCli, 'addr', 'show'))).toEqual({ lo: [['inet', '127.0.0.1/8', 'host', false], ['inet6', '::1/128', 'host', false]] });
        expect(ipJson('-n', byApi, 'link', 'show').map(linkView)).toEqual([LO_DOWN]);
        expect(addrsOf(ipJson('-n', byApi, 'addr', 'show'))).toEqual({ lo: [] });

        // A veth pair with both ends inside, MTUs, MACs and addresses set by nsbridge through the name.
        using opened = openPersistedNamespace(byApi);
        withNetwork(opened, (net) => {
          net.addVeth('a2v0', { name: 'a2v1', mtu: 1280, mac: '02:00:00:c8:0a:02' }, { mtu: 1280, mac: '02:00:00:c8:0a:01' });
          net.setLink('a2v0', { up: true });
          net.setLink('a2v1', { up: true });
          net.setLink('lo', { up: true });
          net.addAddress('a2v0', '10.200.10.1/24');
          net.addAddress('a2v0', 'fd20:10::1/64');
          net.addAddress('a2v1', '10.200.10.2/24');
          net.addAddress('a2v1', 'fd20:10::2/64', { nodad: false });
          // The kernel makes the peer first: a2v1 is 2, a2v0 is 3.
          expect(ipJson('-n', byApi, 'link', 'show').map(linkView)).toEqual([
            LO_UP,
            { ifindex: 2, ifname: 'a2v1', link: 'a2v0', flags: UP_FLAGS, mtu: 1280, operstate: 'UP', link_type: 'ether', address: '02:00:00:c8:0a:02' },
            { ifindex: 3, ifname: 'a2v0', link: 'a2v1', flags: UP_FLAGS, mtu: 1280, operstate: 'UP', link_type: 'ether', address: '02:00:00:c8:0a:01' },
          ]);
          expect(addrsOf(ipJson('-n', byApi, 'addr', 'show'))).toEqual({
            lo: [['inet', '127.0.0.1/8', 'host', false], ['inet6', '::1/128', 'host', false]],
            a2v1: [['inet', '10.200.10.2/24', 'global', false], ['inet6', 'fd20:10::2/64', 'global', false], ['inet6', 'fe80::ff:fec8:a02/64', 'link', false]],
            a2v0: [['inet', '10.200.10.1/24', 'global', false], ['inet6', 'fd20:10::1/64', 'global', true], ['inet6', 'fe80::ff:fec8:a01/64', 'link', false]],
          });
          // And nsbridge reads back what ip reads (the same set of link / address pairs).
          const ipPairs = ipJson('-n', byApi, 'addr', 'show').flatMap((entry) => (entry.addr_info as Record<string, any>[]).map((a) => `${entry.ifname} ${a.local}/${a.prefixlen}`)).sort();
          expect(net.addresses().map((a) => `${a.link} ${a.cidr}`).sort()).toEqual(ipPairs);
          expect(net.links().map((l) => [l.index, l.name, l.mtu, l.mac, l.linkIndex])).toEqual([[1, 'lo', 65536, '00:00:00:00:00:00', null], [2, 'a2v1', 1280, '02:00:00:c8:0a:02', 3], [3, 'a2v0', 1280, '02:00:00:c8:0a:01', 2]]);
        });
      } finally {
        removePersistedNamespace(byApi);
      }
    } finally {
      const del = nsbridge(['netns', 'delete', byCli]);
      expect([del.status, del.stdout, del.stderr]).toEqual([0, '', '']);
    }
    expect(ipNetnsLines()).toEqual([]);
  });

  itWith(haveIp, NEEDS_IP, 'a name ip netns add made: nsbridge lists it, opens it (the inode of /run/netns/NAME), sees its lo, and nsbridge netns delete removes it for ip too', () => {
    const name = `${prefix}b`;
    ip('netns', 'add', name);
    let deleted = false;
    try {
      expect(listNetnsNames()).toEqual([...before().names, name].sort());
      using ns = openPersistedNamespace(name);
      expect(ns.type).toBe('net');
      expect(ns.inode).toBe(statSync(`/run/netns/${name}`, { bigint: true }).ino);
      expect(ip('netns', 'exec', name, 'readlink', '/proc/self/ns/net')).toBe(`net:[${ns.inode}]\n`);
      // nsbridge netns list prints the names ip netns list prints, one a line, sorted (but not
      // entries that hold no namespace).
      const list = nsbridge(['netns', 'list']);
      expect([list.status, list.stderr]).toEqual([0, '']);
      expect(list.stdout.split('\n').filter((line) => line === name)).toEqual([name]);
      expect(list.stdout).toBe(ipNetnsNames().filter((n) => !foreignBrokenEntries().includes(n)).map((n) => `${n}\n`).join(''));
      expect(JSON.parse(nsbridge(['netns', 'list', '-J']).stdout)).toContainEqual({ name });
      expect(withNetwork(ns, (net) => net.links())).toEqual([
        { index: 1, name: 'lo', kind: null, up: false, lowerUp: false, operstate: 'down', mtu: 65536, mac: '00:00:00:00:00:00', linkIndex: null, linkNetnsId: null },
      ]);
      expect(withNetwork(ns, (net) => net.addresses())).toEqual([]);
      // What nsbridge does through the name, ip sees.
      withNetwork(ns, (net) => net.setLink('lo', { up: true }));
      expect(ipJson('-n', name, 'link', 'show').map(linkView)).toEqual([LO_UP]);

      const del = nsbridge(['netns', 'delete', name]);
      expect([del.status, del.stdout, del.stderr]).toEqual([0, '', '']);
      deleted = true;
      expect(ipNetnsNames()).not.toContain(name);
      expect(existsSync(`/run/netns/${name}`)).toBe(false);
      expect(mountOf('self', `/run/netns/${name}`)).toBeNull();
      const gone = run('ip', ['-n', name, 'link', 'show']);
      expect([gone.status, gone.stderr]).toEqual([255, `Cannot open network namespace "${name}": No such file or directory\n`]);
      // The namespace itself lives on in the handle.
      expect(withNetwork(ns, (net) => net.links().map((l) => [l.name, l.up]))).toEqual([['lo', true]]);
    } finally {
      if (!deleted) ip('netns', 'delete', name);
    }
  });

  itWith(haveIp, NEEDS_IP, "a veth pair createVethPair made between 'self' and a named namespace: ip -j link / addr / route show the same names, indexes, MTUs, MACs, netns id and addresses; TCP over it both families", async () => {
    const name = `${prefix}c`;
    const host = ifname('c0');
    using ns = createNamespaceSync('net', { loopback: true });
    persistNamespace(ns, name);
    try {
      const pair = createVethPair({
        a: { namespace: 'self', name: host, mtu: 1400, mac: '02:00:00:c8:0b:01', addresses: ['10.200.11.1/24', 'fd20:11::1/64'] },
        b: { namespace: ns, name: 'c1', mtu: 1280, mac: '02:00:00:c8:0b:02', addresses: ['10.200.11.2/24', 'fd20:11::2/64'], defaultRoute: ['10.200.11.1', 'fd20:11::1'] },
      });
      try {
        // The peer in another namespace: both ends carry a netns id, which ip resolves to the name.
        expect(pair.a.linkNetnsId).toEqual(expect.any(Number));
        expect(pair.b.linkNetnsId).toEqual(expect.any(Number));
        expect(ipNetnsLines()).toEqual([`${name} (id: ${pair.a.linkNetnsId})`]);
        expect(ipJson('netns', 'list-id').filter((entry) => entry.name === name)).toEqual([{ nsid: pair.a.linkNetnsId, name }]);

        expect(ipJson('link', 'show', 'dev', host).map(linkView)).toEqual([
          { ifindex: pair.a.index, link_index: pair.b.index, ifname: host, flags: UP_FLAGS, mtu: 1400, operstate: 'UP', link_type: 'ether', address: '02:00:00:c8:0b:01', link_netnsid: pair.a.linkNetnsId },
        ]);
        expect(ipJson('-n', name, 'link', 'show').map(linkView)).toEqual([
          LO_UP,
          { ifindex: pair.b.index, link_index: pair.a.index, ifname: 'c1', flags: UP_FLAGS, mtu: 1280, operstate: 'UP', link_type: 'ether', address: '02:00:00:c8:0b:02', link_netnsid: pair.b.linkNetnsId },
        ]);
        expect([pair.a.name, pair.a.kind, pair.a.mtu, pair.a.mac, pair.b.name, pair.b.kind, pair.b.mtu, pair.b.mac]).toEqual([host, 'veth', 1400, '02:00:00:c8:0b:01', 'c1', 'veth', 1280, '02:00:00:c8:0b:02']);

        expect(addrsOf(ipJson('addr', 'show', 'dev', host))).toEqual({
          [host]: [['inet', '10.200.11.1/24', 'global', false], ['inet6', 'fd20:11::1/64', 'global', true], ['inet6', 'fe80::ff:fec8:b01/64', 'link', false]],
        });
        expect(addrsOf(ipJson('-n', name, 'addr', 'show', 'dev', 'c1'))).toEqual({
          c1: [['inet', '10.200.11.2/24', 'global', false], ['inet6', 'fd20:11::2/64', 'global', true], ['inet6', 'fe80::ff:fec8:b02/64', 'link', false]],
        });
        const routeView = (r: Record<string, any>): unknown[] => [r.dst, r.gateway ?? null, r.dev, r.protocol ?? null, r.scope ?? null, r.prefsrc ?? null];
        expect(ipJson('-n', name, 'route', 'show').map(routeView)).toEqual([['default', '10.200.11.1', 'c1', null, null, null], ['10.200.11.0/24', null, 'c1', 'kernel', 'link', '10.200.11.2']]);
        expect(ipJson('-n', name, '-6', 'route', 'show', 'default').map((r) => [r.dst, r.gateway, r.dev, r.metric])).toEqual([['default', 'fd20:11::1', 'c1', 1024]]);

        // Real traffic over the pair, to a server in the namespace; from the namespace with ip netns exec to here is below in (d).
        const server = await serveIn(ns, ['10.200.11.2', 'fd20:11::2']);
        try {
          expect(await roundTrip('10.200.11.2', server.ports['10.200.11.2']!, 'v4')).toBe(`net:[${ns.inode}] 10.200.11.2 got v4`);
          expect(await roundTrip('fd20:11::2', server.ports['fd20:11::2']!, 'v6')).toBe(`net:[${ns.inode}] fd20:11::2 got v6`);
        } finally {
          await server.stop();
        }
      } finally {
        pair.delete();
      }
      const gone = run('ip', ['-j', 'link', 'show', 'dev', host]);
      expect([gone.status, gone.stdout, gone.stderr]).toEqual([1, '', `Device "${host}" does not exist.\n`]);
      expect(ipJson('-n', name, 'link', 'show').map(linkView)).toEqual([LO_UP]);
    } finally {
      removePersistedNamespace(name);
    }
  });

  itWith(haveIp, NEEDS_IP, 'ip netns exec and nsbridge netns exec put the program in the same network namespace: the same /proc/self/net/dev; only ip remounts /sys', () => {
    const name = `${prefix}d`;
    const add = nsbridge(['netns', 'add', '--loopback', name]);
    expect([add.status, add.stderr]).toEqual([0, '']);
    try {
      using ns = openPersistedNamespace(name);
      // Links that carry no traffic (a pair left down, lo with nothing sent): the counters stay 0,
      // so the two reads are byte for byte the same.
      withNetwork(ns, (net) => net.addVeth('d0', { name: 'd1' }));
      const byIp = ip('netns', 'exec', name, 'cat', '/proc/self/net/dev');
      const byNsbridge = nsbridge(['netns', 'exec', name, '--', 'cat', '/proc/self/net/dev']);
      expect([byNsbridge.status, byNsbridge.stderr]).toEqual([0, '']);
      expect(byNsbridge.stdout).toBe(byIp);
      expect(devNames(byIp)).toEqual(['d0', 'd1', 'lo']);
      expect(devNames(readFileSync('/proc/self/net/dev', 'utf8'))).toEqual([...before().links].sort());

      const netIp = ip('netns', 'exec', name, 'readlink', '/proc/self/ns/net');
      const netNsbridge = nsbridge(['netns', 'exec', name, 'readlink', '/proc/self/ns/net']);
      expect([netIp, netNsbridge.status, netNsbridge.stdout]).toEqual([`net:[${ns.inode}]\n`, 0, `net:[${ns.inode}]\n`]);

      // ip netns exec makes a mount namespace and mounts a sysfs of the namespace on /sys;
      // nsbridge netns exec joins the network namespace only (its help says so): /sys stays ours.
      const sysIp = ip('netns', 'exec', name, 'ls', '/sys/class/net');
      const sysNsbridge = nsbridge(['netns', 'exec', name, 'ls', '/sys/class/net']);
      expect(sysIp.split('\n').filter(Boolean).sort()).toEqual(['d0', 'd1', 'lo']);
      expect([sysNsbridge.status, sysNsbridge.stdout.split('\n').filter(Boolean).sort()]).toEqual([0, readdirSync('/sys/class/net').sort()]);
      const mntNsbridge = nsbridge(['netns', 'exec', name, 'readlink', '/proc/self/ns/mnt']);
      expect(mntNsbridge.stdout).toBe(`${readlinkSync('/proc/self/ns/mnt')}\n`);
      expect(ip('netns', 'exec', name, 'readlink', '/proc/self/ns/mnt')).not.toBe(`${readlinkSync('/proc/self/ns/mnt')}\n`);
    } finally {
      ip('netns', 'delete', name);
    }
  });

  itWith(haveTools, NEEDS_TOOLS, 'a name added later is seen from mount namespaces made before it with propagation unchanged (unshare -m, spawn mnt), not from private ones; its removal too', async () => {
    const name = `${prefix}e`;
    const path = `/run/netns/${name}`;
    const watchers: [string, Watcher][] = [];
    try {
      watchers.push(['unshare unchanged', await unshareWatcher('unchanged')]);
      watchers.push(['unshare private', await unshareWatcher('private')]);
      watchers.push(['spawn unchanged', await nsbridgeWatcher('unchanged')]);
      watchers.push(['spawn private', await nsbridgeWatcher('private')]);
      const ourMnt = readlinkSync('/proc/self/ns/mnt');
      for (const [what, w] of watchers) {
        expect(readlinkSync(`/proc/${w.pid}/ns/mnt`), what).not.toBe(ourMnt);
        expect(readFileSync(`/proc/${w.pid}/comm`, 'utf8'), what).toBe('sleep\n');
        expect(mountOf(w.pid, path), what).toBeNull();
        expect(mountOf(w.pid, '/run/netns'), what).toEqual(mountOf('self', '/run/netns'));
      }
      const dirType = run('stat', ['-f', '-c', '%T', '/run/netns']).stdout.trim();

      using ns = createNamespaceSync('net');
      persistNamespace(ns, name);
      let removed = false;
      try {
        const fileInode = run('nsenter', ['-t', String(watchers[1]![1].pid), '-m', 'stat', '-c', '%i', path]).stdout.trim();
        const seen = Object.fromEntries(watchers.map(([what, w]) => [what, { mount: mountOf(w.pid, path), sees: seenAt(w.pid, path) }]));
        expect(seen).toEqual({
          'unshare unchanged': { mount: [`net:[${ns.inode}]`, 'nsfs'], sees: `nsfs ${ns.inode}` },
          // A private copy of /run/netns: the file ip and nsbridge create is there (the same
          // directory), but nothing is mounted on it.
          'unshare private': { mount: null, sees: `${dirType} ${fileInode}` },
          'spawn unchanged': { mount: [`net:[${ns.inode}]`, 'nsfs'], sees: `nsfs ${ns.inode}` },
          'spawn private': { mount: null, sees: `${dirType} ${fileInode}` },
        });
        expect(mountOf('self', path)).toEqual([`net:[${ns.inode}]`, 'nsfs']);
        expect(fileInode).not.toBe(String(ns.inode));

        removePersistedNamespace(name);
        removed = true;
        const missing = 'ENOENT';
        expect(Object.fromEntries(watchers.map(([what, w]) => [what, { mount: mountOf(w.pid, path), sees: seenAt(w.pid, path) }]))).toEqual({
          'unshare unchanged': { mount: null, sees: missing },
          'unshare private': { mount: null, sees: missing },
          'spawn unchanged': { mount: null, sees: missing },
          'spawn private': { mount: null, sees: missing },
        });
      } finally {
        if (!removed) removePersistedNamespace(name);
      }
    } finally {
      for (const [, w] of watchers) await w.stop();
    }
  });
  /**
   * Run in a private mount namespace whose /run/netns is no mount point (umount -l there, so the
   * host's stays): `$ADD first` must make it one, shared; a process unshared after that with
   * propagation unchanged sees `second`, added after it started. Prints: the /run/netns mounts
   * before; root, mount point, propagation and fstype of /run/netns after the first add; the
   * watcher's mount of the second name (root, fstype) and its inode seen here; the mounts under
   * /run/netns left after both deletes.
   */
  const FRESH_RUN_DIR = `
set -e
umount -l /run/netns
grep -c ' /run/netns ' /proc/self/mountinfo || true
$ADD "$1"
awk '$5 == "/run/netns" { p = "private"; for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) p = "shared"; print $4, $5, p, $(i + 1) }' /proc/self/mountinfo
unshare -m --propagation unchanged sh -c 'exec sleep 1000' &
W=$!
while [ "$(cat /proc/$W/comm)" != sleep ]; do sleep 0.01; done
$ADD "$2"
awk -v m="/run/netns/$2" '$5 == m { for (i = 7; $i != "-"; i++); print $4, $(i + 1) }' /proc/$W/mountinfo
stat -L -c %i "/run/netns/$2"
kill $W
$DEL "$1"
$DEL "$2"
grep -c ' /run/netns/' /proc/self/mountinfo || true
`;

  for (const tool of ['nsbridge', 'ip'] as const) {
    itWith(haveTools, NEEDS_TOOLS, `where /run/netns is no mount point yet, the first name makes it a shared mount of its own, so later names reach mount namespaces made in between (${tool})`, () => {
      const names = [`${prefix}f-${tool}1`, `${prefix}f-${tool}2`];
      const cli = [...nodeArgv(), `${repoRoot}dist/cli/main.js`].join(' ');
      const env = tool === 'nsbridge' ? { ADD: `${cli} netns add`, DEL: `${cli} netns delete` } : { ADD: 'ip netns add', DEL: 'ip netns delete' };
      try {
        const result = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', FRESH_RUN_DIR, 'sh', ...names], { encoding: 'utf8', env: { ...PLAIN_ENV, ...env }, timeout: 30_000, killSignal: 'SIGKILL' });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const [before, runDir, watcherMount, inode, left, ...rest] = result.stdout.split('\n');
        const [hostRoot, hostType] = mountOf('self', '/run/netns')!;
        expect([before, runDir, watcherMount, left, rest]).toEqual(['0', `${hostRoot} /run/netns shared ${hostType}`, `net:[${inode}] nsfs`, '0', ['']]);
        expect(inode).toMatch(/^\d+$/);
      } finally {
        // The files are in the host's /run/netns directory too (the same directory): never left there.
        for (const name of names) {
          const path = `/run/netns/${name}`;
          if (existsSync(path) && !isNamespaceMount(path)) unlinkSync(path);
        }
      }
    });
  }
});
