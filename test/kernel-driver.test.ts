/**
 * The kernel side of the cross-check (src/verify/kernel-driver.ts) against the real kernel: exact
 * results for scenarios whose kernel behaviour is known, and the world gone after every run —
 * no agent process, no fd, no mount, no zombie left in this process — also when a step fails,
 * an agent stops or dies, or the driver's own process is killed mid-scenario.
 *
 * Needs root (new pid and mount namespaces, /proc of other users' processes).
 */
import { spawn as spawnProcess, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, expect, it } from 'vitest';
import { probe } from '../src/index.js';
import type { ErrnoName, Step, StepResult, Value } from '../src/model/steps.js';
import { runOnKernel, type KernelRun, type KernelRunOptions } from '../src/verify/kernel-driver.js';
import { describeWith, isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { repoRoot } from './helpers/processes.js';

const features = probe().features;

expectEachTestLeavesHostUnchanged();

beforeAll(async () => {
  // Whatever Node opens once per process on first use (the addon, the socket machinery) exists
  // before the first baseline.
  if (isRoot) await runOnKernel([{ op: 'getpid', proc: 'root' }]);
});

/** Processes whose command line contains `marker` (every agent's has its run's socket dir). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/**
 * `pgrep -f <pattern>`: pids (pgrep exits 1 when there are none). Without this process's
 * environment: under test:asan it carries LD_PRELOAD=libasan.so, with which pgrep hangs.
 */
function pgrep(pattern: string): number[] {
  const result = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 10_000 });
  if (result.error !== undefined) throw result.error;
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/** Run and check that nothing of the run's world is left (no agent, no socket directory). */
async function run(steps: Step[], options?: KernelRunOptions): Promise<KernelRun> {
  const result = await runOnKernel(steps, options);
  expect(pgrep(result.info.socketDir), 'agents left after the run').toEqual([]);
  expect(() => readdirSync(result.info.socketDir)).toThrow(/ENOENT/);
  expect(result.results).toHaveLength(steps.length);
  return result;
}

const ok = (value?: Value): StepResult => (value === undefined ? { ok: true } : { ok: true, value });
const fails = (errno: ErrnoName): StepResult => ({ ok: false, errno });

