/**
 * spawn()'s `init` option: nsbridge-init (native/init/init.cc) runs as pid 1 of the new pid
 * namespace and the program as its child. A pid namespace's init gets no default signal actions
 * (the kernel drops SIGTERM, SIGINT, … that it has no handler for), and every orphan of the
 * namespace becomes its child: a program that was not written as an init ignores child.kill()
 * and leaves zombies. nsbridge-init blocks every signal and forwards each one to the program,
 * reaps every child, and exits as the program did.
 *
 * It reports over a socketpair in one more stdio slot (close-on-exec for the program):
 * 'running <pid>' once the program was exec'd, 'error <call> <errno>' if it never ran, then
 * 'exit <code>' or 'signal <signo>'. So `ready` rejects with the program's own execve error,
 * and `exited` gives the program's status — a signal included, which an init's own exit status
 * (128 + signo) could not tell from an exit code.
 */
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { helperProgram } from '../native/helper-program.js';
import type { ExitInfo } from '../process-handle.js';
import { describe, isPlainObject } from '../validate.js';
import { SpawnError } from './spawn-error.js';

const INIT_PROGRAM = 'nsbridge-init';

/** A spawn request rewritten to start nsbridge-init in front of the program. */
export interface InitRequest {
  file: string;
  args: string[];
  options: Record<string, unknown>;
  /** The stdio slot of the status socket (after the caller's slots, at least 3). */
  statusSlot: number;
}

function createsPidNamespace(namespaces: unknown): boolean {
  if (Array.isArray(namespaces)) return namespaces.includes('pid');
  return isPlainObject(namespaces) && namespaces.pid === true;
}

/**
 * (file, args, options) with `init: true` as the spawn of nsbridge-init that runs them; null when
 * the option is absent or false. Throws a TypeError / RangeError for a misused option, and
 * ERR_NSBRIDGE_INIT when the init program is missing.
 */
export function withInit(file: unknown, args: unknown, options: unknown): InitRequest | null {
  if (!isPlainObject(options) || !Object.hasOwn(options, 'init') || options.init === undefined || options.init === false) return null;
  if (options.init !== true) throw new TypeError(`options.init must be a boolean, got ${describe(options.init)}`);
  if (!createsPidNamespace(options.namespaces)) throw new RangeError("options.init needs a new pid namespace (namespaces: ['pid', …]): the init runs as its pid 1");
  if (options.pidForChildrenOnly === true) throw new RangeError('options.init and options.pidForChildrenOnly exclude each other: the init must be the new pid namespace\'s pid 1');
  if (typeof file !== 'string') return null; // spawn()'s own checks name the bad file
  const { init: _, argv0, stdio, ...rest } = options;
  const slots = stdio === undefined || typeof stdio === 'string' ? [stdio ?? 'pipe', stdio ?? 'pipe', stdio ?? 'pipe'] : Array.isArray(stdio) ? [...(stdio as unknown[])] : null;
  if (slots === null) return null; // an invalid stdio: spawn()'s checks report it
  while (slots.length < 3) slots.push(undefined);
  const statusSlot = slots.length;
  slots.push('pipe');
  const program = helperProgram(INIT_PROGRAM, 'the pid namespace init', 'ERR_NSBRIDGE_INIT');
  const programArgs = args === undefined || args === null ? [] : args;
  if (!Array.isArray(programArgs)) return null;
  return {
    file: program,
    args: [String(statusSlot), file, typeof argv0 === 'string' ? argv0 : file, ...(programArgs as string[])],
    options: { ...rest, stdio: slots },
    statusSlot,
  };
}

/** What nsbridge-init said, line by line. */
export interface InitReport {
  /** The program's pid as the init saw it (in the new namespace), once it runs. */
  running: number | null;
  /** The program never ran: the call and errno. */
  error: { call: string; errno: number } | null;
  /** How the program ended. */
  end: ExitInfo | null;
}

// The first name of each number (EAGAIN before its alias EWOULDBLOCK), as strerrorname_np gives it.
const errnoNames = new Map<number, string>();
for (const [name, number] of Object.entries(constants.errno)) if (!errnoNames.has(number)) errnoNames.set(number, name);
const signalNames = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/** Parses the status lines; unknown or partial lines are ignored (the init's own status is then what counts). */
export function parseInitReport(text: string): InitReport {
  const report: InitReport = { running: null, error: null, end: null };
  for (const line of text.split('\n')) {
    const [word, a, b] = line.split(' ');
    if (word === 'running' && a !== undefined) report.running = Number(a);
    else if (word === 'error' && a !== undefined && b !== undefined) report.error = { call: a, errno: Number(b) };
    else if (word === 'exit' && a !== undefined) report.end = { code: Number(a), signal: null };
    else if (word === 'signal' && a !== undefined) report.end = { code: null, signal: signalNames.get(Number(a)) ?? `SIG${a}` };
  }
  return report;
}

/** The program's execve failure as a SpawnError (the step the init ran for it). */
export function initFailure(file: string, error: { call: string; errno: number }): SpawnError {
  // os.constants.errno knows every Linux errno name (libuv's own names miss some: ENOEXEC).
  const code = errnoNames.get(error.errno) ?? `E${error.errno}`;
  const step = error.call === 'execve' ? 'execve' : `init-${error.call}`;
  return new SpawnError(file, { step, errno: error.errno, code, syscall: error.call, candidates: [] });
}

/**
 * Reads the status socket to its end (the init closes it by exiting). Resolves with the text;
 * `onRunning` / `onError` fire as soon as the first line says so.
 */
export function readInitStatus(socket: Socket, onFirstLine: (report: InitReport) => void): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    let first = true;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (first && text.includes('\n')) {
        first = false;
        onFirstLine(parseInitReport(text.slice(0, text.indexOf('\n'))));
      }
    });
    const done = (): void => {
      if (first) {
        first = false;
        onFirstLine(parseInitReport(''));
      }
      resolve(text);
    };
    socket.once('end', done);
    socket.once('error', done);
    socket.once('close', done);
  });
}
