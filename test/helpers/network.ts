/**
 * What the network test files share: a Network opened for one use, the host's link names, and
 * the per-test check that no interface, /run/netns name or file of the file's own is left.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { Network, createNamespaceSync, listNetnsNames, persistNamespace, removePersistedNamespace, type Namespace } from '../../src/index.js';

/** `use(net)` with a Network of `target`, closed afterwards. */
export function withNetwork<T>(target: Namespace | 'self', use: (net: Network) => T): T {
  const net = Network.open(target);
  try {
    return use(net);
  } finally {
    net.close();
  }
}

/** The names of this process's network namespace's links, in kernel order. */
export const hostLinkNames = (): string[] => withNetwork('self', (net) => net.links().map((l) => l.name));

/**
 * The first name ever persisted binds /run/netns onto itself as a shared mount, kept for good (as
 * ip keeps it): made once before the first test, so that per-test mountinfo comparisons start
 * with it and what an unprivileged test runs into is what a host that has had a name has.
 */
export function warmRunNetns(prefix: string): void {
  const ns = createNamespaceSync('net');
  try {
    persistNamespace(ns, `${prefix}warm`);
    removePersistedNamespace(`${prefix}warm`);
  } finally {
    ns.close();
  }
}

/**
 * Registers hooks (when `enabled`): /run/netns warmed once, and after each test the host's links
 * and the /run/netns names as they were before it, with no file of `prefix` left in /run/netns.
 * Returns the current test's baseline.
 */
export function expectEachTestLeavesNetworkUnchanged(enabled: boolean, prefix: string): () => { links: string[]; names: string[] } {
  let baseline = { links: [] as string[], names: [] as string[] };
  beforeAll(() => {
    if (enabled) warmRunNetns(prefix);
  });
  beforeEach(() => {
    if (enabled) baseline = { links: hostLinkNames(), names: listNetnsNames() };
  });
  afterEach(() => {
    if (!enabled) return;
    expect(hostLinkNames(), "the host's links").toEqual(baseline.links);
    expect(listNetnsNames(), '/run/netns').toEqual(baseline.names);
    expect(existsSync('/run/netns') ? readdirSync('/run/netns').filter((name) => name.startsWith(prefix)) : [], 'files of this test in /run/netns').toEqual([]);
  });
  return () => baseline;
}
