/**
 * Network namespaces a test can use (issue 15): namespaces without a process, veth pairs with
 * addresses and routes over rtnetlink, real TCP traffic host ↔ namespace and namespace ↔
 * namespace, errors with the kernel's extended-ack text, and nothing left behind.
 */
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { createServer, connect, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import {
  NAMESPACE_TYPES, Namespace, Network, createNamespace, createNamespaceSync, createVethPair, spawn, type NamespaceType,
} from '../src/index.js';
import { hasCommands, isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { hostLinkNames, withNetwork } from './helpers/network.js';
import { PLAIN_ENV, nodeArgv, repoRoot } from './helpers/processes.js';

const tag = `${process.pid % 100000}`;
// This file's links on the host side are named nsb<letter><tag>…: other files run meanwhile and make their own.
const hostLinks = (): string[] => (isRoot ? hostLinkNames().filter((name) => new RegExp(`^nsb[a-z]${tag}`).test(name)) : []);

/** A TCP echo server in `ns` (test/fixtures/net-serve.mjs) on these addresses; stop() ends and reaps it. */
async function serveIn(ns: Namespace, addresses: string[]): Promise<{ ports: Record<string, number>; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['test/fixtures/net-serve.mjs', ...addresses], { join: { net: ns }, cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  while (!out.includes('\n')) {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), child.exited.then((status) => Promise.reject(new Error(`server exited: ${JSON.stringify(status)}`)))])) as [string];
    out += chunk;
  }
  return {
    ports: JSON.parse(out) as Record<string, number>,
    stop: async () => {
      child.stdin.end();
      expect(await child.exited).toEqual({ code: 0, signal: null });
      child.process!.close();
    },
  };
}

/** One round trip from this process (the host's network namespace). */
async function roundTripHere(host: string, port: number, text: string): Promise<unknown> {
  const socket = connect(port, host);
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  try {
    await once(socket, 'connect');
    socket.write(text);
    await once(socket, 'end');
    return { reply };
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code };
  } finally {
    socket.destroy();
  }
}

