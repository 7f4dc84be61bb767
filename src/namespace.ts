/**
 * Namespace: a handle that owns one O_CLOEXEC fd referring to a namespace (an nsfs file).
 * Identity is (device, inode) of that file — never a parsed "net:[4026…]" string — plus the
 * 64-bit NS_GET_ID where the kernel has it (6.18+).
 */
import { inspect } from 'node:util';
import type { OwnedFd, RawFileIdentity } from './native/binding.js';
import { addon } from './native/addon.js';
import { forChildrenOf, kindOf, kindOfFlag, type NamespaceType } from './kinds.js';
import { booleanOption, checkPath, checkPid, describe } from './validate.js';
import { closedHandleError, isSystemError, withHint } from './errors.js';
import { namespaceAccessHint } from './access-hint.js';
import { isProcessHandle } from './process-brand.js';
// Only the type (for fromProcess's signature): erased at compile time, so no import cycle with
// process-handle.js, which imports this module. The run-time check is isProcessHandle.
import type { ProcessHandle } from './process-handle.js';

/** Options of Namespace.of(), Namespace.fromProcess() and the namespace() methods. */
export interface NamespaceOfOptions {
  /**
   * For 'pid' and 'time': the namespace the process's *next children* get (pid_for_children /
   * time_for_children), which unshare(2) and setns(2) change without moving the process itself.
   */
  forChildren?: boolean;
}

/** Guards the constructor: handles come only from the factories below. */
const adoptToken = Symbol('Namespace.adopt');

/** Whether NS_GET_ID answered ENOTTY once: then it is missing on this kernel, stop asking. */
let nsGetIdMissing = false;

/**
 * A namespace, held open: the handle owns an O_CLOEXEC fd of its nsfs file, so the namespace
 * lives at least as long as the handle. Close it (or `using` it) when done.
 */
export class Namespace implements Disposable {
  /** The namespace's kind. */
  readonly type: NamespaceType;
  #owned: OwnedFd;
  #identity: RawFileIdentity | undefined;
  #id: bigint | null | undefined;
  #onClose: (() => void)[] = [];

  /** @internal Use Namespace.of / open / fromProcess. */
  constructor(token: symbol, owned: OwnedFd, type: NamespaceType) {
    if (token !== adoptToken) throw new TypeError('Namespace cannot be constructed directly: use Namespace.of(), Namespace.open() or Namespace.fromProcess()');
    this.#owned = owned;
    this.type = type;
  }

  /** @internal A handle for an fd the addon just opened (createNamespace, openNamed): it takes ownership. */
  static adopt(owned: OwnedFd, type: NamespaceType): Namespace {
    return new Namespace(adoptToken, owned, type);
  }

  /** The namespace of `type` that process `pid` (or this process) is in, from /proc/<pid>/ns. */
  static of(pid: number | 'self', type: NamespaceType, options: NamespaceOfOptions = {}): Namespace {
    const who = pid === 'self' ? 'self' : checkPid(pid);
    const kind = kindOf(type);
    const path = `/proc/${who}/ns/${booleanOption(options, 'forChildren') ? forChildrenOf(kind).procName : kind.procName}`;
    try {
      return new Namespace(adoptToken, addon().openPath(path), kind.type);
    } catch (error) {
      if (isSystemError(error, 'ENOENT')) throw withHint(error, `no process ${who} in this /proc`);
      if (isSystemError(error, 'EACCES')) throw withHint(error, namespaceAccessHint(`process ${who}`));
      throw error;
    }
  }

  /**
   * Open any nsfs path: /proc/<pid>/ns/<kind>, or a bind mount of one (ip netns add,
   * unshare --net=/run/x). The kind is asked of the kernel (NS_GET_NSTYPE).
   */
  static open(path: string): Namespace {
    let owned: OwnedFd;
    try {
      owned = addon().openNamespacePath(checkPath(path));
    } catch (error) {
      if (isSystemError(error, 'ENOTTY')) throw withHint(error, `${path} is not a namespace file`);
      // The checked file is reopened through /proc/self/fd, never by its path again (see the addon).
      if (isSystemError(error, 'ENOENT') && error.path?.startsWith('/proc/self/fd/') === true) {
        throw withHint(error, `no /proc is mounted, and ${path} is opened (after the check that it is a namespace file) through /proc/self/fd`);
      }
      throw error;
    }
    try {
      const kind = kindOfFlag(addon().nsGetNstype(owned.fd));
      if (kind === undefined) throw new RangeError(`${describe(path)} is a namespace of a kind nsbridge does not know`);
      return new Namespace(adoptToken, owned, kind.type);
    } catch (error) {
      owned.close();
      // ENOTTY: the ioctl exists only on nsfs files, so this is not a namespace file.
      if (isSystemError(error, 'ENOTTY')) {
        error.path = path;
        throw withHint(error, `${path} is not a namespace file`);
      }
      throw error;
    }
  }

