/**
 * ProcessHandle: a handle that owns a pidfd. The pidfd pins the process's identity, so signals,
 * namespace lookups and exit watching can never hit a recycled pid.
 */
import { inspect } from 'node:util';
import type { FdWatcher, OwnedFd, RawExitStatus } from './native/binding.js';
import { PidTranslation } from './native/binding.js';
import { addon } from './native/addon.js';
import type { NamespaceType } from './kinds.js';
import { Namespace, type NamespaceOfOptions } from './namespace.js';
import { readNsPid } from './proc.js';
import { recordProcessHandle } from './process-brand.js';
import { checkPid, checkSignal, describe, signalName } from './validate.js';
import { closedHandleError, isSystemError, withHint } from './errors.js';

/** How a process ended: exactly one of code / signal is set, or both null when unknowable. */
export interface ExitInfo {
  /** The exit status (0-255) when the process exited by itself, else null. */
  code: number | null;
  /** The name of the signal that killed it ('SIGKILL'), else null. */
  signal: string | null;
}

const adoptToken = Symbol('ProcessHandle.adopt');

/**
 * A process, held by a pidfd (from ProcessHandle.open(), or from spawn() for its program): signals,
 * namespace lookups and exit watching go through the pidfd. Close it (or `using` it) when done.
 */
export class ProcessHandle implements Disposable {
  /** The process id as seen in the caller's pid namespace. */
  readonly pid: number;
  #owned: OwnedFd;
  /** True for processes nsbridge created: only those does it reap. */
  readonly #reaps: boolean;
  #exited: Promise<ExitInfo> | undefined;
  #watcher: FdWatcher | undefined;
  #rejectExited: ((error: Error) => void) | undefined;
  /** Whether a pending exited() keeps the event loop alive (ref/unref, like a ChildProcess). */
  #keepsLoopAlive = true;
  #reapedAndClosed = false;

  /** @internal Use ProcessHandle.open(). */
  constructor(token: symbol, owned: OwnedFd, pid: number, reaps: boolean) {
    if (token !== adoptToken) throw new TypeError('ProcessHandle cannot be constructed directly: use ProcessHandle.open()');
    this.#owned = owned;
    this.pid = pid;
    this.#reaps = reaps;
    recordProcessHandle(this);
  }

  /** A handle on an existing process (pidfd_open). It is never reaped by nsbridge. */
  static open(pid: number): ProcessHandle {
    checkPid(pid);
    try {
      return new ProcessHandle(adoptToken, addon().pidfdOpen(pid, 0), pid, false);
    } catch (error) {
      if (isSystemError(error, 'ESRCH')) throw withHint(error, `no process ${pid}`);
      throw error;
    }
  }

  /** @internal A handle on a child nsbridge created; exited() reaps it. */
  static adoptChild(owned: OwnedFd, pid: number): ProcessHandle {
    return new ProcessHandle(adoptToken, owned, pid, true);
  }

  /** The pidfd number (owned by this handle: do not close it yourself). */
  get fd(): number {
    const fd = this.#owned.fd;
    if (fd < 0) throw closedHandleError(`ProcessHandle (pid ${this.pid})${this.#reapedAndClosed ? ', whose process exited and was reaped,' : ''}`);
    return fd;
  }

  /** Whether nsbridge reaped this process (its child) and so closed the pidfd. */
  get reaped(): boolean {
    return this.#reapedAndClosed;
  }

  /** Whether the pidfd is closed: by close(), or after nsbridge reaped its child. */
  get closed(): boolean {
    return this.#owned.fd < 0;
  }

  /** Send a signal by name or number (pidfd_send_signal; 0 checks that the process exists). */
  signal(signal: string | number = 'SIGTERM'): void {
    addon().pidfdSendSignal(this.fd, checkSignal(signal), 0);
  }

  /**
   * Resolves when the process has exited. Delivered by watching the pidfd on this thread's event
   * loop (it becomes readable at exit): no thread blocks, no timer polls. A child nsbridge created
   * is reaped here; any other process is only observed (waitid WNOWAIT, or PIDFD_GET_INFO after its
   * parent reaped it), so child_process and others keep their own exit events.
   */
  exited(): Promise<ExitInfo> {
    if (this.#exited === undefined) {
      const fd = this.fd;
      this.#exited = new Promise<ExitInfo>((resolve, reject) => {
        this.#rejectExited = reject;
        const watch = (until: 'readable' | 'hangup'): void => {
          const onReady = (): void => {
            this.#watcher = undefined;
            try {
              const outcome = this.#collectExit(until === 'hangup');
              if (outcome === 'running') watch('readable');
              else if (outcome === 'unreaped') watch('hangup');
              else {
                resolve(outcome);
                // A child we reaped: its pid is gone, so the pidfd can answer nothing more.
                if (this.#reaps) this.#closeAfterReap();
              }
            } catch (error) {
              reject(error);
            }
          };
          this.#watcher = this.#watch(until, fd, onReady);
          if (!this.#keepsLoopAlive) this.#watcher.setRef(false);
        };
        watch('readable');
      });
    }
    return this.#exited;
  }

