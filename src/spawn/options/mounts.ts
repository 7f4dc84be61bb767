/**
 * The program's mount setup: the propagation of a new mount namespace, namespaces persisted
 * onto files (bind mounts), and a new root. Pure checks (TypeError / RangeError naming the
 * option); nothing is opened here. createNamespace() shares the propagation check.
 */
import type { NativeSpawnPlan } from '../../native/binding.js';
import { NAMESPACE_KINDS, kindOf, type NamespaceType } from '../../kinds.js';
import { checkPath, describe, ownProperties } from '../../validate.js';
import { directoryFd, directoryPlan, type DirectoryOption } from './directory.js';
import type { Given } from './common.js';

/** How the mounts of a new mount namespace propagate (mount_namespaces(7)). */
export type Propagation = 'private' | 'slave' | 'shared' | 'unchanged';

export const mountKeys = ['propagation', 'persist', 'root'] as const;

// mount(2) flags (linux/mount.h).
const MS_REC = 0x4000;
const MS_PRIVATE = 1 << 18;
const MS_SLAVE = 1 << 19;
const MS_SHARED = 1 << 20;

/**
 * The propagation modes, as unshare(1) --propagation names them, and the mount(2) flags the child
 * applies to "/" right after the mount namespace is created. 'private' is the default: on a host
 * whose / is shared (systemd's default) a copy keeps the parent's peer groups, and every mount
 * the program made would appear in the parent's namespace too.
 */
const PROPAGATIONS: Readonly<Record<Propagation, { flags: number; meaning: string }>> = {
  private: { flags: MS_REC | MS_PRIVATE, meaning: 'no mount event crosses between this namespace and any other' },
  slave: { flags: MS_REC | MS_SLAVE, meaning: "mounts made in the parent's namespace appear here; none made here go back" },
  shared: { flags: MS_REC | MS_SHARED, meaning: 'mount events cross both ways with the peers of each mount (the parent, where its mounts were shared)' },
  unchanged: { flags: 0, meaning: "the parent's propagation as copied (a shared / leaks the program's mounts into the parent)" },
};

const PROPAGATION_NAMES = Object.keys(PROPAGATIONS) as Propagation[];

/** The mount flags for the new mount namespace's "/", or 0 when there is none or it stays unchanged. */
export function parsePropagation(value: unknown, createsMnt: boolean): number {
  if (value === undefined) return createsMnt ? PROPAGATIONS.private.flags : 0;
  if (typeof value !== 'string' || !PROPAGATION_NAMES.includes(value as Propagation)) {
    throw new TypeError(`options.propagation must be one of ${PROPAGATION_NAMES.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`);
  }
  if (!createsMnt) throw new RangeError('options.propagation requires a new mnt namespace (namespaces.mnt)');
  return PROPAGATIONS[value as Propagation].flags;
}

/** options.root: chroot into a path (resolved in the program's mount namespace) or an open directory fd. */
function checkRoot(value: unknown): DirectoryOption | null {
  if (value === undefined) return null;
  const fd = directoryFd(value, 'options.root');
  if (fd !== null) return fd;
  if (typeof value !== 'string') throw new TypeError(`options.root must be a path or { fd }, got ${describe(value)}`);
  return { path: checkPath(value, 'options.root') };
}

/** One namespace file to bind-mount onto a path (unshare --net=FILE), in the kinds table's order. */
interface PersistEntry {
  type: NamespaceType;
  flag: number;
  path: string;
}

/**
 * options.persist: { net: '/run/netns/blue', … } — each new namespace of those kinds is
 * bind-mounted onto the (existing) file before the program runs, so it outlives the program.
 */
function checkPersist(value: unknown, creates: ReadonlySet<NamespaceType>): PersistEntry[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new TypeError(`options.persist must be an object of namespace type → path, got ${describe(value)}`);
  }
  const given = ownProperties(value); // nothing inherited is read as a kind
  for (const key of Object.keys(given)) kindOf(key, 'options.persist key');
  const entries: PersistEntry[] = [];
  for (const { type, flag } of NAMESPACE_KINDS) {
    if (given[type] === undefined) continue;
    const path = checkPath(given[type], `options.persist.${type}`);
    if (!path.startsWith('/')) throw new RangeError(`options.persist.${type} must be an absolute path, got ${describe(path)}`);
    if (!creates.has(type)) throw new RangeError(`options.persist.${type} requires a new ${type} namespace (namespaces.${type})`);
    entries.push({ type, flag, path });
  }
  return entries;
}

export interface Mounts {
  propagation: number;
  persist: PersistEntry[];
  root: DirectoryOption | null;
}

export function checkMounts(options: Given<typeof mountKeys>, creates: ReadonlySet<NamespaceType>): Mounts {
  return {
    propagation: parsePropagation(options.propagation, creates.has('mnt')),
    persist: checkPersist(options.persist, creates),
    root: checkRoot(options.root),
  };
}

type MountPlan = Pick<NativeSpawnPlan, 'propagation' | 'root' | 'rootFd' | 'persistKinds' | 'persistPaths'>;

export function mountPlan(mounts: Mounts): MountPlan {
  const root = directoryPlan(mounts.root);
  return {
    propagation: mounts.propagation,
    root: root.path,
    rootFd: root.fd,
    persistKinds: mounts.persist.map((entry) => entry.flag),
    persistPaths: mounts.persist.map((entry) => entry.path),
  };
}
