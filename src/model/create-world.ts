/**
 * The world every scenario starts in (see steps.ts): the host's namespaces, a fresh pid namespace
 * T with 'init' as pid 1 and 'root' as pid 2, and a fresh mount namespace holding T's /proc.
 */
import { NAMESPACE_TYPES, type NamespaceType } from '../kinds.js';
import type { Namespace, NsId, Process, World, WorldConfig } from './world.js';
import { checkWorldConfig } from './check-step.js';
import { ownData } from '../validate.js';

/** The world a VM host gives: the harness in the initial pid and user namespaces, clocks unknown. */
export const DEFAULT_CONFIG: WorldConfig = { hostPidLevel: 0, hostUserLevel: 0 };

/** A new namespace id; the harness renames ids, so only uniqueness matters. */
export function freshNsId(world: World, kind: NamespaceType): NsId {
  return `${kind}:${world.nextNsId++}`;
}

export function addNamespace<N extends Namespace>(world: World, ns: N): N {
  world.namespaces.set(ns.id, ns);
  return ns;
}

/**
 * The world every scenario starts in: the host's namespaces, 'init' (pid 1) and 'root' (pid 2) of
 * a fresh pid namespace, in a fresh mount namespace. `config` is checked (TypeError / RangeError).
 */
export function createWorld(config: WorldConfig = DEFAULT_CONFIG): World {
  config = ownData(config, 'config') as WorldConfig;
  checkWorldConfig(config);
  const world: World = {
    config,
    namespaces: new Map(),
    processes: new Map(),
    host: {} as Record<NamespaceType, NsId>,
    nextNsId: 1,
  };
  const hostUser = addNamespace(world, {
    id: freshNsId(world, 'user'), kind: 'user', owner: null, parent: null, level: config.hostUserLevel,
    ownerKuid: 0, ownerKgid: 0,
    // The initial user namespace maps every id to itself.
    uidMap: [{ inside: 0, outside: 0, count: 4_294_967_295 }],
    gidMap: [{ inside: 0, outside: 0, count: 4_294_967_295 }],
    setgroups: 'allow',
  });
  for (const kind of NAMESPACE_TYPES) {
    if (kind === 'user') {
      world.host.user = hostUser.id;
    } else if (kind === 'pid') {
      world.host.pid = addNamespace(world, {
        id: freshNsId(world, 'pid'), kind: 'pid', owner: hostUser.id, parent: null, level: config.hostPidLevel,
        pids: new Map(), cursor: 1, init: null, dead: false, rebootSignal: null, opaque: true,
      }).id;
    } else if (kind === 'time') {
      world.host.time = addNamespace(world, {
        id: freshNsId(world, 'time'), kind: 'time', owner: hostUser.id, offsets: { monotonic: 0, boottime: 0 }, frozen: true,
      }).id;
    } else {
      world.host[kind] = addNamespace(world, { id: freshNsId(world, kind), kind, owner: hostUser.id }).id;
    }
  }
  const top = addNamespace(world, {
    id: freshNsId(world, 'pid'), kind: 'pid', owner: hostUser.id, parent: world.host.pid, level: config.hostPidLevel + 1,
    pids: new Map([[1, 'init'], [2, 'root']]), cursor: 3, init: 'init', dead: false, rebootSignal: null, opaque: false,
  });
  const mnt = addNamespace(world, { id: freshNsId(world, 'mnt'), kind: 'mnt', owner: hostUser.id });
  const ns = { ...world.host, pid: top.id, mnt: mnt.id };
  const make = (name: string, pid: number, parent: string | null): Process => ({
    name, state: 'running', parent, exitSignal: 17, exitStatus: null,
    ns: { ...ns }, pidForChildren: top.id, timeForChildren: world.host.time,
    cred: { uid: 0, gid: 0, userns: hostUser.id, caps: true },
    pids: [pid], pidChain: [top.id], threads: [], fsGroup: name,
    handles: new Map(), handled: new Set(), received: [], subreaper: false, sleeper: false,
  });
  world.processes.set('init', make('init', 1, null));
  world.processes.set('root', make('root', 2, 'init'));
  return world;
}
