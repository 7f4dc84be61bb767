/**
 * Shape checks for scenario steps, world configs and failure contexts, done before the model
 * reads them: a malformed step is a TypeError (wrong type, unknown op or key) or RangeError
 * (a number that is not an integer, or outside its C type) naming the op and the field — never an
 * internal crash.
 *
 * Every integer field has the range of the C type the kernel reads it as (pid_t and int: 32 bits;
 * uid_t and the numbers of a uid_map line: unsigned 32 bits), because the kernel and the agent
 * truncate wider values (2^32 + 9 as a signal is SIGKILL to kill(2), 2^32 + 5 in a uid_map line is
 * 5): a value the shape lets through means the same to the model and to the kernel. Within those
 * ranges the kernel judges (an out-of-range signal number, pid 0, a huge uid) and so does the model,
 * with the kernel's errno.
 */
import { NAMESPACE_TYPES } from '../kinds.js';
import { checkInteger, describe } from '../validate.js';
import { SIGNALS, type Step } from './steps.js';
import type { WorldConfig } from './world.js';

/** Checks one field's value; `at` names it ('clone3 step.flags[1]'). */
type Field = (value: unknown, at: string) => void;

function fail(at: string, expected: string, value: unknown, range = false): never {
  const message = `${at} must be ${expected}, got ${describe(value)}`;
  throw range ? new RangeError(message) : new TypeError(message);
}

const name: Field = (value, at) => {
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
const int32 = integerIn(-(2 ** 31), 2 ** 31 - 1, 'a 32-bit int');
/** A uid_map / gid_map number: written as decimal text that the kernel stores in a u32. */
const uint32 = integerIn(0, 2 ** 32 - 1, 'a 32-bit unsigned id');
/** setresuid / setresgid's uid_t: -1 is (uid_t)-1, i.e. 4294967295, "keep the id". */
const uid = integerIn(-1, 2 ** 32 - 1, 'a uid (-1 keeps the ids)');

const finite: Field = (value, at) => {
  if (typeof value !== 'number') fail(at, 'a number', value);
  if (!Number.isFinite(value)) fail(at, 'a finite number', value, true);
};

/**
 * timens_offsets seconds: the driver writes the number as JavaScript prints it, so it must print
 * as the integer it is (no exponent, exact): within ±(2^53 - 1). A fraction is passed on, for the
 * kernel to refuse (EINVAL).
 */
const seconds: Field = (value, at) => {
  if (typeof value !== 'number') fail(at, 'a number', value);
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) fail(at, `a finite number of seconds within ±${Number.MAX_SAFE_INTEGER}`, value, true);
};

const oneOf = (values: readonly string[]): Field => (value, at) => {
  if (typeof value !== 'string' || !values.includes(value)) fail(at, `one of ${values.join(', ')}`, value);
};

const arrayOf = (each: Field): Field => (value, at) => {
  if (!Array.isArray(value)) fail(at, 'an array', value);
  for (let i = 0; i < value.length; i++) each(value[i], `${at}[${i}]`);
};

const objectWith = (fields: Record<string, Field>): Field => (value, at) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'an object', value);
  checkFields(value as Record<string, unknown>, fields, [], at);
};

const SIGNAL_NAMES = Object.keys(SIGNALS);
const signalName = oneOf(SIGNAL_NAMES);
/** A SignalSpec: a name from SIGNALS or any int (out-of-range numbers test EINVAL). */
const signal: Field = (value, at) => (typeof value === 'number' ? int32(value, at) : signalName(value, at));
/** A Target: a process name or { pid } in the caller's view. */
const target: Field = (value, at) => (typeof value === 'object' && value !== null ? objectWith({ pid: int32 })(value, at) : name(value, at));
const kinds = arrayOf(oneOf(NAMESPACE_TYPES));
const nsEntry = oneOf([...NAMESPACE_TYPES, 'pid_for_children', 'time_for_children']);
const mapLine: Field = (value, at) => {
  if (!Array.isArray(value) || value.length !== 3) fail(at, 'an [inside, outside, count] triple', value);
  value.forEach((n, i) => uint32(n, `${at}[${i}]`));
};

/** Per op: the required fields, then (after '?') the optional ones. */
type Shape = [required: Record<string, Field>, optional?: Record<string, Field>];

