/**
 * Real processes for tests, parked like the kernel selftests do it: started, waiting on a
 * ready handshake, and torn down with SIGKILL + wait at the end of the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { openFds } from './proc-state.mjs';

export { openFds };

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Parked {
  /** The process that was started (e.g. unshare). */
  launcher: ChildProcess;
  /** Host pid of the innermost process, which prints 'ready' and then sleeps. */
  pid: number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/**
 * Start `argv` (which must end by running `sh -c 'echo ready; exec sleep 1000'` somewhere inside,
 * see PARK) and wait for it to print 'ready'. Returns the host pid of that innermost shell:
 * the deepest descendant of the launcher.
 */
export async function park(argv: readonly string[]): Promise<Parked> {
  const [file, ...args] = argv;
  const launcher = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(launcher);
  let output = '';
  launcher.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    launcher.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('ready')) resolve();
    });
    launcher.once('exit', (code, signal) => reject(new Error(`${argv.join(' ')} exited early (${code ?? signal}): ${output}`)));
  });
  const pid = deepestDescendant(launcher.pid!);
  return {
    launcher,
    pid,
    async stop() {
      if (launcher.exitCode === null && launcher.signalCode === null) {
        const exited = once(launcher, 'exit');
        killTree(launcher.pid!);
        await exited;
      }
      live.delete(launcher);
    },
  };
}

/** The tail every parked command ends with. */
export const PARK = ['sh', '-c', 'echo ready; exec sleep 1000'];

/** Kill a process and all its descendants (children first are found, then all get SIGKILL). */
function killTree(pid: number): void {
  for (const p of [...descendants(pid), pid]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export function stopAll(): void {
  for (const child of live) killTree(child.pid!);
  live.clear();
}

/** The ppid of a process, or undefined if it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 4 (ppid) follows the ')' that ends the command name, which may itself contain spaces.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** All descendants of pid, found by scanning /proc (this kernel has no /proc/<pid>/task/<tid>/children). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid !== undefined) parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function deepestDescendant(pid: number): number {
  let current = pid;
  for (;;) {
    const kids = [...descendants(current)].filter((p) => parentOf(p) === current);
    if (kids.length === 0) return current;
    current = kids[0]!;
  }
}

/** `stat -L -c %i` of a path, as a bigint. */
export function statInode(path: string): bigint {
  const result = spawnSync('stat', ['-L', '-c', '%i', path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`stat ${path}: ${result.stderr}`);
  return BigInt(result.stdout.trim());
}

/**
 * An fd number that is certainly not open: above every open one. (A number just closed is no
 * good: Node's own threads may reuse it at once.)
 */
export function unusedFd(): number {
  return Math.max(...openFds()) + 100;
}

/** Where an fd points (readlink /proc/self/fd/N), or undefined if closed. */
export function fdTarget(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** The uid and gid the unprivileged tests drop to. */
export const NOBODY = 65534;

/** setpriv argv that runs the rest as uid / gid NOBODY, without groups or capabilities. */
export const SETPRIV_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/**
 * Runs test/fixtures/<fixture> (node) under `launcher` (setpriv / unshare argv; [] for none),
 * asserts that it printed nothing on stderr and exited 0, and returns the JSON it printed.
 */
export function runFixture(launcher: readonly string[], fixture: string, args: readonly string[] = [], timeout = 60_000): Record<string, any> {
  const argv = [...launcher, process.execPath, `test/fixtures/${fixture}`, ...args];
  const result = spawnSync(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' },
    timeout,
    killSignal: 'SIGKILL',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, any>;
}

/**
 * The environment for programs other than node: under the ASan test run (scripts/test-asan.sh)
 * LD_PRELOAD holds the sanitizer runtime, which node needs and sh, unshare or mount must not get.
 */
export const PLAIN_ENV: NodeJS.ProcessEnv = (() => {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return env;
})();

/**
 * argv that runs node on `args` with the sanitizer runtime of the ASan run (if any) preloaded for
 * node alone: for putting node behind launchers (unshare, taskset, sh -c) run with PLAIN_ENV.
 */
export function nodeArgv(...args: string[]): string[] {
  const preload = process.env.LD_PRELOAD;
  return preload ? ['env', `LD_PRELOAD=${preload}`, process.execPath, ...args] : [process.execPath, ...args];
}
