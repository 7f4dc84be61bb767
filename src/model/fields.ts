/**
 * The field checks scenario steps are made of (each op's shape in src/ops/ lists its fields with
 * these): a malformed field is a TypeError (wrong type) or RangeError (a number that is not an
 * integer, or outside its C type) naming the op and the field.
 *
 * Every integer field has the range of the C type the kernel reads it as (pid_t and int: 32 bits;
 * uid_t and the numbers of a uid_map line: unsigned 32 bits), because the kernel and the agent
 * truncate wider values (2^32 + 9 as a signal is SIGKILL to kill(2), 2^32 + 5 in a uid_map line is
 * 5): a value the shape lets through means the same to the model and to the kernel. Within those
 * ranges the kernel judges (an out-of-range signal number, pid 0, a huge uid) and so does the model,
 * with the kernel's errno.
 */
import { NAMESPACE_TYPES } from '../kinds.js';
import { describe } from '../validate.js';
import { SIGNALS } from './steps.js';

/** Checks one field's value; `at` names it ('clone3 step.flags[1]'). */
export type Field = (value: unknown, at: string) => void;

export function fail(at: string, expected: string, value: unknown, range = false): never {
  const message = `${at} must be ${expected}, got ${describe(value)}`;
  throw range ? new RangeError(message) : new TypeError(message);
}

export const name: Field = (value, at) => {
  if (typeof value !== 'string' || value === '') fail(at, 'a name (a non-empty string)', value);
};

const integer: Field = (value, at) => {
  if (typeof value !== 'number') fail(at, 'an integer', value);
  if (!Number.isInteger(value)) fail(at, 'an integer', value, true);
};

/** An integer in [min, max]: the values of the C type the field is read as (`type` names it). */
const integerIn = (min: number, max: number, type: string): Field => (value, at) => {
  integer(value, at);
  if ((value as number) < min || (value as number) > max) fail(at, `${type} (${min} to ${max})`, value, true);
};

/** pid_t and int: signal numbers, pids, set_tid entries, exit codes, ns_last_pid. */
export const int32 = integerIn(-(2 ** 31), 2 ** 31 - 1, 'a 32-bit int');
/** A uid_map / gid_map number: written as decimal text that the kernel stores in a u32. */
const uint32 = integerIn(0, 2 ** 32 - 1, 'a 32-bit unsigned id');
/** setresuid / setresgid's uid_t: -1 is (uid_t)-1, i.e. 4294967295, "keep the id". */
export const uid = integerIn(-1, 2 ** 32 - 1, 'a uid (-1 keeps the ids)');

export const finite: Field = (value, at) => {
  if (typeof value !== 'number') fail(at, 'a number', value);
  if (!Number.isFinite(value)) fail(at, 'a finite number', value, true);
};

/**
 * timens_offsets seconds: the driver writes the number as JavaScript prints it, so it must print
 * as the integer it is (no exponent, exact): within ±(2^53 - 1). A fraction is passed on, for the
 * kernel to refuse (EINVAL).
 */
export const seconds: Field = (value, at) => {
  if (typeof value !== 'number') fail(at, 'a number', value);
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) fail(at, `a finite number of seconds within ±${Number.MAX_SAFE_INTEGER}`, value, true);
};

export const oneOf = (values: readonly string[]): Field => (value, at) => {
  if (typeof value !== 'string' || !values.includes(value)) fail(at, `one of ${values.join(', ')}`, value);
};

export const arrayOf = (each: Field): Field => (value, at) => {
  if (!Array.isArray(value)) fail(at, 'an array', value);
  for (let i = 0; i < value.length; i++) each(value[i], `${at}[${i}]`);
};

export const objectWith = (fields: Record<string, Field>): Field => (value, at) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'an object', value);
  checkFields(value as Record<string, unknown>, fields, [], at);
};

const SIGNAL_NAMES = Object.keys(SIGNALS);
export const signalName = oneOf(SIGNAL_NAMES);
/** A SignalSpec: a name from SIGNALS or any int (out-of-range numbers test EINVAL). */
export const signal: Field = (value, at) => (typeof value === 'number' ? int32(value, at) : signalName(value, at));
/** A Target: a process name or { pid } in the caller's view. */
export const target: Field = (value, at) => (typeof value === 'object' && value !== null ? objectWith({ pid: int32 })(value, at) : name(value, at));
export const kinds = arrayOf(oneOf(NAMESPACE_TYPES));
export const nsEntry = oneOf([...NAMESPACE_TYPES, 'pid_for_children', 'time_for_children']);
export const mapLine: Field = (value, at) => {
  if (!Array.isArray(value) || value.length !== 3) fail(at, 'an [inside, outside, count] triple', value);
  value.forEach((n, i) => uint32(n, `${at}[${i}]`));
};

/** Required fields, then the optional ones (absent or undefined), and no other key than `op`. */
export function checkFields(object: Record<string, unknown>, required: Record<string, Field>, optional: Record<string, Field> | [], at: string): void {
  for (const [key, check] of Object.entries(required)) check(object[key], `${at}.${key}`);
  for (const [key, check] of Object.entries(optional)) if (object[key] !== undefined) check(object[key], `${at}.${key}`);
  const allowed = { ...required, ...optional };
  for (const key of Object.keys(object)) {
    if (key !== 'op' && !(key in allowed)) throw new TypeError(`Unknown key ${describe(key)} in ${at}: expected ${Object.keys(allowed).join(', ')}`);
  }
}

/** Per op: the required fields, then (after '?') the optional ones. */
export type Shape = readonly [required: Readonly<Record<string, Field>>, optional?: Readonly<Record<string, Field>>];