  /**
   * The namespace of `type` of the process behind a pidfd (PIDFD_GET_<KIND>_NAMESPACE, 6.11+).
   * Race-free: the pidfd pins the process, unlike a /proc/<pid> path whose pid may be reused.
   */
  static fromProcess(handle: ProcessHandle, type: NamespaceType, options: NamespaceOfOptions = {}): Namespace {
    if (!isProcessHandle(handle)) throw new TypeError(`handle must be a ProcessHandle, got ${describe(handle)}`);
    const kind = kindOf(type);
    const request = booleanOption(options, 'forChildren') ? forChildrenOf(kind).pidfdIoctl : kind.pidfdIoctl;
    try {
      return new Namespace(adoptToken, addon().pidfdGetNamespace(handle.fd, request), kind.type);
    } catch (error) {
      if (isSystemError(error, 'EACCES')) throw withHint(error, namespaceAccessHint(`process ${handle.pid}`));
      throw error;
    }
  }

  /** The fd number (owned by this handle: do not close it yourself). */
  get fd(): number {
    const fd = this.#owned.fd;
    if (fd < 0) throw closedHandleError(`Namespace (${this.type})`);
    return fd;
  }

  /** Whether close() was called; from then on `fd` (and whatever needs the fd) throws ERR_NSBRIDGE_CLOSED. */
  get closed(): boolean {
    return this.#owned.fd < 0;
  }

  /** st_ino of the nsfs file: the number shown in "net:[4026531840]". */
  get inode(): bigint {
    return this.#fileIdentity().ino;
  }

  /** st_dev of the nsfs file (all namespaces share one nsfs device, but compare it anyway). */
  get device(): bigint {
    return this.#fileIdentity().dev;
  }

  /** The kernel's 64-bit namespace id (NS_GET_ID, Linux 6.18+), or undefined where missing. */
  get id(): bigint | undefined {
    if (this.#id === undefined) {
      const fd = this.fd;
      if (nsGetIdMissing) {
        this.#id = null;
      } else {
        try {
          this.#id = addon().nsGetId(fd);
        } catch (error) {
          if (!isSystemError(error, 'ENOTTY')) throw error;
          nsGetIdMissing = true;
          this.#id = null;
        }
      }
    }
    return this.#id ?? undefined;
  }

  /**
   * The parent namespace (pid and user kinds only), or null at the top of what the caller may see:
   * the kernel answers EPERM when the parent lies outside the caller's own namespace.
   */
  parent(): Namespace | null {
    if (!kindOf(this.type).hierarchical) {
      throw new TypeError(`parent() applies to pid and user namespaces; this is a ${this.type} namespace`);
    }
    return this.#related('parent');
  }

  /**
   * The user namespace that owns this one (for a user namespace: its parent), or null when it lies
   * outside the caller's view (EPERM).
   */
  owner(): Namespace | null {
    return this.#related('owner');
  }

  /** The uid (in the caller's user namespace) of the creator of this user namespace. */
  ownerUid(): number {
    if (this.type !== 'user') throw new TypeError(`ownerUid() applies to user namespaces; this is a ${this.type} namespace`);
    return addon().nsGetOwnerUid(this.fd);
  }

  /** Whether both handles refer to the same namespace. */
  equals(other: Namespace): boolean {
    if (!(other instanceof Namespace)) throw new TypeError(`equals() expects a Namespace, got ${describe(other)}`);
    return this.type === other.type && this.inode === other.inode && this.device === other.device;
  }

  /** Close the fd (idempotent). */
  close(): void {
    this.#owned.close();
    for (const fn of this.#onClose.splice(0)) fn();
  }

  /** @internal Run `fn` when the handle is closed (what is kept for it, like spare sockets, goes too). */
  whenClosed(fn: () => void): void {
    this.#onClose.push(fn);
  }

  /** close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The kind and identity for JSON.stringify(), with the bigints as decimal strings. */
  toJSON(): {
    /** The namespace's kind. */
    type: NamespaceType;
    /** st_ino of the nsfs file, in decimal. */
    inode: string;
    /** st_dev of the nsfs file, in decimal. */
    device: string;
    /** NS_GET_ID in decimal, or null where the kernel lacks it (before 6.18). */
    id: string | null;
  } {
    return { type: this.type, inode: String(this.inode), device: String(this.device), id: this.id === undefined ? null : String(this.id) };
  }

  /** util.inspect() output: the kind and inode, e.g. `Namespace <net:[4026531840]>`. */
  [inspect.custom](): string {
    return this.closed ? `Namespace <${this.type}, closed>` : `Namespace <${this.type}:[${this.inode}]>`;
  }

  #fileIdentity(): RawFileIdentity {
    return (this.#identity ??= addon().fileIdentity(this.fd));
  }

  #related(which: 'parent' | 'owner'): Namespace | null {
    const fd = this.fd;
    try {
      const owned = which === 'parent' ? addon().nsGetParent(fd) : addon().nsGetUserns(fd);
      return new Namespace(adoptToken, owned, which === 'parent' ? this.type : 'user');
    } catch (error) {
      // EPERM: the related namespace is outside the caller's view (or is the initial one's parent).
      if (isSystemError(error, 'EPERM')) return null;
      throw error;
    }
  }
}
