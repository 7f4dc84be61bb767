/**
 * createNamespace(): a namespace without a process, held only by its Namespace handle (and by
 * whatever joins it: spawn({ join }), `nsbridge enter --net=FILE` after persistNamespace()).
 * A native thread unshares it, opens its nsfs file and ends (native/net/create_namespace.cc);
 * the JavaScript thread never changes namespace.
 */
import { addon } from './native/addon.js';
import { Namespace } from './namespace.js';
import { kindOf, type NamespaceKind, type NamespaceType } from './kinds.js';
import { checkKeys, checkObject, describe } from './validate.js';
import { parsePropagation, type Propagation } from './spawn/options/mounts.js';
import { isSystemError, withHint } from './errors.js';

/** Options of createNamespace(). */
export interface CreateNamespaceOptions {
  /** 'net' only: bring lo up, so 127.0.0.1/8 and ::1 answer in it. Default false (as `ip netns add`). */
  loopback?: boolean;
  /**
   * 'mnt' only: the propagation of the copied mounts, set before anyone can mount in it. Default
   * 'private' (nothing mounted in it reaches this namespace), as for spawn().
   */
  propagation?: Propagation;
}

const OPTION_KEYS = ['loopback', 'propagation'];

/**
 * A new namespace of `type`: 'net', 'uts', 'ipc', 'cgroup', 'mnt' or 'time' (for 'time': the
 * namespace a process that joins it starts in, with zero offsets). Two kinds cannot exist without
 * a process, and are refused with a TypeError that says why: 'user' (the kernel lets only a
 * single-threaded process create one, EINVAL otherwise, and Node is multithreaded) and 'pid' (its
 * nsfs file cannot be opened before its init exists: pid_for_children is ENOENT until then). For
 * those, spawn a program with namespaces ['user'] / ['pid'] and keep Namespace.fromProcess().
 * Needs CAP_SYS_ADMIN in this process's user namespace (root, or a process inside a user
 * namespace it owns). The work runs on libuv's pool (on a thread of its own that the pool thread
 * waits for), so several namespaces are made at once; resolves once the namespace exists.
 */
export async function createNamespace(type: NamespaceType, options: CreateNamespaceOptions = {}): Promise<Namespace> {
  const { kind, propagation, loopback } = checkRequest(type, options);
  try {
    return Namespace.adopt(await addon().createNamespaceAsync(kind.flag, propagation, loopback), kind.type);
  } catch (error) {
    throw explained(error, kind.type);
  }
}

/** createNamespace(), synchronously (the work is one short native thread). */
export function createNamespaceSync(type: NamespaceType, options: CreateNamespaceOptions = {}): Namespace {
  const { kind, propagation, loopback } = checkRequest(type, options);
  try {
    return Namespace.adopt(addon().createNamespace(kind.flag, propagation, loopback), kind.type);
  } catch (error) {
    throw explained(error, kind.type);
  }
}

function checkRequest(type: NamespaceType, options: CreateNamespaceOptions): { kind: NamespaceKind; propagation: number; loopback: boolean } {
  const kind = kindOf(type);
  if (kind.type === 'pid') {
    throw new TypeError("createNamespace('pid') is not possible: the kernel opens a pid namespace's file only once its init exists (pid_for_children is ENOENT before): spawn a program with namespaces: ['pid'] (it is the init) and keep Namespace.fromProcess(child.process, 'pid')");
  }
  if (kind.type === 'user') {
    throw new TypeError("createNamespace('user') is not possible in a multithreaded process like Node (the kernel refuses unshare(CLONE_NEWUSER) there with EINVAL): spawn a program with namespaces: ['user'] and keep Namespace.fromProcess(child.process, 'user')");
  }
  const o = checkObject(options, 'options');
  checkKeys(o, OPTION_KEYS, 'createNamespace option');
  if (o.loopback !== undefined && typeof o.loopback !== 'boolean') throw new TypeError(`options.loopback must be a boolean, got ${describe(o.loopback)}`);
  if (o.loopback === true && kind.type !== 'net') throw new RangeError(`options.loopback applies to 'net' namespaces, not ${describe(type)}`);
  if (o.propagation !== undefined && kind.type !== 'mnt') throw new RangeError(`options.propagation applies to 'mnt' namespaces, not ${describe(type)}`);
  return { kind, propagation: parsePropagation(o.propagation, kind.type === 'mnt'), loopback: o.loopback === true };
}

function explained(error: unknown, type: NamespaceType): unknown {
  if (isSystemError(error, 'EPERM') && error.syscall === 'unshare') {
    return withHint(error, `creating a ${type} namespace needs CAP_SYS_ADMIN in this process's user namespace (root, or run inside a user namespace of your own)`);
  }
  return error;
}
