/**
 * commander argParsers for `run` and `enter`: each turns one flag's text into a value or throws
 * InvalidArgumentError, which commander reports as a usage error naming the flag (exit 2).
 */
import { readFileSync } from '../sync-fs.js';
import { InvalidArgumentError, type Command } from './commander.js';
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

/** A plain uid or gid number (unshare / nsenter -S and -G take no names). */
export function parseId(text: string): number {
  const id = decimal(text, 0, ID_MAX);
  if (id === null) throw new InvalidArgumentError(`must be a number from 0 to ${ID_MAX}, got ${JSON.stringify(text)}`);
  return id;
}

/** One --map-users / --map-groups value: a range, or 'auto' (the caller's first /etc/subuid or /etc/subgid range). */
export type IdMapSpec = IdMapEntry | 'auto';

/**
 * inner:outer:count (util-linux 2.39+), outer,inner,count (2.38, which has no other form) or
 * 'auto', collected into a list (the flag is repeatable).
 */
export function parseIdMapEntry(text: string, previous: IdMapSpec[] | undefined): IdMapSpec[] {
  if (text === 'auto') return [...(previous ?? []), 'auto'];
  const comma = text.includes(',');
  const parts = text.split(comma ? ',' : ':');
  const numbers = parts.map((part) => decimal(part, 0, ID_MAX));
  const [first, second, count] = numbers;
  if (parts.length !== 3 || first == null || second == null || count == null || count === 0) {
    throw new InvalidArgumentError(`must be inner:outer:count or outer,inner,count (ids, count >= 1) or auto, got ${JSON.stringify(text)}`);
  }
  const entry = comma ? { inside: second, outside: first, count } : { inside: first, outside: second, count };
  return [...(previous ?? []), entry];
}

/** The first `name:start:count` line of /etc/subuid or /etc/subgid for this user (by name or uid), as unshare --map-auto reads it. */
export function subordinateRange(file: string, uid: number): { outside: number; count: number } | null {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    return null;
  }
  const name = userNameOf(uid);
  for (const line of lines) {
    const [owner, start, count] = line.split(':');
    if (owner === undefined || (owner !== name && owner !== String(uid))) continue;
    const outside = decimal(start ?? '', 0, ID_MAX);
    const length = decimal((count ?? '').trim(), 1, ID_MAX);
    if (outside !== null && length !== null) return { outside, count: length };
  }
  return null;
}

function userNameOf(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (id === String(uid)) return name;
    }
  } catch {
    // no passwd: the uid alone
  }
  return undefined;
}

/**
 * What an optional-value flag gets when given bare. getopt takes such a value only when attached
 * (`--net=FILE`, `--kill-child=TERM`); commander would take the next word, so pinOptionalValues
 * attaches this instead (a NUL cannot come from a real argv).
 */
const NO_VALUE = '\u0000';

/**
 * Rewrites the flags of `command` in `args` (up to the program or '--') so that optional values
 * are taken only when attached, as getopt does: a bare `--net` or `-n` becomes `--net=<NO_VALUE>`,
 * so `nsbridge run --net ip addr` runs ip. `shortValues`: whether a short flag with an optional
 * value takes the rest of its cluster as the value (nsenter's `-n/run/netns/x`) or has none
 * there (unshare's `-pf` is -p -f).
 */
export function pinOptionalValues(command: Command, args: readonly string[], shortValues: boolean): string[] {
  const out: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || arg === '-' || !arg.startsWith('-')) break;
    if (arg.startsWith('--')) {
      const name = arg.split('=', 1)[0]!;
      const option = command.options.find((o) => o.long === name);
      const attached = arg.includes('=');
      if (option?.optional && !attached) {
        out.push(`${name}=${NO_VALUE}`);
        continue;
      }
      out.push(arg);
      if (option?.required && !attached && i + 1 < args.length) out.push(args[++i]!);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const option = command.options.find((o) => o.short === `-${arg[j]}`);
      const rest = arg.slice(j + 1);
      if (option === undefined) {
        out.push(`-${arg.slice(j)}`); // commander reports it
        break;
      }
      const flag = option.long ?? option.short!;
      if (option.required) {
        out.push(flag);
        if (rest !== '') out.push(rest);
        else if (i + 1 < args.length) out.push(args[++i]!);
        break;
      }
      if (option.optional && shortValues) {
        out.push(`${flag}=${rest === '' ? NO_VALUE : rest}`);
        break;
      }
      out.push(option.optional ? `${flag}=${NO_VALUE}` : `-${arg[j]}`);
    }
  }
  return [...out, ...args.slice(i)];
}

/** An optional value: true when given bare, else `parse` of it. */
export function optionalValue<T>(parse: (text: string) => T): (text: string) => T | true {
  return (text) => (text === NO_VALUE ? true : parse(text));
}

/**
 * A repeatable optional value where a bare occurrence wins (nsenter: `-n` joins the target's
 * namespace even beside `--net=FILE`), or where a value wins (unshare: `--net` beside
 * `--net=FILE` still persists to FILE).
 */
export function repeatedOptionalValue(parse: (text: string) => string, wins: 'bare' | 'value'): (text: string, previous: string | true | undefined) => string | true {
  return (text, previous) => {
    const current = text === NO_VALUE ? true : parse(text);
    if (previous === undefined) return current;
    if (wins === 'bare') return previous === true || current === true ? true : current;
    return typeof current === 'string' ? current : previous;
  };
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
