/** A directory option (root, cwd) given as a path or as an open directory fd. */
import { checkFd, describe } from '../../validate.js';

/** A directory given as a path, or as an open directory fd (`{ fd }`, resolved before any join). */
export type DirectoryOption = { path: string } | { fd: number };

/** `{ fd }` as a DirectoryOption; null when `value` is not an object of that kind (a path, a URL). */
export function directoryFd(value: unknown, name: string): { fd: number } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof URL) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'fd') throw new TypeError(`${name} must be a path or { fd }, got ${describe(value)} with keys ${describe(keys.join(', '))}`);
  return { fd: checkFd((value as { fd: unknown }).fd, `${name}.fd`) };
}

/** The plan's pair for a directory: the path (or null) and the fd (or -1); at most one is set. */
export function directoryPlan(directory: DirectoryOption | null): { path: string | null; fd: number } {
  return { path: directory !== null && 'path' in directory ? directory.path : null, fd: directory !== null && 'fd' in directory ? directory.fd : -1 };
}