const SHAPES: Record<Step['op'], Shape> = {
  clone3: [{ proc: name }, {
    child: name, namespaces: kinds, exitSignal: signal, setTid: arrayOf(int32), pidfd: name,
    flags: arrayOf(oneOf(['parent', 'thread', 'sighand', 'vm', 'fs', 'files', 'sysvsem', 'pidfd', 'clear_sighand', 'detached', 'unknown-bit'])),
    size: oneOf(['v0', 'v1', 'v2', 'short', 'long-zero', 'long-nonzero', 'huge']),
  }],
  unshare: [{ proc: name, namespaces: kinds }, { flags: arrayOf(oneOf(['fs', 'files', 'thread', 'vm', 'sighand', 'sysvsem'])) }],
  openNs: [{ proc: name, as: name, target: name, entry: nsEntry }],
  openNull: [{ proc: name, as: name }],
  pidfdOpen: [{ proc: name, as: name, target }, { flags: arrayOf(oneOf(['nonblock', 'thread', 'unknown-bit'])) }],
  close: [{ proc: name, handle: name }],
  setns: [{ proc: name, fd: name, namespaces: kinds }],
  exit: [{ proc: name, code: int32 }],
  kill: [{ proc: name, target, signal }],
  pidfdSendSignal: [{ proc: name, fd: name, signal }],
  handle: [{ proc: name, signal: signalName }],
  signals: [{ proc: name }],
  wait: [{ proc: name }, { target, fd: name }],
  getpid: [{ proc: name }],
  getppid: [{ proc: name }],
  nspid: [{ proc: name }, { target: name }],
  nsId: [{ proc: name, entry: nsEntry }, { target: name }],
  nsIoctl: [{ proc: name, fd: name, request: oneOf(['NS_GET_PARENT', 'NS_GET_USERNS', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID']) }, { as: name }],
  translatePid: [{ proc: name, fd: name, direction: oneOf(['in', 'from']) }], // plus target or pid: see checkStep
  writeMap: [{ proc: name, target: name, map: oneOf(['uid_map', 'gid_map']), lines: arrayOf(mapLine) }],
  readMap: [{ proc: name, target: name, map: oneOf(['uid_map', 'gid_map']) }],
  writeSetgroups: [{ proc: name, target: name, value: oneOf(['allow', 'deny']) }],
  readSetgroups: [{ proc: name, target: name }],
  writeTimeOffsets: [{ proc: name, target: name, offsets: arrayOf(objectWith({ clock: oneOf(['monotonic', 'boottime']), seconds })) }],
  readTimeOffsets: [{ proc: name, target: name }],
  clockOffset: [{ proc: name, clock: oneOf(['monotonic', 'boottime']) }],
  readLastPid: [{ proc: name }],
  writeLastPid: [{ proc: name, value: int32 }],
  setuid: [{ proc: name, id: uid }],
  setSubreaper: [{ proc: name }],
  reboot: [{ proc: name, cmd: oneOf(['restart', 'restart2', 'power_off', 'halt', 'cad_on', 'cad_off', 'bad-magic']) }],
  state: [{ target: name }],
};
const OPS = Object.keys(SHAPES);

function checkFields(object: Record<string, unknown>, required: Record<string, Field>, optional: Record<string, Field> | [], at: string): void {
  for (const [key, check] of Object.entries(required)) check(object[key], `${at}.${key}`);
  for (const [key, check] of Object.entries(optional)) if (object[key] !== undefined) check(object[key], `${at}.${key}`);
  const allowed = { ...required, ...optional };
  for (const key of Object.keys(object)) {
    if (key !== 'op' && !(key in allowed)) throw new TypeError(`Unknown key ${describe(key)} in ${at}: expected ${Object.keys(allowed).join(', ')}`);
  }
}

/** Throws a TypeError / RangeError naming the field unless `step` is a well-formed Step. */
export function checkStep(step: unknown, at = 'step'): asserts step is Step {
  if (typeof step !== 'object' || step === null || Array.isArray(step)) fail(at, 'a step object', step);
  const { op } = step as { op?: unknown };
  if (typeof op !== 'string' || !OPS.includes(op)) fail(`${at}.op`, `one of ${OPS.join(', ')}`, op);
  const [required, optional = {}] = SHAPES[op as Step['op']];
  const extra: Record<string, Field> = op === 'translatePid' ? ((step as { direction?: unknown }).direction === 'from' ? { pid: int32 } : { target }) : {};
  checkFields(step as Record<string, unknown>, { ...required, ...extra }, optional, `${op} ${at}`);
}

/** A scenario's steps: an array of well-formed steps. */
export function checkSteps(steps: unknown): asserts steps is Step[] {
  if (!Array.isArray(steps)) fail('steps', 'an array of steps', steps);
  steps.forEach((step, i) => checkStep(step, `steps[${i}]`));
}

/**
 * Levels of the host's pid and user namespaces: 0 (initial) to 32 (the kernel's nesting limit);
 * optionally the host's clocks (seconds, finite, not negative).
 */
export function checkWorldConfig(config: unknown): asserts config is WorldConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) fail('config', 'an object', config);
  const { hostPidLevel, hostUserLevel, clocks, ...rest } = config as Record<string, unknown>;
  for (const key of Object.keys(rest)) throw new TypeError(`Unknown key ${describe(key)} in config: expected hostPidLevel, hostUserLevel, clocks`);
  checkInteger(hostPidLevel, 'config.hostPidLevel', 0, 32);
  checkInteger(hostUserLevel, 'config.hostUserLevel', 0, 32);
  const clock: Field = (value, at) => {
    finite(value, at);
    if ((value as number) < 0) fail(at, 'a clock reading in seconds (not negative)', value, true);
  };
  if (clocks !== undefined) objectWith({ monotonic: clock, boottime: clock })(clocks, 'config.clocks');
}