  /**
   * Our own child is watched with watchChildExit: should the watch end before it reaps — close()
   * while the child runs, or the end of the worker thread that spawned it — the child is reaped
   * by the process-wide reaper instead of staying a zombie (nobody else waits for it).
   */
  #watch(until: 'readable' | 'hangup', fd: number, onReady: () => void): FdWatcher {
    if (until === 'hangup') return addon().watchHangup(fd, onReady);
    return this.#reaps ? addon().watchChildExit(fd, onReady) : addon().watchReadable(fd, onReady);
  }

  /** Let a pending exited() keep the event loop alive (the default). */
  ref(): this {
    this.#keepsLoopAlive = true;
    this.#watcher?.setRef(true);
    return this;
  }

  /** Let the event loop end while exited() is still pending (the process keeps running). */
  unref(): this {
    this.#keepsLoopAlive = false;
    this.#watcher?.setRef(false);
    return this;
  }

  /** The namespace of `type` this process is in (race-free, through the pidfd). */
  namespace(type: NamespaceType, options?: NamespaceOfOptions): Namespace {
    return Namespace.fromProcess(this, type, options);
  }

  /** The process's pid in every pid namespace it belongs to, outermost (the caller's) first. */
  nspid(): number[] {
    const fd = this.fd;
    let chain: number[];
    try {
      chain = readNsPid(this.pid);
    } catch (error) {
      // No /proc entry: the process was reaped; say so with the pidfd's ESRCH.
      if (isSystemError(error, 'ENOENT')) this.#assertAlive(fd);
      throw error;
    }
    this.#assertAlive(fd);
    return chain;
  }

  /** This process's pid as seen in pid namespace `ns`, or null where it is not visible there. */
  pidIn(ns: Namespace): number | null {
    if (!(ns instanceof Namespace) || ns.type !== 'pid') {
      throw new TypeError(`pidIn() expects a pid Namespace, got ${ns instanceof Namespace ? `a ${ns.type} namespace` : describe(ns)}`);
    }
    const fd = this.fd;
    let translated: number | null;
    try {
      translated = addon().nsTranslatePid(ns.fd, PidTranslation.PidInNs, this.pid);
    } catch (error) {
      if (!isSystemError(error, 'ESRCH')) throw error;
      translated = null;
    }
    this.#assertAlive(fd);
    return translated;
  }

  /**
   * Close the pidfd (idempotent). A pending exited() rejects with ERR_NSBRIDGE_CLOSED. A child
   * nsbridge created that is still running is then reaped in the background when it exits.
   */
  close(): void {
    if (this.closed) return;
    this.#watcher?.stop();
    this.#watcher = undefined;
    this.#owned.close();
    this.#rejectExited?.(closedHandleError(`ProcessHandle (pid ${this.pid})`));
  }

  #closeAfterReap(): void {
    this.#reapedAndClosed = true;
    this.#rejectExited = undefined; // settled: no error to build for it
    this.close();
  }

  /** close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** util.inspect() output: the pid, and whether the handle is closed. */
  [inspect.custom](): string {
    return `ProcessHandle <pid ${this.pid}${this.closed ? ', closed' : ''}>`;
  }

  /**
   * The exit status once the pidfd is readable (the process exited) or hung up (it was reaped).
   * 'running': it has not exited after all; 'unreaped': it is a zombie whose parent (not us) has
   * not reaped it yet, and the kernel records the exit status for others only at reaping.
   */
  #collectExit(afterHangup: boolean): ExitInfo | 'running' | 'unreaped' {
    const fd = this.fd;
    let raw: RawExitStatus | null | 'unsupported';
    try {
      raw = addon().waitidPidfd(fd, !this.#reaps);
      if (raw === null) return 'running';
    } catch (error) {
      // ECHILD: not our child, or its parent (e.g. libuv for child_process) reaped it first.
      if (!isSystemError(error, 'ECHILD') || this.#reaps) throw error;
      raw = exitInfoAfterReap(fd);
      if (raw === null && !afterHangup) return 'unreaped';
    }
    if (raw === null || raw === 'unsupported') return { code: null, signal: null };
    return { code: raw.code, signal: raw.signal === null ? null : signalName(raw.signal) };
  }

  /** Reads of /proc/<pid> are only valid if the pidfd's process was alive after the read. */
  #assertAlive(fd: number): void {
    try {
      addon().pidfdSendSignal(fd, 0, 0);
    } catch (error) {
      // EPERM: alive, just not ours to signal.
      if (isSystemError(error, 'EPERM')) return;
      if (isSystemError(error, 'ESRCH')) throw withHint(error, `process ${this.pid} has exited`);
      throw error;
    }
  }
}

/**
 * PIDFD_GET_INFO exit info: null while the kernel has none (yet), 'unsupported' where the ioctl
 * (6.13) is missing; 6.13-6.14 have the ioctl but never report exit info (6.15), so there the
 * answer stays null.
 */
function exitInfoAfterReap(fd: number): RawExitStatus | null | 'unsupported' {
  try {
    return addon().pidfdExitInfo(fd);
  } catch (error) {
    if (isSystemError(error, 'ENOTTY') || isSystemError(error, 'EINVAL')) return 'unsupported';
    throw error;
  }
}
