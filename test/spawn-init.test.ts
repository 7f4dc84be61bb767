/**
 * spawn({ init: true }) and `nsbridge run --init`: nsbridge-init as pid 1 of the new pid
 * namespace, the program as pid 2. Signals a handler-less program would never get as pid 1 reach
 * it, orphans are reaped, and `exited` is the program's own status. The init's own failure and
 * the program's execve failure are steps of their own.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { SpawnError, spawn } from '../src/index.js';
import { isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { repoRoot } from './helpers/processes.js';

const NEEDS_ROOT = 'needs root (CAP_SYS_ADMIN) for a new pid namespace';
/** Prints its pid as it sees it, then becomes a sleep with no handler for anything. */
const PARKED = ['-c', 'echo $$; exec sleep 1000'];

/** A parked program behind the init (or as pid 1 without it); resolves once it printed its pid. */
async function parked(init: boolean): Promise<{ child: ReturnType<typeof spawn>; pidInside: number }> {
  const child = spawn('sh', PARKED, { namespaces: ['pid'], init, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  child.stdout.resume();
  return { child, pidInside: Number(line.toString()) };
}

/** Lines "pid (comm) state" of every process a fresh /proc of the namespace shows, read by sh's builtins. */
const LIST_PROCESSES = 'for d in /proc/[0-9]*; do read -r pid comm state rest < "$d/stat"; echo "$pid $comm $state"; done';

describe('spawn({ init: true })', () => {
  expectEachTestLeavesHostUnchanged();

  itWith(isRoot, NEEDS_ROOT, 'SIGTERM, SIGINT and SIGHUP reach a handler-less program as pid 2 and end it; the init is pid 1; exited gives the signal', async () => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const { child, pidInside } = await parked(true);
      expect([pidInside, child.nspid().at(-1)]).toEqual([2, 1]);
      expect(child.kill(signal)).toBe(true);
      expect(await child.exited).toEqual({ code: null, signal });
      expect([child.exitCode, child.signalCode]).toEqual([null, signal]);
      child.process!.close();
    }
  });

  itWith(isRoot, NEEDS_ROOT, 'without init the same program is pid 1 and the kernel drops SIGTERM: only the SIGKILL after it ends the program', async () => {
    const { child, pidInside } = await parked(false);
    expect(pidInside).toBe(1);
    child.kill('SIGTERM'); // dropped when sent: a namespace's init has no default action for it
    child.kill('SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    child.process!.close();
  });

  itWith(isRoot, NEEDS_ROOT, 'orphans of the program are reaped: once an orphaned sleep ended, a fresh /proc shows only the init and the program', async () => {
    const child = spawn('sh', ['-c', `(sleep 0.1 &); sleep 0.6; ${LIST_PROCESSES}`], { namespaces: ['pid', 'mnt'], mountProc: true, init: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    expect(await child.exited).toEqual({ code: 0, signal: null });
    child.process!.close();
    expect(out).toBe('1 (nsbridge-init) S\n2 (sh) R\n');
  });

  itWith(isRoot, NEEDS_ROOT, "exit codes and signals arrive unchanged, the program's own (not the init's 128 + signal)", async () => {
    const cases: [string, { code: number | null; signal: string | null }][] = [
      ['exit 0', { code: 0, signal: null }],
      ['exit 7', { code: 7, signal: null }],
      ['exit 143', { code: 143, signal: null }],
      ['kill -TERM $$', { code: null, signal: 'SIGTERM' }],
      ['kill -USR1 $$', { code: null, signal: 'SIGUSR1' }],
      ['kill -KILL $$', { code: null, signal: 'SIGKILL' }],
    ];
    for (const [script, expected] of cases) {
      const child = spawn('sh', ['-c', script], { namespaces: ['pid'], init: true, stdio: 'ignore' });
      expect(await child.exited, script).toEqual(expected);
      child.process!.close();
    }
  });

  itWith(isRoot, NEEDS_ROOT, "abort and SIGKILL: an AbortSignal's killSignal reaches the program through the init; a SIGKILL of the init ends the namespace and is reported as the init's", async () => {
    const controller = new AbortController();
    const child = spawn('sh', PARKED, { namespaces: ['pid'], init: true, stdio: ['ignore', 'pipe', 'inherit'], signal: controller.signal, killSignal: 'SIGUSR2' });
    await once(child.stdout, 'data');
    child.stdout.resume();
    child.on('error', () => {});
    controller.abort();
    expect(await child.exited).toEqual({ code: null, signal: 'SIGUSR2' });
    child.process!.close();
    const { child: killed } = await parked(true);
    killed.kill('SIGKILL');
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    killed.process!.close();
  });

  itWith(isRoot, NEEDS_ROOT, "the program's execve failure rejects ready and exited with step 'execve'; the init's own exec failure (not inside the new root) with step 'init'", async () => {
    const missing = spawn('nsbridge-no-such-program', [], { namespaces: ['pid'], init: true, stdio: 'ignore' });
    const error = (await missing.ready.catch((e: unknown) => e)) as SpawnError;
    expect(error).toBeInstanceOf(SpawnError);
    expect([error.step, error.code, error.errno, error.syscall, error.path]).toEqual(['execve', 'ENOENT', -2, 'execve', 'nsbridge-no-such-program']);
    await expect(missing.exited).rejects.toBe(error);
    // The init itself is gone (it exits 127 after reporting): wait for its exit through the handle.
    expect(await missing.process!.exited()).toEqual({ code: 127, signal: null });
    missing.process!.close();

    // A file without #! is ENOEXEC, as for spawn() without init: never run by a shell instead.
    const scriptDir = mkdtempSync(join(tmpdir(), 'nsbridge-init-noexec-'));
    const script = join(scriptDir, 'no-shebang');
    writeFileSync(script, 'echo ran\n', { mode: 0o755 });
    try {
      const noexec = spawn(script, [], { namespaces: ['pid'], init: true, stdio: 'ignore' });
      const failed = (await noexec.ready.catch((e: unknown) => e)) as SpawnError;
      expect([failed.step, failed.code, failed.syscall]).toEqual(['execve', 'ENOEXEC', 'execve']);
      expect(await noexec.process!.exited()).toEqual({ code: 126, signal: null });
      noexec.process!.close();
      // Found on PATH by the init's own search (the program's environment's PATH).
      const onPath = spawn('no-shebang', [], { namespaces: ['pid'], init: true, stdio: 'ignore', env: { PATH: `/nonexistent:${scriptDir}` } });
      expect(((await onPath.ready.catch((e: unknown) => e)) as SpawnError).code).toBe('ENOEXEC');
      await onPath.process!.exited();
      onPath.process!.close();
    } finally {
      rmSync(scriptDir, { recursive: true });
    }

    const root = mkdtempSync(join(tmpdir(), 'nsbridge-init-root-'));
    try {
      const outside = spawn('true', [], { namespaces: ['pid', 'mnt'], root, init: true, stdio: 'ignore' });
      const failure = (await outside.ready.catch((e: unknown) => e)) as SpawnError;
      expect([failure.step, failure.code, failure.syscall, outside.pid]).toEqual(['init', 'ENOENT', 'execve', undefined]);
      await expect(outside.exited).rejects.toBe(failure);
    } finally {
      rmdirSync(root);
    }
  });

  itWith(isRoot, NEEDS_ROOT, "the status socket is the init's: the program's stdio is exactly the slots asked for, and the program cannot write to the socket", async () => {
    const child = spawn('sh', ['-c', 'echo out; echo err >&2; ls /proc/self/fd'], { namespaces: ['pid'], init: true, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(child.stdio.length).toBe(3);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const closed = once(child, 'close');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    child.process!.close();
    await closed;
    // 0-2, and the fd ls opened for the directory.
    expect([out.split('\n').filter(Boolean), err]).toEqual([['out', '0', '1', '2', '3'], 'err\n']);
  });

  itWith(isRoot, NEEDS_ROOT, "unref(): the event loop ends while the program runs (the init's status socket is unref'd too); the program lives on until killed", () => {
    const script = "import { spawn } from './dist/index.js'; const c = spawn('sleep', ['1000'], { namespaces: ['pid'], init: true, stdio: 'ignore' }); await c.ready; c.unref(); console.log(c.pid);";
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    expect([result.status, result.signal, result.stderr]).toEqual([0, null, '']);
    const initPid = Number(result.stdout);
    expect(readFileSync(`/proc/${initPid}/comm`, 'utf8')).toBe('nsbridge-init\n');
    process.kill(initPid, 'SIGKILL'); // its parent is gone: reaped by our init (pid 1 of the host) or subreaper
  });

  it_badInput();
});

function it_badInput(): void {
  itWith(isRoot, NEEDS_ROOT, 'bad input: init not a boolean, without a new pid namespace, with pidForChildrenOnly — before anything is cloned', () => {
    expect(() => spawn('true', [], { namespaces: ['pid'], init: 'yes' as never })).toThrow(new TypeError('options.init must be a boolean, got "yes"'));
    expect(() => spawn('true', [], { init: true })).toThrow(new RangeError("options.init needs a new pid namespace (namespaces: ['pid', …]): the init runs as its pid 1"));
    expect(() => spawn('true', [], { namespaces: { pid: false, uts: true }, init: true })).toThrow(RangeError);
    expect(() => spawn('true', [], { namespaces: ['pid'], pidForChildrenOnly: true, init: true })).toThrow(new RangeError("options.init and options.pidForChildrenOnly exclude each other: the init must be the new pid namespace's pid 1"));
    const off = spawn('true', [], { namespaces: ['pid'], init: false, stdio: 'ignore' });
    return off.exited.then((info) => {
      expect(info).toEqual({ code: 0, signal: null });
      off.process!.close();
    });
  });
}
