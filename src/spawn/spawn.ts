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
import { NsChild } from './ns-child.js';
import { SpawnError, spawnErrorFrom } from './spawn-error.js';
import { isSystemError, type SystemErrorShape } from '../errors.js';

export function spawn(file: string, args?: readonly string[], options?: SpawnOptions): NsChild;
export function spawn(file: string, options?: SpawnOptions): NsChild;
export function spawn(file: string, args?: unknown, options?: unknown): NsChild {
  let request;
  try {
    request = normalizeSpawn(file, args, options);
  } catch (error) {
    // Invalid options throw; a kernel error while preparing a step is a setup failure.
    if (isSystemError(error) && typeof (error as { step?: unknown }).step === 'string') {
      return new NsChild(file, null, spawnErrorFrom(file, error as SystemErrorShape & { step: string }));
    }
    throw error;
  }
  let result;
  try {
    if (request.signal?.aborted) {
      const error = new Error('The operation was aborted', { cause: request.signal.reason }) as Error & { code: string };
      error.name = 'AbortError';
      error.code = 'ABORT_ERR';
      return new NsChild(request.file, null, error);
    }
    result = addon().spawn(request.plan);
  } finally {
    request.release();
  }
  if (result.failure !== null || result.pidfd === null) {
    return new NsChild(request.file, null, new SpawnError(request.file, result.failure ?? { step: 'unknown', errno: 5, code: 'EIO', syscall: 'spawn', candidates: [] }, request.errorContext));
  }
  return new NsChild(
    request.file,
    {
      file: request.file,
      process: ProcessHandle.adoptChild(result.pidfd, result.pid),
      pipes: result.pipes,
      signal: request.signal,
      killSignal: request.killSignal,
    },
    null,
  );
}
