/**
 * The program: its file and args, the execvp candidates from its environment's PATH, its
 * environment, argv[0] and working directory.
 */
import { fileURLToPath } from 'node:url';
import type { NativeSpawnPlan } from '../../native/binding.js';
import { checkPath, checkString, describe } from '../../validate.js';
import { directoryFd, directoryPlan, type DirectoryOption } from './directory.js';
import { mapEntries, type Given } from './common.js';

export const programKeys = ['cwd', 'env', 'argv0'] as const;

export function checkProgram(file: unknown, args: unknown): { file: string; args: string[] } {
  const path = checkPath(file, 'file');
  if (args === undefined || args === null) return { file: path, args: [] };
  if (!Array.isArray(args)) throw new TypeError(`args must be an array of strings, got ${describe(args)}`);
  return { file: path, args: mapEntries(args, (arg, i) => checkString(arg, `args[${i}]`)) };
}

export interface Environment {
  /** "K=V" strings. */
  envp: string[];
  /** Its PATH, where `file` is looked for. */
  path: string | undefined;
}

/**
 * "K=V" strings (undefined values skipped, numbers and booleans coerced like child_process), and
 * PATH. Without options.env, this process's environment, read through process.env — which Node
 * reads under its environment lock: the addon copying the C environ itself raced with setenv on
 * other threads (a Worker with SHARE_ENV, a native thread) and crashed. It costs ~20 µs for 35
 * variables.
 */
export function checkEnv({ env }: Given<typeof programKeys>): Environment {
  if (env === undefined) return renderProcessEnv();
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new TypeError(`options.env must be an object, got ${describe(env)}`);
  const envp: string[] = [];
  let path: string | undefined;
  for (const [key, raw] of Object.entries(env as Record<string, unknown>)) {
    if (raw === undefined) continue;
    if (key === '') throw new RangeError('options.env must not have an empty key');
    if (key.includes('=')) throw new RangeError(`options.env key ${describe(key)} must not contain '='`);
    if (key.includes('\0')) throw new RangeError(`options.env key ${describe(key)} must not contain NUL bytes`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new TypeError(`options.env.${key} must be a string, got ${describe(raw)}`);
    }
    const text = checkString(String(raw), `options.env.${key}`);
    envp.push(`${key}=${text}`);
    if (key === 'PATH') path = text;
  }
  return { envp, path };
}

/**
 * process.env, read in JS (under Node's environment lock, unlike the C environ: a worker with
 * SHARE_ENV may change it meanwhile) at every spawn, as child_process does. On the hot path:
 * Object.keys (one call into Node for the names) then one read per name is the cheapest way in
 * (about 17 µs at 35 variables, against 25 µs for Object.entries). Node never shows a name that
 * is empty or has '=', nor a value with a NUL; a name deleted meanwhile reads undefined.
 */
function renderProcessEnv(): Environment {
  const env = process.env;
  const envp: string[] = [];
  for (const key of Object.keys(env)) {
    const text = env[key];
    if (text === undefined || key === '' || key.includes('=') || text.includes('\0')) continue;
    envp.push(`${key}=${text}`);
  }
  return { envp, path: env.PATH };
}

// What execvp searches without a PATH (native/init/init.cc has the same list).
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * execvp's candidates, computed without touching the file system (the program may run in another
 * mount namespace): the file itself when it has a '/', else each PATH entry ('' = '.').
 */
export function searchPath(file: string, pathVar: string | undefined): string[] {
  if (file.includes('/')) return [file];
  const dirs = (pathVar ?? DEFAULT_PATH).split(':');
  return [...new Set(dirs.map((dir) => `${dir === '' ? '.' : dir}/${file}`))];
}

/** options.cwd: a path or file: URL (resolved where the program runs), or an open directory fd. */
export function checkCwd({ cwd: value }: Given<typeof programKeys>): DirectoryOption | null {
  if (value === undefined) return null;
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw new RangeError(`options.cwd must be a file: URL, got ${describe(value.href)}`);
    let path: string;
    try {
      path = fileURLToPath(value);
    } catch (error) {
      throw new RangeError(`options.cwd ${describe(value.href)} is not a valid file path: ${(error as Error).message}`, { cause: error });
    }
    return { path: checkPath(path, 'options.cwd') };
  }
  const fd = directoryFd(value, 'options.cwd');
  if (fd !== null) return fd;
  if (typeof value !== 'string') throw new TypeError(`options.cwd must be a string, a file: URL or { fd }, got ${describe(value)}`);
  return { path: checkPath(value, 'options.cwd') };
}

export function checkArgv0({ argv0 }: Given<typeof programKeys>, file: string): string {
  return argv0 === undefined ? file : checkString(argv0, 'options.argv0');
}

/** What the checks found out about the program, beyond its file and args. */
export interface ProgramSetup {
  argv0: string;
  envp: string[];
  /** execvp's candidates. */
  paths: string[];
  cwd: DirectoryOption | null;
}

type ProgramPlan = Pick<NativeSpawnPlan, 'paths' | 'argv' | 'envp' | 'cwd' | 'cwdFd'>;

export function programPlan(args: readonly string[], setup: ProgramSetup): ProgramPlan {
  const cwd = directoryPlan(setup.cwd);
  return {
    paths: setup.paths,
    argv: [setup.argv0, ...args],
    envp: setup.envp,
    // null: the program inherits our cwd - or, after joining a mount namespace, starts at its
    // root (setns resets it), like nsenter.
    cwd: cwd.path,
    cwdFd: cwd.fd,
  };
}
