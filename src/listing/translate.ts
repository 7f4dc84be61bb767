/**
 * translatePid(pid, from, to): a pid as seen in pid namespace `from`, as seen in pid namespace
 * `to`; null where that process is not visible in `to` (or does not exist in `from`).
 * With the nsfs translation ioctls (Linux 6.11+) it is two calls: from → our namespace
 * (NS_GET_PID_FROM_PIDNS), ours → to (NS_GET_PID_IN_PIDNS). Older kernels: the NSpid lines of
 * /proc/<pid>/status, which list a process's pid at each level from ours down to its own.
 */
import { readdirSync, readFileSync } from '../sync-fs.js';
import { addon } from '../native/addon.js';
import { PidTranslation } from '../native/binding.js';
import { Namespace } from '../namespace.js';
import { isSystemError } from '../errors.js';
import { checkPid, describe } from '../validate.js';

let ioctlsMissing = false;

function checkPidNamespace(value: unknown, name: string): Namespace {
  if (!(value instanceof Namespace)) throw new TypeError(`${name} must be a pid Namespace handle, got ${describe(value)}`);
  if (value.type !== 'pid') throw new TypeError(`${name} must be a pid namespace, got a ${value.type} namespace`);
  return value;
}

/**
 * `pid` as numbered in pid namespace `from`, as numbered in pid namespace `to`; null where that
 * process does not exist in `from` or is not visible in `to`. Both are pid Namespace handles.
 */
export function translatePid(pid: number, from: Namespace, to: Namespace): number | null {
  checkPid(pid);
  const source = checkPidNamespace(from, 'from');
  const target = checkPidNamespace(to, 'to');
  if (!ioctlsMissing) {
    try {
      // ESRCH: no such pid in `from`, or not visible in `to` (an ancestor's process).
      const here = addon().nsTranslatePid(source.fd, PidTranslation.PidFromNs, pid);
      return addon().nsTranslatePid(target.fd, PidTranslation.PidInNs, here);
    } catch (error) {
      if (isSystemError(error, 'ESRCH')) return null;
      if (!isSystemError(error, 'ENOTTY') && !isSystemError(error, 'EINVAL')) throw error;
      ioctlsMissing = true;
    }
  }
  const here = fromNspid(pid, source);
  return here === null ? null : inNspid(here, target);
}

/** @internal Tests force the NSpid path with this. */
export function setPidIoctlsMissing(missing: boolean): void {
  ioctlsMissing = missing;
}

/** NSpid of a process, ours first; null when gone. */
function nspid(pid: number): number[] | null {
  try {
    const line = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return line === null ? null : line[1]!.trim().split(/\s+/).map(Number);
  } catch {
    return null;
  }
}

/** Levels below our pid namespace (0 = ours); null when `ns` is not ours or a descendant. */
function depthOf(ns: Namespace): number | null {
  using ours = Namespace.of('self', 'pid');
  let current: Namespace | null = ns;
  let depth = 0;
  const opened: Namespace[] = [];
  try {
    while (current !== null && !current.equals(ours)) {
      current = current.parent();
      if (current !== null) opened.push(current);
      depth++;
    }
    return current === null ? null : depth;
  } finally {
    for (const n of opened) n.close();
  }
}

/** Whether process `pid` (with `levels` NSpid entries) sits at or below `ns`, `depth` levels down. */
function isUnder(pid: number, levels: number, ns: Namespace, depth: number): boolean {
  let current: Namespace | null = Namespace.of(pid, 'pid');
  const opened: Namespace[] = [current];
  try {
    for (let up = levels - 1 - depth; up > 0 && current !== null; up--) {
      current = current.parent();
      if (current !== null) opened.push(current);
    }
    return current !== null && current.equals(ns);
  } catch {
    return false; // the process exited meanwhile
  } finally {
    for (const n of opened) n.close();
  }
}

function fromNspid(pid: number, from: Namespace): number | null {
  const depth = depthOf(from);
  if (depth === null) return null;
  if (depth === 0) return nspid(pid) === null ? null : pid;
  for (const name of readdirSync('/proc')) {
    const candidate = Number(name);
    if (!Number.isInteger(candidate) || candidate <= 0) continue;
    const levels = nspid(candidate);
    if (levels !== null && levels.length > depth && levels[depth] === pid && isUnder(candidate, levels.length, from, depth)) return candidate;
  }
  return null;
}

function inNspid(here: number, to: Namespace): number | null {
  const depth = depthOf(to);
  const levels = nspid(here);
  if (depth === null || levels === null || levels.length <= depth) return null;
  return isUnder(here, levels.length, to, depth) ? levels[depth]! : null;
}
