/**
 * Failures of a setup step in this process, while a spawn is prepared (the join target has
 * exited, the cgroup does not exist): the options were valid, so spawn() reports them like a
 * failure of that step in the child, on an NsChild, instead of throwing.
 */
import { isSystemError, type SystemErrorShape } from '../errors.js';

/** A kernel error of this process while preparing `step`: SystemError-shaped, with the step. */
export class StepFailure extends Error implements SystemErrorShape {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string;
  readonly fd?: number;
  readonly hint?: string;

  constructor(
    /** The step the error is reported as ('setns', 'cgroup'). */
    readonly step: string,
    error: SystemErrorShape,
  ) {
    super(error.message, { cause: error });
    this.name = 'StepFailure';
    this.code = error.code;
    this.errno = error.errno;
    this.syscall = error.syscall;
    if (error.path !== undefined) this.path = error.path;
    if (error.fd !== undefined) this.fd = error.fd;
    if (error.hint !== undefined) this.hint = error.hint;
  }
}

/** Run `prepare`; a kernel error it throws is a StepFailure of `step`, anything else stays as it is. */
export function duringStep<T>(step: string, prepare: () => T): T {
  try {
    return prepare();
  } catch (error) {
    throw isSystemError(error) ? new StepFailure(step, error) : error;
  }
}

/**
 * What normalizeSpawn throws for a StepFailure: the failure and the stdio slots that were asked
 * to be pipes, so that spawn() makes the NsChild with them.
 */
export class PreparationFailure extends Error {
  constructor(
    readonly failure: StepFailure,
    /** Per stdio slot: whether it is a pipe. */
    readonly pipeSlots: boolean[],
  ) {
    super(failure.message);
  }
}
