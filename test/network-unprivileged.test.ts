/**
 * Network namespaces without privilege on the host: uid 65534 (setpriv) in a user namespace of its
 * own (`nsbridge run --user --map-root-user --net --loopback`) creates a network namespace with lo
 * up, a veth pair to it with IPv4 and IPv6 addresses, a TCP server joined to it, and talks to that
 * server over both families (test/fixtures/netns-unprivileged.mjs). What it cannot do — persist in
 * the host's /run/netns — fails with the kernel's code, and nothing is left behind. As plain uid
 * 65534 (no user namespace) `nsbridge netns` refuses with one line and exit 1.
 */
import { chownSync, existsSync, mkdtempSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createNamespaceSync, listNetnsNames, persistNamespace, removePersistedNamespace } from '../src/index.js';
import { nsbridge } from './helpers/cli.js';
import { canBeNobody, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { expectEachTestLeavesNetworkUnchanged } from './helpers/network.js';
import { NOBODY, nodeArgv } from './helpers/processes.js';

const NEEDS_NOBODY = 'needs root with setpriv to become uid 65534';
const prefix = `nsbt-${process.pid}-`;


/** A directory uid 65534 may write, removed (it must be empty) by the caller. */
function nobodyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nsbt-unpriv-'));
  chownSync(dir, NOBODY, NOBODY);
  return dir;
}

const LO_UP = { index: 1, name: 'lo', kind: null, up: true, lowerUp: true, operstate: 'unknown', mtu: 65536, mac: '00:00:00:00:00:00', linkIndex: null, linkNetnsId: null };
const veth = (index: number, name: string, mac: string, peerIndex: number) => ({ index, name, kind: 'veth', up: true, lowerUp: true, operstate: 'up', mtu: 1500, mac, linkIndex: peerIndex, linkNetnsId: 0 });

/** What the fixture sees whatever it may persist. */
const COMMON = {
  uid: 0,
  uidMap: [0, NOBODY, 1],
  ownLinks: [['lo', true]],
  created: { type: 'net', inodeIsNew: true },
  newLinks: [LO_UP],
  newAddresses: ['127.0.0.1/8', '::1/128'],
  // Both namespaces are new: lo is 1 in each and the veth end 2; each sees the other as netns id 0.
  pair: { a: veth(2, 'up0', '02:00:00:c8:14:01', 2), b: veth(2, 'up1', '02:00:00:c8:14:02', 2) },
  ownAddresses: [['lo', '127.0.0.1/8', 'host', false], ['up0', '10.200.20.1/24', 'universe', false], ['lo', '::1/128', 'host', false], ['up0', 'fd20:20::1/64', 'universe', false]],
  newAddressesWithPair: [['lo', '127.0.0.1/8', 'host', false], ['up1', '10.200.20.2/24', 'universe', false], ['lo', '::1/128', 'host', false], ['up1', 'fd20:20::2/64', 'universe', false]],
  // NS: the server's /proc/self/ns/net was the new namespace's.
  tcp: { v4: 'NS 10.200.20.2 got v4', v6: 'NS fd20:20::2 got v6', ownLoopback: 'ECONNREFUSED' },
  serverExit: { code: 0, signal: null },
  runPathLeft: false,
  dirLeft: [],
  ownLinksAfter: ['lo'],
  newLinksAfter: ['lo'],
};

describe('network namespaces as uid 65534', () => {
  expectEachTestLeavesHostUnchanged();
  const before = expectEachTestLeavesNetworkUnchanged(canBeNobody, prefix);

  itWith(canBeNobody, NEEDS_NOBODY, 'in its own user namespace: a namespace with lo up, a veth pair to it, TCP over IPv4 and IPv6 to a server joined to it; /run/netns refused (EPERM from mount), a path too (the mount namespace is the host\'s)', () => {
    const dir = nobodyDir();
    try {
      const name = `${prefix}u1`;
      const result = nsbridge(['run', '--user', '--map-root-user', '--net', '--loopback', '--', ...nodeArgv('test/fixtures/netns-unprivileged.mjs', name, dir)], { asNobody: true });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        ...COMMON,
        // The host's mount namespace belongs to the initial user namespace: making /run/netns a
        // shared mount (the first step for a name) is refused; so is the bind mount onto a file
        // that could be created (and is removed again).
        persistByName: { name: 'Error', code: 'EPERM', syscall: 'mount', message: "EPERM: Operation not permitted, mount '/run/netns' (making /run/netns a shared mount (as ip netns add does) needs CAP_SYS_ADMIN over this process's mount namespace (root, or a mount namespace of your own user namespace))" },
        persistToPath: { name: 'Error', code: 'EPERM', syscall: 'mount', message: "EPERM: Operation not permitted, mount 'DIR/net' (keeping a namespace at DIR/net is a bind mount: it needs CAP_SYS_ADMIN over this process's mount namespace (root, or a mount namespace of your own user namespace))" },
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmdirSync(dir);
    }
  });

  itWith(canBeNobody, NEEDS_NOBODY, 'with a mount namespace of its own too (--mount): persisting at a path works and reopens the same namespace; /run/netns/NAME cannot be created (EACCES: root owns it)', () => {
    const dir = nobodyDir();
    try {
      const name = `${prefix}u2`;
      const result = nsbridge(['run', '--user', '--map-root-user', '--net', '--loopback', '--mount', '--', ...nodeArgv('test/fixtures/netns-unprivileged.mjs', name, dir)], { asNobody: true });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        ...COMMON,
        // The mount of /run/netns is its own now (made shared there, unseen here), but the
        // directory is root's, and uid 0 of the user namespace is 65534 on the host.
        persistByName: { name: 'Error', code: 'EACCES', syscall: 'open', message: `EACCES: permission denied, open '/run/netns/${name}'` },
        persistToPath: 'DIR/net',
        reopened: true,
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmdirSync(dir);
    }
  });

  itWith(canBeNobody, NEEDS_NOBODY, 'as plain uid 65534: netns add fails with one EPERM line and exit 1 and makes nothing; delete of a name root made fails the same way and leaves it; list works', () => {
    const name = `${prefix}p`;
    const add = nsbridge(['netns', 'add', name], { asNobody: true });
    expect([add.status, add.stdout, add.stderr]).toEqual([
      1,
      '',
      "nsbridge: EPERM: Operation not permitted, unshare (creating a net namespace needs CAP_SYS_ADMIN in this process's user namespace (root, or run inside a user namespace of your own))\n",
    ]);
    expect(existsSync(`/run/netns/${name}`)).toBe(false);
    // A path in a directory it may write makes no difference: the namespace is never made.
    const addPath = nsbridge(['netns', 'add', '--loopback', join(tmpdir(), name)], { asNobody: true });
    expect([addPath.status, addPath.stdout, addPath.stderr]).toEqual([1, '', add.stderr]);
    expect(existsSync(join(tmpdir(), name))).toBe(false);

    using ns = createNamespaceSync('net');
    persistNamespace(ns, name);
    try {
      const del = nsbridge(['netns', 'delete', name], { asNobody: true });
      expect([del.status, del.stdout, del.stderr]).toEqual([1, '', `nsbridge: EPERM: Operation not permitted, umount2 '/run/netns/${name}'\n`]);
      expect(listNetnsNames()).toEqual([...before().names, name].sort());
      const list = nsbridge(['netns', 'list'], { asNobody: true });
      expect([list.status, list.stderr, list.stdout.split('\n').filter((line) => line === name)]).toEqual([0, '', [name]]);
    } finally {
      removePersistedNamespace(name);
    }
  });
});
