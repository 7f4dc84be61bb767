/**
 * options.loopback / `nsbridge run --loopback`: lo up in a new network namespace before the
 * program runs. Real traffic: a TCP and a UDP round trip over 127.0.0.1 and ::1 inside the
 * namespace (test/fixtures/loopback-roundtrip.mjs); without the option the same calls fail as a
 * new network namespace makes them fail.
 */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { spawn, type SpawnOptions } from '../src/index.js';
import { nsbridge } from './helpers/cli.js';
import { canBeNobody, isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { repoRoot } from './helpers/processes.js';

const FIXTURE = 'test/fixtures/loopback-roundtrip.mjs';
const UP = { tcp4: 'tcp via 127.0.0.1', tcp6: 'tcp via ::1', udp4: 'udp via 127.0.0.1', udp6: 'udp via ::1' };
// lo down: no route to 127.0.0.0/8, and ::1 is not even an address yet (addrconf adds it at NETDEV_UP).
const DOWN = { tcp4: 'ENETUNREACH', tcp6: 'EADDRNOTAVAIL', udp4: 'ENETUNREACH', udp6: 'EADDRNOTAVAIL' };

async function roundTrips(options: SpawnOptions): Promise<unknown> {
  const child = spawn(process.execPath, [FIXTURE], { ...options, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const status = await child.exited;
  child.process!.close();
  expect(err).toBe('');
  expect(status).toEqual({ code: 0, signal: null });
  return JSON.parse(out);
}

const loFlags = (): string => readFileSync('/sys/class/net/lo/flags', 'utf8');

describe('loopback in a new network namespace', () => {
  expectEachTestLeavesHostUnchanged();

  itWith(isRoot, 'needs root', 'with loopback: TCP and UDP round trips over 127.0.0.1 and ::1; the host\'s lo is untouched', async () => {
    const before = loFlags();
    expect(await roundTrips({ namespaces: ['net'], loopback: true })).toEqual(UP);
    expect(loFlags()).toBe(before);
  });

  itWith(isRoot, 'needs root', 'without it: ENETUNREACH on 127.0.0.1, EADDRNOTAVAIL on ::1', async () => {
    expect(await roundTrips({ namespaces: ['net'] })).toEqual(DOWN);
    expect(await roundTrips({ namespaces: ['net'], loopback: false })).toEqual(DOWN);
  });

  itWith(isRoot, 'needs root', 'with a new pid namespace too (the program is a second clone, still in the namespace)', async () => {
    expect(await roundTrips({ namespaces: ['net', 'pid'], loopback: true })).toEqual(UP);
  });

  itWith(!isRoot || canBeNobody, 'needs setpriv to become uid 65534', 'in a user namespace of an unprivileged caller (mapRootUser): lo up all the same', async () => {
    if (!isRoot) {
      expect(await roundTrips({ namespaces: ['user', 'net'], mapRootUser: true, loopback: true })).toEqual(UP);
      return;
    }
    const run = nsbridge(['run', '--user', '--map-root-user', '--loopback', '--', process.execPath, FIXTURE], { asNobody: true });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(UP);
  });

  itWith(isRoot, 'needs root', 'nsbridge run --loopback implies --net; plain --net leaves lo down', () => {
    const up = nsbridge(['run', '--loopback', '--', process.execPath, FIXTURE]);
    expect([up.status, up.stderr, JSON.parse(up.stdout)]).toEqual([0, '', UP]);
    const down = nsbridge(['run', '--net', '--', process.execPath, FIXTURE]);
    expect([down.status, down.stderr, JSON.parse(down.stdout)]).toEqual([0, '', DOWN]);
  });

  itWith(true, '', 'bad input: a RangeError without a new network namespace, a TypeError for a non-boolean, before anything runs', () => {
    expect(() => spawn('true', [], { loopback: true })).toThrow(new RangeError('options.loopback requires a new net namespace (namespaces.net)'));
    expect(() => spawn('true', [], { namespaces: ['uts'], loopback: true })).toThrow(RangeError);
    expect(() => spawn('true', [], { namespaces: ['net'], loopback: 'yes' as unknown as boolean })).toThrow(new TypeError('options.loopback must be a boolean, got "yes"'));
  });
});
