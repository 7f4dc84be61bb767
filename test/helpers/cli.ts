/** Running the built CLI (dist/cli/main.js) as a real process, as root or as uid 65534. */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { SETPRIV_NOBODY, repoRoot } from './processes.js';

const MAIN = 'dist/cli/main.js';

/**
 * Under the ASan test run (scripts/test-asan.sh) node gets libasan through LD_PRELOAD; the
 * programs `run` / `enter` start must not inherit it (ASan in sh, ps, cat prints warnings or
 * hangs), so the CLI process drops it from its environment once node has loaded.
 */
export const NODE_ARGS: readonly string[] = process.env.LD_PRELOAD ? ['--import', 'data:text/javascript,delete process.env.LD_PRELOAD'] : [];

export interface CliOptions {
  asNobody?: boolean;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** `nsbridge …` to completion. */
export function nsbridge(args: readonly string[], options: CliOptions = {}): SpawnSyncReturns<string> {
  const argv = [...(options.asNobody ? SETPRIV_NOBODY : []), process.execPath, ...NODE_ARGS, MAIN, ...args];
  return spawnSync(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    encoding: 'utf8',
    input: options.input ?? '',
    env: options.env ?? { ...process.env, NO_COLOR: '1', HOME: '/tmp' },
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
}

/** The outcome of one `nsbridge …` run to completion. */
export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Many `nsbridge …` lines to completion, `parallel` at a time (each is a Node start, CPU-bound):
 * results in the order of `lines`. Stdin is empty, as for {@link nsbridge}.
 */
export async function nsbridgeAll(lines: readonly (readonly string[])[], parallel = 4): Promise<CliResult[]> {
  const results: CliResult[] = new Array<CliResult>(lines.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < lines.length) {
      const index = next++;
      const child = spawn(process.execPath, [...NODE_ARGS, MAIN, ...lines[index]!], {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1', HOME: '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
        killSignal: 'SIGKILL',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [status, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      results[index] = { status, signal, stdout, stderr };
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, lines.length) }, worker));
  return results;
}

/** `nsbridge …` in the background, stdout piped; resolves once it printed `marker`. */
export async function nsbridgeUntil(args: readonly string[], marker: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, MAIN, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  child.stderr.resume();
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (output.includes(marker)) resolve();
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => reject(new Error(`nsbridge ${args.join(' ')} exited early (${code ?? signal}): ${output}`)));
  });
  return { child, output: () => output };
}

/** Waits for a ChildProcess to end (if it has not already). */
export async function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  return { code: child.exitCode, signal: child.signalCode };
}

/**
 * Polls until pid has died: no /proc entry any more, or a zombie (its new parent, outside the
 * test's control, may not have reaped it yet). False when the deadline passes first.
 */
export async function gone(pid: number, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const state = stateOf(pid);
    if (state === null || state === 'Z') return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** A process's state letter from /proc/<pid>/stat ('Z' = zombie), or null when it is gone. */
export function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}
