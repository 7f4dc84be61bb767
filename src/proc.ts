/**
 * Reads of /proc/<pid>/status. A pid may be reused once its process is reaped, so callers that
 * hold a pidfd confirm the process is still alive *after* reading (see ProcessHandle).
 */
import { readFileSync } from './sync-fs.js';

/** The value of one "Name:\tvalue" line of /proc/<pid>/status, or undefined if absent. */
function readStatusField(pid: number | 'self', field: string): string | undefined {
  const text = readFileSync(`/proc/${pid}/status`, 'latin1');
  return new RegExp(`^${field}:[ \t]*(.*)$`, 'm').exec(text)?.[1];
}

/** The NSpid chain of a process: its pid in each pid namespace it is in, outermost first. */
export function readNsPid(pid: number | 'self'): number[] {
  const value = readStatusField(pid, 'NSpid');
  if (value === undefined) throw new Error(`/proc/${pid}/status has no NSpid line (Linux < 4.1?)`);
  return value.split(/\s+/).map(Number);
}
