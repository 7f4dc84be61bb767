/**
 * 1,000 full cycles of a test network: a namespace with lo up, kept by name in /run/netns, a veth
 * pair between this process's network namespace and it with addresses on both ends, then the pair
 * deleted, the name removed and the handle closed. Afterwards this process's fds, its mountinfo,
 * its network namespace's links and the names in /run/netns are exactly what they were: nothing
 * accumulates. (The same interface names every cycle: a pair left over would make the next
 * creation fail with EEXIST.)
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect } from 'vitest';
import { createNamespaceSync, createVethPair, listNetnsNames, persistNamespace, removePersistedNamespace } from '../src/index.js';
import { isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { hostLinkNames, warmRunNetns, withNetwork } from './helpers/network.js';
import { openFds } from './helpers/proc-state.mjs';

const CYCLES = 1000;
const prefix = `nsbt-${process.pid}-`;
const HOST_END = `nb${process.pid}y0`;
const NS_END = 'cy1';


/** What must not change: taken without any handle or socket of ours open. */
function snapshot(): { fds: number[]; mountinfo: string; links: string[]; names: string[] } {
  const links = hostLinkNames();
  const names = listNetnsNames();
  return { fds: openFds(), mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'), links, names };
}

describe('create / persist / veth / delete / remove / close, 1,000 times', () => {
  expectEachTestLeavesHostUnchanged();
  beforeAll(() => {
    // /run/netns warmed before the baseline, so that the mountinfo comparison is about the cycles.
    if (isRoot) warmRunNetns(prefix);
  });

  itWith(isRoot, 'needs root', `${CYCLES} cycles leave this process's fds, mountinfo, links and the /run/netns names exactly as they were`, () => {
    expect(Buffer.byteLength(HOST_END)).toBeLessThanOrEqual(15);
    const before = snapshot();
    expect(before.links).not.toContain(HOST_END);
    const started = performance.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const name = `${prefix}${cycle}`;
      const ns = createNamespaceSync('net', { loopback: true });
      try {
        expect(persistNamespace(ns, name)).toBe(`/run/netns/${name}`);
        try {
          const pair = createVethPair({
            a: { namespace: 'self', name: HOST_END, addresses: ['10.200.12.1/24', 'fd20:12::1/64'] },
            b: { namespace: ns, name: NS_END, addresses: ['10.200.12.2/24', 'fd20:12::2/64'] },
          });
          try {
            expect([pair.a.name, pair.a.up, pair.a.linkIndex, pair.b.name, pair.b.up, pair.b.index, pair.b.linkIndex]).toEqual([HOST_END, true, 2, NS_END, true, 2, pair.a.index]);
            if (cycle % 100 === 0) {
              // Now and then the whole picture in the middle of a cycle.
              expect(withNetwork(ns, (net) => net.addresses().filter((a) => a.scope !== 'link').map((a) => a.cidr))).toEqual(['127.0.0.1/8', '10.200.12.2/24', '::1/128', 'fd20:12::2/64']);
              expect(withNetwork('self', (net) => net.addresses().filter((a) => a.link === HOST_END && a.scope !== 'link').map((a) => a.cidr))).toEqual(['10.200.12.1/24', 'fd20:12::1/64']);
              expect(listNetnsNames().filter((n) => n.startsWith(prefix))).toEqual([name]);
              expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` net:[${ns.inode}] /run/netns/${name} `);
            }
          } finally {
            pair.delete();
          }
        } finally {
          removePersistedNamespace(name);
        }
      } finally {
        ns.close();
      }
    }
    const ms = performance.now() - started;
    const after = snapshot();
    expect(after.fds, 'open fds').toEqual(before.fds);
    expect(after.mountinfo, '/proc/self/mountinfo').toBe(before.mountinfo);
    expect(after.links, "links of this process's network namespace").toEqual(before.links);
    expect(after.names, 'listNetnsNames()').toEqual(before.names);
    console.log(`${CYCLES} cycles in ${Math.round(ms)} ms (${(ms / CYCLES).toFixed(1)} ms each)`);
  }, 600_000);
});