describeWith(isRoot, 'needs root: the scenarios create and join namespaces of every kind', 'the world', () => {
  it('init is pid 1 of a new pid namespace with a parent outside it; root is pid 2, its child', async () => {
    const { results } = await run([
      { op: 'getpid', proc: 'init' },
      { op: 'getppid', proc: 'init' },
      { op: 'getpid', proc: 'root' },
      { op: 'getppid', proc: 'root' },
      { op: 'nspid', proc: 'root', target: 'init' },
      { op: 'readLastPid', proc: 'root' },
      { op: 'state', target: 'root' },
    ]);
    expect(results).toEqual([ok(1), ok(0), ok(2), ok(1), ok([1]), ok(2), ok('running')]);
  });

  it('init exiting ends the world: everyone in its pid namespace is killed', async () => {
    const { results } = await run([
      { op: 'clone3', proc: 'root', child: 'c', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'] },
      { op: 'exit', proc: 'init', code: 0 },
      { op: 'getpid', proc: 'root' },
      { op: 'state', target: 'init' }, // its parent, the driver, has reaped it
      { op: 'state', target: 'root' },
      { op: 'state', target: 'c' },
      { op: 'state', target: 's' },
    ]);
    expect(results).toEqual([ok(3), ok(4), ok(), fails('ESRCH'), ok('gone'), ok('gone'), ok('gone'), ok('gone')]);
  });

  it('without the agent program, a clear error before anything starts', async () => {
    const saved = process.env.NSBRIDGE_ADDON;
    process.env.NSBRIDGE_ADDON = '/nonexistent/build/Release/nsbridge.node';
    try {
      await expect(runOnKernel([{ op: 'getpid', proc: 'root' }])).rejects.toMatchObject({
        code: 'ERR_NSBRIDGE_AGENT',
        message: expect.stringMatching(/\/nonexistent\/build\/Release\/nsbridge-agent is missing .*npm run build:cmake/),
      });
    } finally {
      if (saved === undefined) delete process.env.NSBRIDGE_ADDON;
      else process.env.NSBRIDGE_ADDON = saved;
    }
  });

  it('a step by a process that does not exist, or by a sleeper, is ESRCH without reaching the kernel', async () => {
    const { results } = await run([
      { op: 'getpid', proc: 'nobody' },
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'] },
      { op: 'getpid', proc: 's' },
      { op: 'state', target: 's' },
      { op: 'state', target: 'nobody' },
    ]);
    expect(results).toEqual([fails('ESRCH'), ok(3), fails('ESRCH'), ok('running'), ok('gone')]);
  });
});

describeWith(isRoot, 'needs root: the scenarios create and join namespaces of every kind', 'pid namespaces', () => {
  it('a child cloned into a new pid namespace is its pid 1, with two pids and no visible parent', async () => {
    const { results } = await run([
      { op: 'clone3', proc: 'root', child: 'c', namespaces: ['pid'] },
      { op: 'getpid', proc: 'c' },
      { op: 'nspid', proc: 'c' },
      { op: 'nspid', proc: 'root', target: 'c' },
      { op: 'getppid', proc: 'c' },
    ]);
    expect(results).toEqual([ok(3), ok(1), ok([3, 1]), ok([3, 1]), ok(0)]);
  });

  it('kill of a process the caller cannot see is ESRCH; of one it can see, it is delivered', async () => {
    const { results } = await run([
      { op: 'clone3', proc: 'root', child: 'c', namespaces: ['pid'] },
      { op: 'handle', proc: 'root', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'c', target: 'root', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'c', target: 'init', signal: 0 },
      { op: 'kill', proc: 'root', target: 'c', signal: 'SIGKILL' },
      { op: 'signals', proc: 'root' },
      { op: 'wait', proc: 'root', target: 'c' },
      { op: 'state', target: 'c' },
    ]);
    expect(results).toEqual([
      ok(3), ok(), fails('ESRCH'), fails('ESRCH'), ok(), ok([]), ok({ pid: 3, signal: 9 }), ok('gone'),
    ]);
  });

  it('an init waiting in its namespace teardown for a zombie whose parent is outside', async () => {
    const { results } = await run([
      { op: 'clone3', proc: 'root', child: 'i2', namespaces: ['pid'] },
      { op: 'openNs', proc: 'root', as: 'pidns', target: 'i2', entry: 'pid' },
      { op: 'setns', proc: 'root', fd: 'pidns', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'y' },
      { op: 'nspid', proc: 'root', target: 'y' },
      { op: 'kill', proc: 'root', target: 'i2', signal: 'SIGKILL' },
      { op: 'state', target: 'y' },
      { op: 'wait', proc: 'root', target: 'i2' },
      { op: 'wait', proc: 'root', target: 'y' },
      { op: 'wait', proc: 'root', target: 'i2' },
    ]);
    expect(results).toEqual([
      ok(3), ok(), ok(), ok(4), ok([4, 2]), ok(), ok('zombie'), ok(null), ok({ pid: 4, signal: 9 }), ok({ pid: 3, signal: 9 }),
    ]);
  });

  it('reboot(RESTART) in a child pid namespace kills its init, whose parent sees SIGHUP', async () => {
    const { results } = await run([
      { op: 'clone3', proc: 'root', child: 'i2', namespaces: ['pid'] },
      { op: 'clone3', proc: 'i2', child: 'x' },
      { op: 'reboot', proc: 'x', cmd: 'restart' },
      { op: 'state', target: 'x' },
      { op: 'wait', proc: 'root' },
      { op: 'reboot', proc: 'root', cmd: 'bad-magic' },
      { op: 'reboot', proc: 'root', cmd: 'cad_on' },
    ]);
    expect(results).toEqual([ok(3), ok(2), ok(), ok('gone'), ok({ pid: 3, signal: 1 }), fails('EINVAL'), fails('EINVAL')]);
  });
});

describeWith(isRoot, 'needs root: the scenarios create and join namespaces of every kind', 'namespaces the Node process itself could not enter', () => {
  itWith(features.userNamespaces.supported, features.userNamespaces.detail, 'setns into a user namespace from the single-threaded agent', async () => {
    const { results } = await run([
      { op: 'clone3', proc: 'root', child: 'u', namespaces: ['user'] },
      { op: 'writeMap', proc: 'root', target: 'u', map: 'uid_map', lines: [[0, 0, 1]] },
      { op: 'readMap', proc: 'u', target: 'u', map: 'uid_map' },
      { op: 'openNs', proc: 'root', as: 'userns', target: 'u', entry: 'user' },
      { op: 'setns', proc: 'root', fd: 'userns', namespaces: ['user'] },
      { op: 'nsId', proc: 'root', entry: 'user' },
      { op: 'nsId', proc: 'u', entry: 'user' },
      { op: 'nsIoctl', proc: 'root', fd: 'userns', request: 'NS_GET_NSTYPE' },
      { op: 'setns', proc: 'root', fd: 'closed', namespaces: ['user'] },
    ]);
    expect(results.slice(0, 5)).toEqual([ok(3), ok(), ok([[0, 0, 1]]), ok(), ok()]);
    expect(results[5]).toEqual(results[6]); // root is now in u's user namespace
    expect(results.slice(7)).toEqual([ok('user'), fails('EBADF')]);
  });

  itWith(features.timeNamespaces.supported, features.timeNamespaces.detail, 'time namespace: offsets set before the first process enters', async () => {
    const { results } = await run([
      { op: 'unshare', proc: 'root', namespaces: ['time'] },
      { op: 'writeTimeOffsets', proc: 'root', target: 'root', offsets: [{ clock: 'monotonic', seconds: 1000 }] },
      { op: 'clone3', proc: 'root', child: 'c' },
      { op: 'clockOffset', proc: 'c', clock: 'monotonic' },
      { op: 'clockOffset', proc: 'c', clock: 'boottime' },
      { op: 'clockOffset', proc: 'root', clock: 'monotonic' },
      { op: 'readTimeOffsets', proc: 'root', target: 'c' },
      { op: 'writeTimeOffsets', proc: 'root', target: 'root', offsets: [{ clock: 'boottime', seconds: 5 }] },
    ]);
    expect(results).toEqual([
      ok(), ok(), ok(3), ok(1000), ok(0), ok(0), ok({ monotonic: 1000, boottime: 0 }), fails('EACCES'),
    ]);
  });
});

describeWith(isRoot, 'needs root: the scenarios create and join namespaces of every kind', 'processes that stop, die or are not processes', () => {
  it('a stopped process runs no steps (ESRCH, no hang) until it is continued', async () => {
    const { results } = await run(
      [
        { op: 'kill', proc: 'init', target: 'root', signal: 'SIGSTOP' },
        { op: 'getpid', proc: 'root' },
        { op: 'state', target: 'root' },
        { op: 'kill', proc: 'init', target: 'root', signal: 'SIGCONT' },
        { op: 'getpid', proc: 'root' },
        { op: 'kill', proc: 'root', target: 'root', signal: 'SIGSTOP' },
        { op: 'getppid', proc: 'root' },
        { op: 'kill', proc: 'init', target: 'root', signal: 'SIGKILL' },
        { op: 'state', target: 'root' },
        { op: 'wait', proc: 'init' },
      ],
      { stepTimeoutMs: 2000 },
    );
    expect(results).toEqual([
      ok(), fails('ESRCH'), ok('stopped'), ok(), ok(2), ok(), fails('ESRCH'), ok(), ok('zombie'), ok({ pid: 2, signal: 9 }),
    ]);
  });

  it('threads and CLONE_VM sleepers: signals reach the process, a fatal one ends every thread', async () => {
    const { results } = await run([
      { op: 'handle', proc: 'root', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'root', child: 't', flags: ['vm', 'sighand', 'thread'] },
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'] },
      { op: 'unshare', proc: 'root', namespaces: ['user'] },
      { op: 'kill', proc: 'init', target: 's', signal: 'SIGUSR1' },
      { op: 'pidfdOpen', proc: 'init', as: 't', target: 't', flags: ['thread'] },
      { op: 'pidfdSendSignal', proc: 'init', fd: 't', signal: 'SIGUSR1' },
      { op: 'signals', proc: 'root' },
      { op: 'kill', proc: 'init', target: 's', signal: 'SIGTERM' },
      { op: 'pidfdSendSignal', proc: 'init', fd: 't', signal: 'SIGTERM' },
      { op: 'state', target: 't' },
      { op: 'wait', proc: 'init', target: 'root' },
      { op: 'state', target: 's' },
    ]);
    expect(results).toEqual([
      ok(), ok(3), ok(4),
      fails('EINVAL'), // a multithreaded process cannot create a user namespace
      ok(), ok(), ok(),
      ok([{ signal: 10, fromPid: 1 }]), // the sleeper process's inherited handler records nothing here
      ok(), ok(), ok('gone'), ok({ pid: 2, signal: 15 }),
      ok('zombie'), // s: reparented to init as a zombie, and nobody waits for it
    ]);
  });

  it('an agent that dies while running a step fails the run, naming the step, and leaves nothing', async () => {
    let socketDir = '';
    const failed = runOnKernel(
      [
        { op: 'clone3', proc: 'root', child: 'c' },
        { op: 'getpid', proc: 'c' },
      ],
      {
        beforeStep: (index, info) => {
          socketDir = info.socketDir;
          // Killed from outside the world just before its step: it can never answer.
          if (index === 1) process.kill(info.hostPid('c')!, 'SIGKILL');
        },
      },
    );
    await expect(failed).rejects.toThrow(/step 1 \(getpid by "c"\): the agent died while running it/);
    expect(pgrep(socketDir)).toEqual([]);
  });
});

describeWith(isRoot, 'needs root: the scenarios create and join namespaces of every kind', 'an interrupted driver', () => {
  it('the driver process SIGKILLed mid-scenario leaves no agent behind', async () => {
    // A TMPDIR of its own: every driver run sweeps the socket directories that dead drivers left
    // in its TMPDIR, and another run on this machine (a test file in parallel, a fuzz run) must
    // not sweep this one's before the test has looked at it.
    const privateTmp = mkdtempSync(join(tmpdir(), 'nsbridge-interrupted-'));
    const fixture = spawnProcess(process.execPath, ['test/fixtures/kernel-driver-interrupted.mjs'], {
      cwd: repoRoot,
      env: { ...process.env, TMPDIR: privateTmp },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(fixture, 'exit');
    let socketDir: string;
    try {
      const lines = createInterface({ input: fixture.stdout })[Symbol.asyncIterator]();
      const { value } = await lines.next();
      ({ socketDir } = JSON.parse(String(value)) as { socketDir: string });
      // init, root, a, b, the sleeper (the thread is not a process of its own).
      expect(processesWith(socketDir).length).toBe(5);
    } finally {
      fixture.kill('SIGKILL');
      await exited;
    }
    let left = processesWith(socketDir);
    for (let i = 0; i < 500 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      left = processesWith(socketDir);
    }
    expect(left, 'agents left after their driver was killed').toEqual([]);
    expect(pgrep(socketDir)).toEqual([]);
    // The socket directory is the one thing a killed driver cannot clean up: the next run does.
    expect(existsSync(socketDir)).toBe(true);
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp; // os.tmpdir() reads it at each call
    try {
      await runOnKernel([{ op: 'getpid', proc: 'root' }]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    expect(existsSync(socketDir)).toBe(false);
    rmSync(privateTmp, { recursive: true });
  });
});
