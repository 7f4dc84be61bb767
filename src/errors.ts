import { constants } from 'node:os';

/**
 * Error shapes. Kernel failures arrive from the addon shaped like Node's SystemError
 * (`code`, `errno`, `syscall`, optional `path` / `fd`); the TypeScript layer only adds a `hint`
 * where the cause is well known. Errors of nsbridge itself carry an ERR_NSBRIDGE_* code.
 */
export interface SystemErrorShape extends Error {
  /** errno name, e.g. 'EINVAL'. */
  code: string;
  /** Negative errno, like Node's own system errors. */
  errno: number;
  /** The system call that failed, e.g. 'setns' or 'ioctl(NS_GET_PARENT)'. */
  syscall: string;
  /** The path the call was given, where there was one. */
  path?: string;
  /** The fd the call was given, where there was one. */
  fd?: number;
  /** A one-line explanation of a well-known cause, where there is one. */
  hint?: string;
}

/** Whether `error` is a kernel error from nsbridge (optionally: with this errno name). */
export function isSystemError(error: unknown, code?: string): error is SystemErrorShape {
  return (
    error instanceof Error &&
    typeof (error as Partial<SystemErrorShape>).code === 'string' &&
    typeof (error as Partial<SystemErrorShape>).errno === 'number' &&
    typeof (error as Partial<SystemErrorShape>).syscall === 'string' &&
    (code === undefined || (error as SystemErrorShape).code === code)
  );
}

/**
 * A kernel error found out in TypeScript (not returned by a call), shaped like the addon's: the
 * errno from os.constants.errno, negative like Node's own system errors.
 */
export function systemError(code: keyof typeof constants.errno, syscall: string, message: string): SystemErrorShape {
  return Object.assign(new Error(message), { code, errno: -constants.errno[code], syscall });
}

/** Attach a hint to a system error and return it (for `throw withHint(e, '…')`). */
export function withHint<E>(error: E, hint: string): E {
  if (error instanceof Error) {
    (error as unknown as SystemErrorShape).hint = hint;
    error.message += ` (${hint})`;
  }
  return error;
}

/** The error for any use of a handle after close(). */
export function closedHandleError(what: string): Error {
  const error = new Error(`${what} is closed`) as Error & { code: string };
  error.code = 'ERR_NSBRIDGE_CLOSED';
  return error;
}
