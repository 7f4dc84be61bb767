/**
 * Argument checks done in TypeScript before anything crosses into the addon. Each failure is a
 * TypeError (wrong type) or RangeError (right type, impossible value) that names the value.
 */
import { constants as osConstants } from 'node:os';

/** A short, safe rendering of an arbitrary value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return Object.prototype.toString.call(value);
}

/** The kernel's PID_MAX_LIMIT on 64-bit (4 * 1024 * 1024): no pid can be larger. */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;

/** An integer min..max. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A process id: an integer 1..PID_MAX_LIMIT. */
export function checkPid(value: unknown, name = 'pid'): number {
  return checkInteger(value, name, 1, PID_MAX_LIMIT);
}

/** An open file descriptor number: 0..2^31-1 (the kernel's fd numbers are ints). */
export function checkFd(value: unknown, name = 'fd'): number {
  return checkInteger(value, name, 0, 0x7fffffff);
}

/** A uid or gid: 0..2^32-2 ((uid_t)-1 is "no id" and never valid). */
export function checkId(value: unknown, name: string): number {
  return checkInteger(value, name, 0, 0xfffffffe);
}

/** A string without NUL bytes (the kernel would cut it at the first NUL); may be empty. */
export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  if (value.includes('\0')) throw new RangeError(`${name} must not contain NUL bytes, got ${describe(value)}`);
  return value;
}

/** A non-empty string without NUL bytes. */
export function checkPath(value: unknown, name = 'path'): string {
  if (typeof value === 'string' && value.length === 0) throw new RangeError(`${name} must not be empty`);
  return checkString(value, name);
}

/** An array of min..max entries (the entries are checked by the caller). */
export function checkArray(value: unknown, name: string, min: number, max: number): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, got ${describe(value)}`);
  if (value.length < min || value.length > max) {
    throw new RangeError(`${name} must have ${min} to ${max} entries, got ${value.length}`);
  }
  return value;
}

/** A 32-bit flag mask for the raw calls. */
export function checkFlags(value: unknown, name = 'flags'): number {
  return checkInteger(value, name, 0, 0xffffffff);
}

/** Linux's highest signal number (SIGRTMAX on every architecture Node runs on). */
const SIGNAL_MAX = 64;
const signalNumbers = osConstants.signals as Readonly<Record<string, number>>;
const signalNames = new Map<number, string>();
for (const [name, num] of Object.entries(signalNumbers)) {
  // SIGIOT/SIGPOLL/SIGUNUSED alias other numbers; keep the first, canonical name.
  if (!signalNames.has(num)) signalNames.set(num, name);
}

/**
 * A signal given by name ('SIGTERM', 'TERM') or number (0 = existence check) → its number. Names
 * are case-sensitive, as in process.kill(): 'sigterm' is refused (the CLI upper-cases its flags).
 */
export function checkSignal(value: unknown, name = 'signal'): number {
  if (typeof value === 'string') {
    const num = /^[A-Z0-9]+$/.test(value) ? signalNumbers[value] ?? signalNumbers[`SIG${value}`] : undefined;
    if (num === undefined) throw new TypeError(`Unknown ${name} ${describe(value)}: expected a name like 'SIGTERM' or a number 0-${SIGNAL_MAX}`);
    return num;
  }
  if (typeof value === 'number') return checkInteger(value, name, 0, SIGNAL_MAX);
  throw new TypeError(`${name} must be a signal name or number, got ${describe(value)}`);
}

/** The name of a signal number ('SIGKILL'; real-time signals as 'SIGRT<n>'). */
export function signalName(num: number): string {
  return signalNames.get(num) ?? `SIGRT${num}`;
}

/**
 * The own enumerable properties of an options object, on a null prototype. Options are read
 * through this only: a property put on Object.prototype by any code in the process (prototype
 * pollution: Object.prototype.join = …) must never become an option of every later call.
 */
export function ownProperties(value: object): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

/** `array[index]` if the array has that element itself; a hole is undefined (never Object.prototype[index]). */
export function ownElement(array: readonly unknown[], index: number): unknown {
  return Object.hasOwn(array, index) ? array[index] : undefined;
}

/**
 * `value[key]` where the object itself or its class defines it (a FileHandle's `fd` getter, a
 * socket's own `_handle`), but never where only Object.prototype does: that is pollution.
 */
export function classProperty(value: object, key: string): unknown {
  for (let o: object | null = value; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.hasOwn(o, key)) return (value as Record<string, unknown>)[key];
  }
  return undefined;
}

/** The most elements ownData copies from one array (a scenario's steps, a map's lines). */
const MAX_DATA_ELEMENTS = 1_000_000;

/**
 * A deep copy of plain data (objects, arrays, primitives) with own enumerable properties only,
 * objects on a null prototype: a snapshot, so that getters run once (before the checks, not
 * again between check and use) and nothing inherited is read — holes included. `name` names the
 * value in the RangeError for an array longer than MAX_DATA_ELEMENTS and the TypeError for data
 * that contains itself.
 */
export function ownData(value: unknown, name = 'value', within: Set<object> = new Set()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (within.has(value)) throw new TypeError(`${name} contains itself (a cycle): expected plain data`);
  within.add(value);
  try {
    if (Array.isArray(value)) {
      if (value.length > MAX_DATA_ELEMENTS) throw new RangeError(`${name} must have at most ${MAX_DATA_ELEMENTS} elements, got ${value.length}`);
      return Array.from({ length: value.length }, (_, i) => ownData(ownElement(value, i), `${name}[${i}]`, within));
    }
    const copy = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) copy[key] = ownData((value as Record<string, unknown>)[key], `${name}.${key}`, within);
    return copy;
  } finally {
    within.delete(value);
  }
}

/** A boolean option. */
export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/**
 * A boolean member of an optional options object: `options` must be undefined or an object, and
 * options[key] undefined (→ false) or a boolean.
 */
export function booleanOption(options: unknown, key: string, name = 'options'): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${name} must be an object, got ${describe(options)}`);
  const value = Object.hasOwn(options, key) ? (options as Record<string, unknown>)[key] : undefined; // never an inherited one
  return value === undefined ? false : checkBoolean(value, `${name}.${key}`);
}

/** An object literal or a null-prototype object (not an array, a class instance or a function). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A plain object's own properties (a null-prototype copy: nothing inherited is read as an option). */
export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new TypeError(`${name} must be a plain object, got ${describe(value)}`);
  return ownProperties(value);
}

/** Every own key of `object` is one of `allowed`: a misspelt option is a TypeError naming it. */
export function checkKeys(object: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new TypeError(`Unknown ${what} '${key}': expected one of ${allowed.join(', ')}`);
  }
}
