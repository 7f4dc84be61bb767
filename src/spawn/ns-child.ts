/**
 * NsChild: a program spawn() started, ChildProcess-like, backed by a pidfd.
 *
 * Events: 'spawn' (the program was exec'd), 'exit' (code, signal), 'close' (code, signal: after
 * 'exit' and once every stdio stream closed), 'error' (setup failure or abort; emitted only when
 * someone listens — the same error always rejects `ready` / `exited`, so an unobserved failure
 * cannot crash the process the way an unhandled 'error' event would).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import type { NamespaceType } from '../kinds.js';
import type { Namespace, NamespaceOfOptions } from '../namespace.js';
import type { ExitInfo, ProcessHandle } from '../process-handle.js';
import { isSystemError } from '../errors.js';
import { checkSignal } from '../validate.js';
import { initFailure, parseInitReport, readInitStatus, type InitReport } from './init-option.js';

/** Marks a promise as handled (its rejection is delivered to whoever awaits it, never "unhandled"). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

export interface StartedChild {
  file: string;
  process: ProcessHandle;
  /** This process's end of each 'pipe' slot (-1 for other slots). Ownership moves to the child. */
  pipes: number[];
  signal: AbortSignal | undefined;
  killSignal: number;
  /** With the init option: this process's end of nsbridge-init's status socket (an fd it owns). */
  initStatusFd?: number;
}

/**
 * A spawned program. The type parameters are the types of stdin, stdout and stderr, which
 * spawn() derives from the stdio option (a Socket for each 'pipe' slot, null for the others; see
 * stdio-types.ts). A 'pipe' slot of a spawn that failed in setup is a destroyed Socket: it reads
 * as ended, and writes to it fail with ERR_STREAM_DESTROYED.
 */
export class NsChild<Stdin extends Socket | null = Socket | null, Stdout extends Socket | null = Socket | null, Stderr extends Socket | null = Socket | null> extends EventEmitter {
  /** The program's pid in this process's pid namespace; undefined when setup failed. */
  readonly pid: number | undefined;
  /** The pidfd-backed handle; null when setup failed (`await ready` gives it without the null). */
  readonly process: ProcessHandle | null;
  /** This process's end of each stdio slot that is a pipe; null for the others. */
  readonly stdio: (Socket | null)[];
  /** This process's end of the program's stdin (slot 0) when it is a pipe, else null; written to. */
  readonly stdin: Stdin;
  /** This process's end of the program's stdout (slot 1) when it is a pipe, else null; read from. */
  readonly stdout: Stdout;
  /** This process's end of the program's stderr (slot 2) when it is a pipe, else null; read from. */
  readonly stderr: Stderr;
  /** Resolves with the program's ProcessHandle once it was exec'd; rejects with a SpawnError if setup failed. */
  readonly ready: Promise<ProcessHandle>;
  /** Resolves when the program has exited (and was reaped); rejects if it never ran. */
  readonly exited: Promise<ExitInfo>;
  /** The program's exit status once it has exited by itself; null before, or when a signal killed it. */
  exitCode: number | null = null;
  /** The name of the signal that killed the program ('SIGKILL'); null while it runs or after a normal exit. */
  signalCode: string | null = null;
  /** The `file` given to spawn(), as ChildProcess.spawnfile. */
  readonly spawnfile: string;
  /** With the init option: nsbridge-init's status socket, which ref() / unref() follow too. */
  #initStatus: Socket | undefined;

