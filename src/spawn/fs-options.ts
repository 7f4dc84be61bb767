/**
 * The spawn options about the program's file system view: the propagation of a new mount
 * namespace, a new root, the working directory, and namespaces persisted onto files. Pure checks
 * (TypeError / RangeError naming the option); nothing is opened here.
 */
import { fileURLToPath } from 'node:url';
import { NAMESPACE_KINDS, kindOf, type NamespaceType } from '../kinds.js';
import { checkFd, checkPath, describe, ownProperties } from '../validate.js';

/** How the mounts of a new mount namespace propagate (mount_namespaces(7)). */
export type Propagation = 'private' | 'slave' | 'shared' | 'unchanged';

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

/** A directory given as a path, or as an open directory fd (`{ fd }`, resolved before any join). */
export type DirectoryOption = { path: string } | { fd: number };

function fdObject(value: unknown, name: string): { fd: number } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof URL) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'fd') throw new TypeError(`${name} must be a path or { fd }, got ${describe(value)} with keys ${describe(keys.join(', '))}`);
  return { fd: checkFd((value as { fd: unknown }).fd, `${name}.fd`) };
}

/** options.root: chroot into a path (resolved in the program's mount namespace) or an open directory fd. */
export function parseRoot(value: unknown): DirectoryOption | null {
  if (value === undefined) return null;
  const fd = fdObject(value, 'options.root');
  if (fd !== null) return fd;
  if (typeof value !== 'string') throw new TypeError(`options.root must be a path or { fd }, got ${describe(value)}`);
  return { path: checkPath(value, 'options.root') };
}

/** options.cwd: a path or file: URL (resolved where the program runs), or an open directory fd. */
export function parseCwd(value: unknown): DirectoryOption | null {
  if (value === undefined) return null;
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw new RangeError(`options.cwd must be a file: URL, got ${describe(value.href)}`);
    let path: string;
    try {
      path = fileURLToPath(value);
    } catch (error) {
      throw new RangeError(`options.cwd ${describe(value.href)} is not a valid file path: ${(error as Error).message}`, { cause: error });
    }
    return { path: checkPath(path, 'options.cwd') };
  }
  const fd = fdObject(value, 'options.cwd');
  if (fd !== null) return fd;
  if (typeof value !== 'string') throw new TypeError(`options.cwd must be a string, a file: URL or { fd }, got ${describe(value)}`);
  return { path: checkPath(value, 'options.cwd') };
}

/** One namespace file to bind-mount onto a path (unshare --net=FILE), in the kinds table's order. */
export interface PersistEntry {
  type: NamespaceType;
  flag: number;
  path: string;
}

/**
 * options.persist: { net: '/run/netns/blue', … } — each new namespace of those kinds is
 * bind-mounted onto the (existing) file before the program runs, so it outlives the program.
 */
export function parsePersist(value: unknown, creates: ReadonlySet<NamespaceType>): PersistEntry[] {
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
