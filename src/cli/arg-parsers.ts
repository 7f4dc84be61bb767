/**
 * commander argParsers for `run` and `enter`: each turns one flag's text into a value or throws
 * InvalidArgumentError, which commander reports as a usage error naming the flag (exit 2).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { IdMapEntry } from '../spawn/options.js';
import { checkSignal } from '../validate.js';

// Ids are u32 and (u32)-1 means "no id" to the kernel.
const ID_MAX = 0xfffffffe;
// /proc/sys/kernel/pid_max can be at most PID_MAX_LIMIT = 2^22 on 64-bit.
const PID_MAX = 4_194_304;

function decimal(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

export function parsePid(text: string): number {
  const pid = decimal(text, 1, PID_MAX);
  if (pid === null) throw new InvalidArgumentError(`must be a process id (1-${PID_MAX}), got ${JSON.stringify(text)}`);
  return pid;
}

/** A number or a name from a passwd/group-style file (name:x:id:…), like unshare --map-user. */
function idOrName(text: string, file: string, what: string): number {
  const id = decimal(text, 0, ID_MAX);
  if (id !== null) return id;
  if (text !== '' && !text.includes(':')) {
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      // no such file: only numbers work
    }
    for (const line of lines) {
      const [name, , idText] = line.split(':');
      if (name === text && idText !== undefined) {
        const found = decimal(idText, 0, ID_MAX);
        if (found !== null) return found;
      }
    }
  }
  throw new InvalidArgumentError(`must be a ${what} number or a ${what} name from ${file}, got ${JSON.stringify(text)}`);
}

export const parseUser = (text: string): number => idOrName(text, '/etc/passwd', 'user');
export const parseGroup = (text: string): number => idOrName(text, '/etc/group', 'group');

/** inner:outer:count, collected into a list (the flag is repeatable). */
export function parseIdMapEntry(text: string, previous: IdMapEntry[] | undefined): IdMapEntry[] {
  const parts = text.split(':');
  const [inside, outside, count] = parts.map((part) => decimal(part, 0, ID_MAX));
  if (parts.length !== 3 || inside == null || outside == null || count == null || count === 0) {
    throw new InvalidArgumentError(`must be inner:outer:count (ids, count >= 1), got ${JSON.stringify(text)}`);
  }
  return [...(previous ?? []), { inside, outside, count }];
}

/** Seconds, possibly negative or fractional (time namespace offsets). */
export function parseSeconds(text: string): number {
  const n = Number(text);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`must be a number of seconds, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A signal name (KILL, SIGKILL) or number 1-64. */
export function parseSignal(text: string): number {
  let signal: number;
  try {
    // Upper-cased like unshare(1)'s --kill-child (strcasecmp); the API itself is case-sensitive.
    signal = checkSignal(/^\d+$/.test(text) ? Number(text) : text.toUpperCase());
  } catch {
    signal = 0;
  }
  if (signal === 0) throw new InvalidArgumentError(`must be a signal name (e.g. KILL, SIGTERM) or a number from 1 to 64, got ${JSON.stringify(text)}`);
  return signal;
}

export function parseAbsolutePath(text: string): string {
  if (!text.startsWith('/')) throw new InvalidArgumentError(`must be an absolute path, got ${JSON.stringify(text)}`);
  return text;
}

export function parseNonEmpty(text: string): string {
  if (text === '') throw new InvalidArgumentError('must not be empty');
  return text;
}

/** sethostname takes 1 to __NEW_UTS_LEN (64) bytes. */
export function parseHostname(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes < 1 || bytes > 64) throw new InvalidArgumentError(`must be 1 to 64 bytes, got ${bytes}: ${JSON.stringify(text)}`);
  return text;
}