  /**
   * @internal Use spawn(). `pipeSlots`: which stdio slots were asked to be pipes (on a failure
   * they get destroyed Sockets, so that their types hold).
   */
  constructor(file: string, started: StartedChild | null, failure: Error | null, pipeSlots: readonly boolean[] = []) {
    super();
    this.spawnfile = file;
    if (started === null) {
      const error = failure ?? new Error('spawn failed');
      this.pid = undefined;
      this.process = null;
      this.stdio = pipeSlots.map((pipe) => (pipe ? destroyedSocket() : null));
      [this.stdin, this.stdout, this.stderr] = [0, 1, 2].map((slot) => this.stdio[slot] ?? null) as [Stdin, Stdout, Stderr];
      this.ready = handled(Promise.reject(error));
      this.exited = handled(Promise.reject(error));
      process.nextTick(() => this.#emitError(error));
      return;
    }
    this.pid = started.process.pid;
    this.process = started.process;
    this.stdio = started.pipes.map((fd, slot) => (fd < 0 ? null : pipeSocket(fd, slot)));
    [this.stdin, this.stdout, this.stderr] = [0, 1, 2].map((slot) => this.stdio[slot] ?? null) as [Stdin, Stdout, Stderr];
    if (started.initStatusFd === undefined) {
      this.ready = Promise.resolve(started.process);
      this.exited = handled(started.process.exited());
      process.nextTick(() => this.emit('spawn'));
    } else {
      [this.ready, this.exited] = this.#throughInit(started.process, started.initStatusFd);
    }
    const stopAbort = this.#watchAbort(started.signal, started.killSignal);
    void this.exited.then(
      (info) => {
        stopAbort();
        this.exitCode = info.code;
        this.signalCode = info.signal;
        this.emit('exit', info.code, info.signal);
        this.#closeWhenStdioCloses(info);
      },
      (error: Error) => {
        stopAbort();
        this.#emitError(error);
      },
    );
  }

  /**
   * Send a signal (pidfd_send_signal: never a recycled pid). Returns false when the program has
   * already exited, true when the signal was sent.
   */
  kill(signal: string | number = 'SIGTERM'): boolean {
    const number = checkSignal(signal);
    if (this.process === null || this.process.closed) return false;
    try {
      this.process.signal(number);
      return true;
    } catch (error) {
      if (isSystemError(error, 'ESRCH')) return false;
      throw error;
    }
  }

  /** Keep the event loop alive until the program exits (the default). */
  ref(): this {
    this.process?.ref();
    this.#initStatus?.ref();
    return this;
  }

  /** Let the event loop end while the program still runs (like ChildProcess.unref()). */
  unref(): this {
    this.process?.unref();
    this.#initStatus?.unref();
    return this;
  }

  /** The program's namespace of `type` (through its pidfd). */
  namespace(type: NamespaceType, options?: NamespaceOfOptions): Namespace {
    return this.#handle().namespace(type, options);
  }

  /** The program's pid in every pid namespace it is in, this process's first (e.g. [4711, 1]). */
  nspid(): number[] {
    return this.#handle().nspid();
  }

  /** util.inspect() output: the file, the pid and whether the program runs, exited or failed. */
  [inspect.custom](): string {
    const state = this.pid === undefined ? 'failed' : this.exitCode !== null || this.signalCode !== null ? `exited ${this.signalCode ?? this.exitCode}` : 'running';
    return `NsChild <${this.spawnfile}, pid ${this.pid ?? '-'}, ${state}>`;
  }

  #handle(): ProcessHandle {
    if (this.process === null) throw new Error(`spawn ${this.spawnfile} failed: there is no process`);
    return this.process;
  }

  /**
   * ready and exited of a program behind nsbridge-init: ready once the init reports the program
   * running (or its execve error), exited with the program's own status from the init's last line
   * (the init's own status if it said nothing: it was SIGKILLed, say).
   */
  #throughInit(init: ProcessHandle, statusFd: number): [Promise<ProcessHandle>, Promise<ExitInfo>] {
    let first!: (report: InitReport) => void;
    const firstLine = new Promise<InitReport>((resolve) => (first = resolve));
    this.#initStatus = pipeSocket(statusFd, 3);
    const status = readInitStatus(this.#initStatus, first);
    // One error object for both promises, as for any other setup failure.
    const failure = firstLine.then((report) => (report.error === null ? null : initFailure(this.spawnfile, report.error)));
    const ready = handled(
      failure.then((error) => {
        if (error !== null) throw error;
        process.nextTick(() => this.emit('spawn'));
        return init;
      }),
    );
    const exited = handled(
      Promise.all([init.exited(), status, failure]).then(([own, text, error]) => {
        if (error !== null) throw error;
        return parseInitReport(text).end ?? own;
      }),
    );
    return [ready, exited];
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #watchAbort(signal: AbortSignal | undefined, killSignal: number): () => void {
    if (signal === undefined) return () => {};
    const onAbort = (): void => {
      this.kill(killSignal);
      const error = new Error('The operation was aborted', { cause: signal.reason }) as Error & { code: string };
      error.name = 'AbortError';
      error.code = 'ABORT_ERR';
      this.#emitError(error);
    };
    if (signal.aborted) {
      process.nextTick(onAbort);
      return () => {};
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  #closeWhenStdioCloses(info: ExitInfo): void {
    // Like ChildProcess: nobody reads the program's stdin any more.
    this.stdin?.destroy();
    const open = this.stdio.filter((s): s is Socket => s !== null && !s.destroyed);
    let left = open.length;
    const done = (): void => {
      if (--left === 0) this.emit('close', info.code, info.signal);
    };
    if (left === 0) {
      left = 1;
      done();
      return;
    }
    for (const s of open) s.once('close', done);
  }
}

// node:net only once a spawn has a 'pipe' slot: it is not among the modules Node starts with, and
// costs a few ms to load (most spawns, and nsbridge run, inherit their stdio).
let net: typeof import('node:net') | undefined;
const socketClass = (): typeof Socket => (net ??= createRequire(import.meta.url)('node:net') as typeof import('node:net')).Socket;

/** A 'pipe' slot of a spawn that never ran: ended for readers, refusing writes (no 'error' event). */
function destroyedSocket(): Socket {
  const socket = new (socketClass())();
  socket.destroy();
  return socket;
}

/** Our end of a 'pipe' slot: stdin is written to, stdout/stderr read from, extra slots both. */
function pipeSocket(fd: number, slot: number): Socket {
  return new (socketClass())({ fd, readable: slot !== 0, writable: slot === 0 || slot > 2 });
}
