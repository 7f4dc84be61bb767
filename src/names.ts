/**
 * Namespaces kept by name, compatible with iproute2: a namespace is persisted by bind-mounting its
 * nsfs file onto a file (ip/ipnetns.c netns_add, unshare --net=FILE), so it lives without any
 * process or fd; a plain name is /run/netns/NAME, where `ip netns` looks. /run/netns is made a
 * shared mount of its own first, as ip does, so a name made later is seen from every mount
 * namespace that shares it.
 */
import { addon } from './native/addon.js';
import { Namespace } from './namespace.js';
import { closeSync, constants, mkdirSync, openSync, readdirSync, unlinkSync } from './sync-fs.js';
import { describe } from './validate.js';
import { isSystemError, withHint } from './errors.js';

/** Where iproute2 keeps network namespace names (NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/run/netns';

/** nsfs's statfs f_type (NSFS_MAGIC): the only file system a namespace file can be on. */
const NSFS_MAGIC = 0x6e736673;
const MNT_DETACH = 2;
const NAME_MAX = 255;

/**
 * A name → /run/netns/NAME (iproute2's rule: not empty, not '.' or '..', no '/'); a string with
 * a '/' must be an absolute path and is taken as it is.
 */
function namespacePath(nameOrPath: unknown, what = 'nameOrPath'): string {
  if (typeof nameOrPath !== 'string') throw new TypeError(`${what} must be a name or an absolute path, got ${describe(nameOrPath)}`);
  if (nameOrPath.includes('\0')) throw new TypeError(`${what} must not contain NUL bytes, got ${describe(nameOrPath)}`);
  if (nameOrPath.includes('/')) {
    if (!nameOrPath.startsWith('/')) throw new RangeError(`${what} must be a name without '/' or an absolute path, got ${describe(nameOrPath)}`);
    return nameOrPath;
  }
  if (nameOrPath === '' || nameOrPath === '.' || nameOrPath === '..' || Buffer.byteLength(nameOrPath) > NAME_MAX) {
    throw new RangeError(`${what} must be a name of 1 to ${NAME_MAX} bytes other than '.' and '..', got ${describe(nameOrPath)}`);
  }
  return `${NETNS_RUN_DIR}/${nameOrPath}`;
}

/** /run/netns exists and is a shared mount point (iproute2's netns_add, before the first name). */
function prepareRunDir(): void {
  try {
    mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  } catch (error) {
    if (!isSystemError(error, 'EEXIST')) throw error;
  }
  try {
    addon().makeSharedMountPoint(NETNS_RUN_DIR);
  } catch (error) {
    if (isSystemError(error, 'EPERM')) throw withHint(error, `making ${NETNS_RUN_DIR} a shared mount (as ip netns add does) needs CAP_SYS_ADMIN over this process's mount namespace (root, or a mount namespace of your own user namespace)`);
    throw error;
  }
}

/**
 * Keep `namespace` at `nameOrPath` (a name: /run/netns/NAME, for network namespaces; or an absolute
 * path of any kind's namespace): the file is created (EEXIST if anything is there — nothing is
 * ever mounted over an existing file) and the namespace's nsfs file bound onto it. On failure the
 * file is removed again. Returns the path. Needs CAP_SYS_ADMIN in the owner of this process's
 * mount namespace.
 */
export function persistNamespace(namespace: Namespace, nameOrPath: string): string {
  if (!(namespace instanceof Namespace)) throw new TypeError(`namespace must be a Namespace, got ${describe(namespace)}`);
  const fd = namespace.fd; // throws ERR_NSBRIDGE_CLOSED on a closed handle, before anything is made
  const path = namespacePath(nameOrPath);
  const isName = !nameOrPath.includes('/');
  if (isName && namespace.type !== 'net') {
    throw new RangeError(`a name (${describe(nameOrPath)}) is kept in ${NETNS_RUN_DIR}, for network namespaces; give an absolute path for a ${namespace.type} namespace`);
  }
  // A name, or a path in /run/netns: iproute2's directory, made a shared mount first either way.
  if (isName || path.slice(0, path.lastIndexOf('/')) === NETNS_RUN_DIR) prepareRunDir();
  try {
    // O_EXCL: an existing file (or a symlink to one) is never taken over. (libuv opens O_CLOEXEC.)
    closeSync(openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_EXCL, 0));
  } catch (error) {
    if (isSystemError(error, 'EEXIST')) throw withHint(error, `${path} exists: remove it first or choose another name`);
    throw error;
  }
  try {
    addon().bindNamespaceFile(fd, path);
  } catch (error) {
    unlinkSync(path);
    if (isSystemError(error, 'EPERM')) throw withHint(error, `keeping a namespace at ${path} is a bind mount: it needs CAP_SYS_ADMIN over this process's mount namespace (root, or a mount namespace of your own user namespace)`);
    throw error;
  }
  return path;
}

/** The namespace persisted at `nameOrPath` (a name: /run/netns/NAME), held open by a new handle. */
export function openPersistedNamespace(nameOrPath: string): Namespace {
  return Namespace.open(namespacePath(nameOrPath));
}

/** Whether the file at path itself (not a symlink's target) is a namespace file. */
export function isNamespaceMount(path: string): boolean {
  return addon().fileSystemType(path) === NSFS_MAGIC;
}

/**
 * Remove a persisted namespace: unmount (MNT_DETACH, as ip netns del) and unlink. A path that is
 * not a namespace file mount is refused with a RangeError and left as it is. The namespace itself
 * lives on while a process is in it or an fd holds it.
 */
export function removePersistedNamespace(nameOrPath: string): void {
  const path = namespacePath(nameOrPath);
  if (!isNamespaceMount(path)) throw new RangeError(`${describe(path)} is not a persisted namespace (no nsfs file is mounted there): not removed`);
  addon().unmount(path, MNT_DETACH);
  unlinkSync(path);
}

/** The names in /run/netns that hold a network namespace (`ip netns list`), sorted; [] without the directory. Other kinds bound there are left out. */
export function listNetnsNames(): string[] {
  let entries: string[];
  try {
    entries = readdirSync(NETNS_RUN_DIR);
  } catch (error) {
    if (isSystemError(error, 'ENOENT')) return [];
    throw error;
  }
  return entries.filter((name) => {
    const path = `${NETNS_RUN_DIR}/${name}`;
    try {
      if (!isNamespaceMount(path)) return false;
      const ns = Namespace.open(path);
      const isNet = ns.type === 'net';
      ns.close();
      return isNet;
    } catch {
      return false; // removed meanwhile, or not readable
    }
  }).sort();
}
