/**
 * Unbound sockets made ahead, per Namespace handle and socket kind. Only socket(2) has to happen
 * inside the namespace, and that takes a native thread (~0.1 ms to create and join on a small VM,
 * most of a connection's cost); so one thread makes a batch — 1 socket, then 2, 4, … up to 16 as
 * a handle keeps asking — and later requests take from it. Binding, connecting and listening are
 * done on this thread (they act in the socket's namespace, whoever calls). Spare sockets are
 * closed with their handle: Namespace.close(), or the handle's garbage collection.
 */
import { closeSync } from 'node:fs';
import { addon } from '../native/addon.js';
import { Namespace } from '../namespace.js';
import { targetFd, type NetworkTarget } from '../net/rtnetlink-socket.js';

const MAX_BATCH = 16;

interface Pool {
  spare: number[];
  /** How many the next refill makes. */
  batch: number;
}

type Pools = Map<string, Pool>;

const pools = new WeakMap<Namespace, Pools>();

function closeAll(map: Pools): void {
  for (const pool of map.values()) for (const fd of pool.spare.splice(0)) closeSync(fd);
  map.clear();
}

// A handle dropped without close(): its spare sockets go with it.
const collected = new FinalizationRegistry<Pools>(closeAll);

function poolsOf(ns: Namespace): Pools {
  let map = pools.get(ns);
  if (map === undefined) {
    const created: Pools = new Map();
    map = created;
    pools.set(ns, created);
    collected.register(ns, created);
    ns.whenClosed(() => closeAll(created));
  }
  return map;
}

/**
 * An unbound socket (domain, type) of `namespace`'s network namespace, non-blocking and
 * close-on-exec; the caller owns it. 'self' makes it here, at once. Throws ERR_NSBRIDGE_CLOSED for
 * a closed handle, a TypeError for one of another kind, and 'setns' / 'socket' system errors.
 */
export function takeSocket(namespace: NetworkTarget, domain: number, type: number): number {
  const nsFd = targetFd(namespace, 'namespace');
  if (nsFd === -1 || !(namespace instanceof Namespace)) return addon().socketsIn(-1, domain, type, 1)[0]!;
  const map = poolsOf(namespace);
  const key = `${domain}/${type}`;
  let pool = map.get(key);
  if (pool === undefined) {
    pool = { spare: [], batch: 1 };
    map.set(key, pool);
  }
  if (pool.spare.length === 0) {
    const made = addon().socketsIn(nsFd, domain, type, pool.batch);
    pool.batch = Math.min(pool.batch * 2, MAX_BATCH);
    pool.spare.push(...made.reverse());
  }
  return pool.spare.pop()!;
}
