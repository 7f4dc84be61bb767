/**
 * spawn(): start a program in new and/or existing namespaces.
 *
 * Throws synchronously only for invalid options (TypeError / RangeError naming the option) or a
 * failure of this process before the clone (out of fds, …). A failed setup step in the child
 * (SpawnError with `step`) rejects `child.ready` / `child.exited` and emits 'error'.
 */
import { addon } from '../native/addon.js';
import { ProcessHandle } from '../process-handle.js';
import { normalizeSpawn, type SpawnOptions } from './options.js';
import { PreparationFailure } from './preparation-failure.js';
import { NsChild } from './ns-child.js';
import { SpawnError, spawnErrorFrom } from './spawn-error.js';
import type { StdioOption, StdioStream } from './stdio-types.js';
import { withInit } from './init-option.js';
import { isPlainObject } from '../validate.js';

/** What spawn() returns for options of type O: stdin / stdout / stderr typed from O's stdio. */
export type SpawnedChild<O> = NsChild<StdioStream<StdioOption<O>, 0>, StdioStream<StdioOption<O>, 1>, StdioStream<StdioOption<O>, 2>>;

/**
 * Start `file` (looked up on the PATH of the program's environment) with `args`, in the new and
 * joined namespaces of `options`. Throws a TypeError / RangeError for invalid options, before
 * anything is cloned; a failure of a setup step rejects `ready` and `exited` with a SpawnError.
 */
export function spawn<const O extends SpawnOptions = Record<never, never>>(file: string, args?: readonly string[], options?: O): SpawnedChild<O>;
export function spawn<const O extends SpawnOptions = Record<never, never>>(file: string, options?: O): SpawnedChild<O>;
export function spawn(file: string, args?: unknown, options?: unknown): NsChild {
  if (options === undefined && isPlainObject(args)) {
    options = args;
    args = undefined;
  }
  const init = withInit(file, args, options);
  const programFile = file;
  if (init !== null) ({ file, args, options } = init);
  let request;
  try {
    request = normalizeSpawn(file, args, options);
  } catch (error) {
    // Invalid options throw; a kernel error while preparing a step is a setup failure.
    if (error instanceof PreparationFailure) return new NsChild(file, null, spawnErrorFrom(file, error.failure), error.pipeSlots);
    throw error;
  }
  let result;
  try {
    if (request.signal?.aborted) {
      const error = new Error('The operation was aborted', { cause: request.signal.reason }) as Error & { code: string };
      error.name = 'AbortError';
      error.code = 'ABORT_ERR';
      return new NsChild(request.file, null, error, request.stdioKinds.map((kind) => kind === 'pipe'));
    }
    result = addon().spawn(request.plan);
  } finally {
    request.release();
  }
  const pipeSlots = request.stdioKinds.map((kind) => kind === 'pipe');
  if (init !== null) pipeSlots.length = init.statusSlot; // the status socket is the init's, not a stdio slot
  if (result.failure !== null || result.pidfd === null) {
    let failure = result.failure ?? { step: 'unknown', errno: 5, code: 'EIO', syscall: 'spawn', candidates: [] };
    // The init's own exec is a step of its own: the program's execve is the init's to report.
    if (init !== null && failure.step === 'execve') failure = { ...failure, step: 'init' };
    return new NsChild(programFile, null, new SpawnError(request.file, failure, request.errorContext), pipeSlots);
  }
  const pipes = init === null ? result.pipes : result.pipes.slice(0, init.statusSlot);
  return new NsChild(
    programFile,
    {
      file: programFile,
      process: ProcessHandle.adoptChild(result.pidfd, result.pid),
      pipes,
      signal: request.signal,
      killSignal: request.killSignal,
      ...(init === null ? {} : { initStatusFd: result.pipes[init.statusSlot]! }),
    },
    null,
  );
}