/** One round trip from a program in `ns` (test/fixtures/net-connect.mjs). */
async function roundTripFrom(ns: Namespace, host: string, port: number, text: string): Promise<unknown> {
  const child = spawn(process.execPath, ['test/fixtures/net-connect.mjs', host, String(port), text], { join: { net: ns }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  expect(await child.exited).toEqual({ code: 0, signal: null });
  child.process!.close();
  return JSON.parse(out);
}

/** The program's readlink of /proc/self/ns/<kind> and its pid, joined to `ns`. */
async function seenBy(join: Partial<Record<NamespaceType, Namespace>>, kind: string): Promise<string> {
  const child = spawn('sh', ['-c', `echo $$ $(readlink /proc/self/ns/${kind})`], { join, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  expect(await child.exited).toEqual({ code: 0, signal: null });
  child.process!.close();
  return out.trim();
}

const PROC_NAME: Record<NamespaceType, string> = { user: 'user', cgroup: 'cgroup', ipc: 'ipc', mnt: 'mnt', net: 'net', pid: 'pid', time: 'time', uts: 'uts' };

describe('network namespaces', () => {
  expectEachTestLeavesHostUnchanged();
  let linksBefore: string[];
  beforeEach(() => {
    linksBefore = hostLinks();
  });
  afterEach(() => {
    expect(hostLinks(), "the host's links").toEqual(linksBefore);
  });

  itWith(isRoot, 'needs root', 'createNamespace(kind): a new namespace of each kind but user and pid, joinable at once by spawn', async () => {
    for (const type of NAMESPACE_TYPES.filter((t) => t !== 'user' && t !== 'pid')) {
      const ns = await createNamespace(type);
      try {
        expect(ns.type).toBe(type);
        const own = Namespace.of('self', type);
        expect(ns.inode, type).not.toBe(own.inode);
        own.close();
        const seen = await seenBy({ [type]: ns }, PROC_NAME[type]);
        expect(seen.split(' ')[1], type).toBe(`${PROC_NAME[type]}:[${ns.inode}]`);
      } finally {
        ns.close();
      }
    }
  });

  itWith(isRoot, 'needs root', 'createNamespace in flight at once (on the pool): each its own namespace, each with lo up; ours unchanged', async () => {
    const own = Namespace.of('self', 'net');
    const made = await Promise.all(Array.from({ length: 8 }, () => createNamespace('net', { loopback: true })));
    try {
      expect(new Set(made.map((ns) => ns.inode)).size).toBe(8);
      expect(made.some((ns) => ns.equals(own))).toBe(false);
      for (const ns of made) withNetwork(ns, (net) => expect(net.addresses().map((a) => a.cidr)).toEqual(['127.0.0.1/8', '::1/128']));
      using after = Namespace.of('self', 'net');
      expect(after.equals(own)).toBe(true);
    } finally {
      for (const ns of made) ns.close();
      own.close();
    }
  });

  itWith(isRoot, 'needs root', "createNamespace('net'): lo down and no address; with loopback: lo up with 127.0.0.1/8 and ::1/128", () => {
    for (const loopback of [false, true]) {
      using ns = createNamespaceSync('net', { loopback });
      withNetwork(ns, (net) => {
        expect(net.links().map((l) => [l.index, l.name, l.kind, l.up, l.mtu])).toEqual([[1, 'lo', null, loopback, 65536]]);
        expect(net.addresses().map((a) => [a.link, a.cidr, a.scope])).toEqual(loopback ? [['lo', '127.0.0.1/8', 'host'], ['lo', '::1/128', 'host']] : []);
      });
    }
  });

  itWith(true, '', "createNamespace: 'user', 'pid' and bad options are refused before anything is made", async () => {
    await expect(createNamespace('user')).rejects.toThrow(TypeError);
    expect(() => createNamespaceSync('user')).toThrow(/multithreaded process like Node/);
    expect(() => createNamespaceSync('pid')).toThrow(/pid_for_children is ENOENT/);
    expect(() => createNamespaceSync('uts', { loopback: true })).toThrow(new RangeError("options.loopback applies to 'net' namespaces, not \"uts\""));
    expect(() => createNamespaceSync('net', { propagation: 'private' })).toThrow(new RangeError("options.propagation applies to 'mnt' namespaces, not \"net\""));
    expect(() => createNamespaceSync('net', { lo: true } as never)).toThrow(new TypeError("Unknown createNamespace option 'lo': expected one of loopback, propagation"));
    expect(() => createNamespaceSync('bogus' as NamespaceType)).toThrow(TypeError);
  });

  itWith(isRoot, 'needs root', 'host ↔ namespace over a veth pair, IPv4 and IPv6, both directions; links, addresses and routes read back exactly', async () => {
    using ns = createNamespaceSync('net', { loopback: true });
    const pair = createVethPair({
      a: { namespace: 'self', name: `nsbh${tag}a`.slice(0, 15), addresses: ['10.201.0.1/24', 'fd21::1/64'] },
      b: { namespace: ns, name: 'inside0', addresses: ['10.201.0.2/24', 'fd21::2/64'], mtu: 1400, mac: '02:00:00:00:02:01' },
    });
    try {
      expect([pair.b.name, pair.b.kind, pair.b.up, pair.b.mtu, pair.b.mac]).toEqual(['inside0', 'veth', true, 1400, '02:00:00:00:02:01']);
      expect([pair.a.kind, pair.a.up, pair.a.mtu, pair.a.linkIndex]).toEqual(['veth', true, 1500, pair.b.index]);
      withNetwork(ns, (net) => {
        expect(net.links().map((l) => [l.name, l.up, l.lowerUp])).toEqual([['lo', true, true], ['inside0', true, true]]);
        expect(net.addresses().filter((a) => a.scope === 'universe').map((a) => [a.link, a.cidr, a.tentative])).toEqual([['inside0', '10.201.0.2/24', false], ['inside0', 'fd21::2/64', false]]);
        expect(net.routes({ family: 4 }).map((r) => [r.destination, r.gateway, r.link, r.scope, r.preferredSource])).toEqual([['10.201.0.0/24', null, 'inside0', 'link', '10.201.0.2']]);
      });
      const server = await serveIn(ns, ['10.201.0.2', 'fd21::2']);
      try {
        expect(await roundTripHere('10.201.0.2', server.ports['10.201.0.2']!, 'v4')).toEqual({ reply: '10.201.0.2 got v4' });
        expect(await roundTripHere('fd21::2', server.ports['fd21::2']!, 'v6')).toEqual({ reply: 'fd21::2 got v6' });
      } finally {
        await server.stop();
      }
      // The other way: a server of this process, reached from inside the namespace.
      const here = createServer((socket) => socket.once('data', (data) => socket.end(`host got ${data.toString()}`)));
      here.listen(0, '10.201.0.1');
      await once(here, 'listening');
      try {
        expect(await roundTripFrom(ns, '10.201.0.1', (here.address() as AddressInfo).port, 'hi')).toEqual({ reply: 'host got hi' });
      } finally {
        here.close();
      }
    } finally {
      pair.delete();
    }
    withNetwork(ns, (net) => expect(net.links().map((l) => l.name)).toEqual(['lo']));
  });

  itWith(isRoot, 'needs root', 'two namespaces through a pair: unreachable without a route, reached through a default route via the peer (IPv4 and IPv6), unreachable again after deleteRoute', async () => {
    using left = createNamespaceSync('net', { loopback: true });
    using right = createNamespaceSync('net', { loopback: true });
    const pair = createVethPair({
      a: { namespace: left, name: 'left0', addresses: ['10.202.0.1/24', 'fd22::1/64'] },
      b: { namespace: right, name: 'right0', addresses: ['10.202.0.2/24', 'fd22::2/64'] },
    });
    expect([pair.a.linkIndex, pair.b.linkIndex]).toEqual([pair.b.index, pair.a.index]);
    // Service addresses on left's lo, outside the link's subnets: reachable only through a route.
    withNetwork(left, (net) => {
      net.addAddress('lo', '192.0.2.1/32');
      net.addAddress('lo', '2001:db8::1/128');
    });
    const server = await serveIn(left, ['192.0.2.1', '2001:db8::1']);
    try {
      const v4 = server.ports['192.0.2.1']!;
      const v6 = server.ports['2001:db8::1']!;
      expect(await roundTripFrom(right, '192.0.2.1', v4, 'x')).toEqual({ error: 'ENETUNREACH' });
      expect(await roundTripFrom(right, '2001:db8::1', v6, 'x')).toEqual({ error: 'ENETUNREACH' });
      withNetwork(right, (net) => {
        net.addRoute({ to: 'default', via: '10.202.0.1' });
        net.addRoute({ to: 'default', via: 'fd22::1' });
        expect(net.routes({ family: 4 }).map((r) => [r.destination, r.gateway, r.link, r.protocol])).toEqual([['default', '10.202.0.1', 'right0', 3], ['10.202.0.0/24', null, 'right0', 2]]);
        expect(net.routes({ family: 6 }).filter((r) => r.destination === 'default').map((r) => [r.gateway, r.link, r.metric])).toEqual([['fd22::1', 'right0', 1024]]);
      });
      expect(await roundTripFrom(right, '192.0.2.1', v4, 'via v4')).toEqual({ reply: '192.0.2.1 got via v4' });
      expect(await roundTripFrom(right, '2001:db8::1', v6, 'via v6')).toEqual({ reply: '2001:db8::1 got via v6' });
      withNetwork(right, (net) => net.deleteRoute({ to: 'default', via: '10.202.0.1' }));
      expect(await roundTripFrom(right, '192.0.2.1', v4, 'x')).toEqual({ error: 'ENETUNREACH' });
    } finally {
      await server.stop();
      pair.delete();
    }
    for (const ns of [left, right]) withNetwork(ns, (net) => expect(net.links().map((l) => l.name)).toEqual(['lo']));
  });

  itWith(isRoot, 'needs root', 'bad input: names, addresses, prefixes, MACs, MTUs and targets are refused naming the value; the kernel\'s refusals carry code, errno, syscall and its extended-ack text; nothing is left', () => {
    using ns = createNamespaceSync('net');
    withNetwork(ns, (net) => {
      expect(() => net.addVeth('abcdefghijklmnop', { name: 'b' })).toThrow(new RangeError('name must be 1 to 15 bytes (IFNAMSIZ), got "abcdefghijklmnop" (16 bytes)'));
      expect(() => net.addVeth('a/b', { name: 'b' })).toThrow(new RangeError("name must not be '.' or '..' nor contain '/', ':', NUL or whitespace, got \"a/b\""));
      expect(() => net.addVeth('a', { name: 'b c' })).toThrow(RangeError);
      expect(() => net.addAddress('lo', '10.0.0.1/33')).toThrow(new RangeError('cidr must have a prefix length from 0 to 32, got "10.0.0.1/33"'));
      expect(() => net.addAddress('lo', 'fd00::1/129')).toThrow(new RangeError('cidr must have a prefix length from 0 to 128, got "fd00::1/129"'));
      expect(() => net.addAddress('lo', '10.0.0.1')).toThrow(new RangeError("cidr must have a prefix length ('10.0.0.1/24', 'fd00::1/64'), got \"10.0.0.1\""));
      expect(() => net.addAddress('lo', '10.0.0.256/8')).toThrow(new RangeError('cidr must be an IPv4 or IPv6 address, got "10.0.0.256"'));
      expect(() => net.addAddress('lo', 12 as unknown as string)).toThrow(TypeError);
      expect(() => net.addVeth('a', { name: 'b', mac: '01:00:5e:00:00:01' })).toThrow(new RangeError('peer.mac must be a unicast address (the first byte even), got "01:00:5e:00:00:01"'));
      expect(() => net.addVeth('a', { name: 'b' }, { mac: 'zz' })).toThrow(TypeError);
      expect(() => net.addRoute({ to: 'default' })).toThrow(TypeError);
      expect(() => net.addRoute({ to: '10.0.0.0/8', via: 'fd00::1' })).toThrow(RangeError);

      const existing = (() => {
        try {
          net.addVeth('lo', { name: 'b' });
        } catch (error) {
          return error as Record<string, unknown>;
        }
      })();
      expect([existing?.code, existing?.errno, existing?.syscall]).toEqual(['EEXIST', -17, 'rtnetlink(RTM_NEWLINK)']);
      net.addVeth('mtu0', { name: 'mtu1' });
      const tooSmall = (() => {
        try {
          net.setLink('mtu0', { mtu: 10 });
        } catch (error) {
          return error as Record<string, unknown>;
        }
      })();
      expect([tooSmall?.code, tooSmall?.syscall, tooSmall?.kernelMessage, tooSmall?.message]).toEqual([
        'EINVAL', 'rtnetlink(RTM_SETLINK)', 'mtu less than device minimum', 'EINVAL: invalid argument, rtnetlink(RTM_SETLINK) (link "mtu0"): mtu less than device minimum',
      ]);
      expect(net.link('mtu0').mtu).toBe(1500);
      net.deleteLink('mtu0');
      expect(() => net.link('mtu0')).toThrow(expect.objectContaining({ code: 'ENODEV', syscall: 'rtnetlink(RTM_GETLINK)' }));
      expect(net.links().map((l) => l.name)).toEqual(['lo']);
    });
    using uts = createNamespaceSync('uts');
    expect(() => Network.open(uts)).toThrow(new TypeError('target must be a network namespace, got a uts namespace'));
    expect(() => Network.open('host' as never)).toThrow(TypeError);
    const closed = createNamespaceSync('net');
    closed.close();
    expect(() => Network.open(closed)).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED' }));
  });

  itWith(isRoot, 'needs root', 'createVethPair: a failure after the pair exists removes both ends; a taken peer name makes nothing', () => {
    using ns = createNamespaceSync('net');
    // The gateway is outside every subnet of the end: the kernel refuses the route, after the pair was made.
    const unreachable = (() => {
      try {
        createVethPair({ a: { namespace: 'self', name: `nsbf${tag}a`.slice(0, 15), addresses: ['10.203.0.1/24'] }, b: { namespace: ns, name: 'f0', addresses: ['10.203.0.2/24'], defaultRoute: '10.99.0.1' } });
      } catch (error) {
        return error as Record<string, unknown>;
      }
    })();
    expect([unreachable?.code, unreachable?.syscall, unreachable?.kernelMessage]).toEqual(['ENETUNREACH', 'rtnetlink(RTM_NEWROUTE)', 'Nexthop has invalid gateway']);
    withNetwork(ns, (net) => {
      expect(net.links().map((l) => l.name)).toEqual(['lo']);
      net.addVeth('taken', { name: 'taken1' });
    });
    expect(() => createVethPair({ a: { namespace: 'self', name: `nsbf${tag}b`.slice(0, 15) }, b: { namespace: ns, name: 'taken' } })).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'rtnetlink(RTM_NEWLINK)' }));
    withNetwork(ns, (net) => {
      expect(net.links().map((l) => l.name)).toEqual(['lo', 'taken1', 'taken']);
      net.deleteLink('taken');
    });
    expect(() => createVethPair({ a: { namespace: 'self', name: 'x' }, b: { namespace: ns, name: 'y', addresses: ['10.0.0.1/40'] } })).toThrow(new RangeError('options.b.addresses[0] must have a prefix length from 0 to 32, got "10.0.0.1/40"'));
  });

  itWith(isRoot, 'needs root', "VethPair.delete() is idempotent: after the far end's namespace is gone (the kernel takes the pair with it), and with a closed handle", async () => {
    const far = createNamespaceSync('net');
    const name = `nsbd${tag}a`.slice(0, 15);
    const pair = createVethPair({ a: { namespace: 'self', name }, b: { namespace: far, name: 'far0' } });
    expect(hostLinks()).toContain(name);
    far.close(); // the last reference: the namespace is destroyed, its veth end and so the pair with it
    for (let i = 0; i < 400 && hostLinks().includes(name); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hostLinks()).not.toContain(name);
    pair.delete();
    pair.delete();
    using near = createNamespaceSync('net');
    using other = createNamespaceSync('net');
    const closedPair = createVethPair({ a: { namespace: near, name: 'n0' }, b: { namespace: other, name: 'o0' } });
    near.close();
    closedPair.delete(); // through the other end's namespace
    withNetwork(other, (net) => expect(net.links().map((l) => l.name)).toEqual(['lo']));
  });

  itWith(isRoot && hasCommands('unshare'), 'needs root and unshare', 'names (in a mount namespace of the test): persisted in a shared /run/netns and seen from another mount namespace, opened, listed, entered, shown by listNamespaces and ls, removed by unmount + unlink; other kinds at paths; files that are not namespaces never mounted over nor removed; nsbridge netns add / list / exec / delete', () => {
    // The bind mounts are made in a mount namespace of this test, so that the other test files
    // (whose checks compare this mount table) never see them.
    const result = spawnSync('unshare', ['-m', '--propagation', 'private', ...nodeArgv('test/fixtures/netns-names.mjs')], { cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV, timeout: 60_000, killSignal: 'SIGKILL' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const o = JSON.parse(result.stdout) as Record<string, unknown>;
    const path = '/run/netns/nsbt-names';
    expect(o).toEqual({
      runDirShared: true,
      path,
      listed: ['nsbt-names'],
      seenFromOtherMountNamespace: true,
      openedEqual: true,
      holders: [path],
      ls: [[expect.stringMatching(/^\d+$/), path]],
      enter: [0, true],
      taken: 'Error EEXIST open',
      stillThere: true,
      afterRemove: ['Error ENOENT open', 'Error ENOENT open', []],
      livesOn: [['lo', true]],
      utsByName: 'RangeError',
      utsPersisted: true,
      utsOpened: ['uts', true],
      plain: ['Error EEXIST open', 'RangeError', 'keep me'],
      symlink: 'RangeError',
      utsInRunDir: false,
      badNames: ['RangeError', 'RangeError', 'RangeError', 'RangeError'],
      cliAdd: 0,
      cliList: 'nsbt-cli\n',
      cliListJson: [{ name: 'nsbt-cli' }],
      cliExec: [0, ['00000000000000000000000000000001', '01', '80', '10', '80', 'lo']],
      cliAddAgain: { status: 1, stdout: '', stderr: "nsbridge: EEXIST: file already exists, open '/run/netns/nsbt-cli' (/run/netns/nsbt-cli exists: remove it first or choose another name)\n" },
      cliDelete: 0,
      cliDeleteAgain: { status: 1, stdout: '', stderr: "nsbridge: ENOENT: No such file or directory, open '/run/netns/nsbt-cli'\n" },
      cliDeleteNotNamespace: { status: 1, stdout: '', stderr: 'nsbridge: "/etc/hostname" is not a persisted namespace (no nsfs file is mounted there): not removed\n' },
      unchanged: { mounts: true, fds: true, names: true },
    });
  });
});

