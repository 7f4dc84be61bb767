/**
 * spawn() over the life of many processes: repeated and concurrent spawns beside child_process
 * (every exit status reaches the right owner, nothing leaks, nothing is reaped twice), parent death
 * (killOnParentDeath from the main thread and from a worker, and its absence), and the
 * unprivileged path (uid 65534 via setpriv).
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { NsChild, ProcessHandle, SpawnError, probe, spawn, type ExitInfo, type SpawnOptions } from '../src/index.js';
import { isRoot, itWith } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { NOBODY, SETPRIV_NOBODY, openFds, repoRoot, runFixture } from './helpers/processes.js';

const features = probe().features;

// --- state that must come back to where it was ------------------------------------------------

const baseline = expectEachTestLeavesHostUnchanged();

/** Rejects if `promise` has not settled after `ms` (so a missing exit fails instead of hanging). */
function bounded<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// --- many spawns ------------------------------------------------------------------------------

describe('many spawns', () => {
  itWith(
    features.userNamespaces.supported,
    features.userNamespaces.detail,
    '1,000 sequential spawns (plain, pid+uts, user with root mapped, execve ENOENT) leave no fds and no zombies',
    async () => {
      const mixes: { options: SpawnOptions; fails: boolean }[] = [
        { options: { stdio: 'ignore' }, fails: false },
        { options: { namespaces: ['pid', 'uts'], hostname: 'box', stdio: 'ignore' }, fails: false },
        { options: { namespaces: ['user'], mapRootUser: true }, fails: false }, // stdio: three pipes
        { options: { namespaces: ['pid'] }, fails: true },
      ];
      const tally = { ran: 0, failed: 0 };
      for (let i = 0; i < 1000; i++) {
        const { options, fails } = mixes[i % mixes.length]!;
        const child = spawn(fails ? '/nonexistent/nsbridge-program' : '/bin/true', [], options);
        if (fails) {
          const error = await child.exited.then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(SpawnError);
          expect({ step: (error as SpawnError).step, code: (error as SpawnError).code }).toEqual({ step: 'execve', code: 'ENOENT' });
          tally.failed++;
          continue;
        }
        const closed = once(child, 'close');
        child.stdout?.resume();
        child.stderr?.resume();
        expect(await child.exited).toEqual({ code: 0, signal: null });
        await closed;
        // Reaped: the pidfd is closed already (nothing closed by hand, so a leak would count).
        expect(child.process!.closed).toBe(true);
        tally.ran++;
      }
      expect(tally).toEqual({ ran: 750, failed: 250 });
    },
  );

  // A reaped child's pidfd is closed at once, not left to the garbage collector (a loop of
  // `await spawn(...).exited` would otherwise hold hundreds of fds between collections). The
  // children stay reachable here, so the collector cannot hide a leak.
  it('exited children do not keep their pidfds open', async () => {
    const children: NsChild[] = [];
    for (let i = 0; i < 20; i++) {
      const child = spawn('/bin/true', [], { stdio: 'ignore' });
      children.push(child);
      await child.exited;
    }
    let now = openFds();
    for (let turn = 0; turn < 100 && now.length !== baseline().fds.length; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      now = openFds();
    }
    try {
      expect(now).toEqual(baseline().fds);
    } finally {
      for (const child of children) child.process!.close();
    }
  });

  itWith(
    features.userNamespaces.supported,
    features.userNamespaces.detail,
    '100 nsbridge spawns in flight with 20 child_process spawns: every exit status reaches its own owner, once',
    async () => {
      // Every program blocks reading stdin until all 120 run; then the stdins are closed in a
      // scrambled order, and each exits with its own code (nsbridge i → i, child_process j → 100 + j).
      const kinds: SpawnOptions[] = [{}, { namespaces: ['pid'] }, { namespaces: ['user'], mapRootUser: true }, { namespaces: ['uts', 'ipc', 'net'] }];
      const ours: NsChild[] = [];
      const theirs: ChildProcess[] = [];
      for (let i = 0; i < 120; i++) {
        if (i % 6 === 5) {
          const j = theirs.length;
          theirs.push(spawnProcess('sh', ['-c', `read line; exit ${100 + j}`], { stdio: ['pipe', 'ignore', 'ignore'] }));
        } else {
          const n = ours.length;
          ours.push(spawn('sh', ['-c', `read line; exit ${n}`], { ...kinds[n % kinds.length], stdio: ['pipe', 'ignore', 'ignore'] }));
        }
      }
      expect([ours.length, theirs.length]).toEqual([100, 20]);
      const ourExits = ours.map((child) => bounded(child.exited, `nsbridge child ${child.pid}`));
      const ourEvents = ours.map((child) => bounded(once(child, 'exit'), `'exit' of nsbridge child ${child.pid}`));
      const ourCloses = ours.map((child) => once(child, 'close'));
      const theirExits = theirs.map((child) => bounded(once(child, 'exit'), `'exit' of child_process ${child.pid}`));
      const theirCloses = theirs.map((child) => once(child, 'close'));

      // All 120 are running at the same time, with distinct pids.
      await Promise.all(ours.map((child) => child.ready));
      const pids = [...ours.map((c) => c.pid!), ...theirs.map((c) => c.pid!)];
      expect(new Set(pids).size).toBe(120);
      for (const child of ours) {
        expect(child.exitCode).toBeNull();
        child.process!.signal(0);
      }
      for (const child of theirs) expect(child.exitCode).toBeNull();

      const stdins = [...ours.map((c) => c.stdin!), ...theirs.map((c) => c.stdin!)];
      for (let k = 0; k < stdins.length; k++) stdins[(k * 37) % stdins.length]!.end();

      const results: ExitInfo[] = await Promise.all(ourExits);
      results.forEach((info, n) => expect(info, `nsbridge child ${n}`).toEqual({ code: n, signal: null }));
      (await Promise.all(ourEvents)).forEach((args, n) => expect(args, `'exit' of nsbridge child ${n}`).toEqual([n, null]));
      ours.forEach((child, n) => expect(child.exitCode).toBe(n));
      // libuv reaps its children by pid: had nsbridge reaped one of them, its 'exit' would never come.
      (await Promise.all(theirExits)).forEach((args, j) => expect(args, `child_process ${j}`).toEqual([100 + j, null]));
      await Promise.all([...ourCloses, ...theirCloses]);
      for (const child of ours) child.process!.close();
    },
  );
});

// --- parent death -----------------------------------------------------------------------------

interface Parent {
  fixture: ChildProcess;
  /** The program the fixture spawned, opened while it runs (so its pid cannot be recycled). */
  program: ProcessHandle;
  next(): Promise<Record<string, unknown>>;
  exit: Promise<[number | null, string | null]>;
  closed: Promise<unknown>;
}

/** How test/fixtures/spawn-life-parent-death.mjs spawns its program: see there. */
type Mode = 'main' | 'worker' | 'worker-exit';

/** Starts test/fixtures/spawn-life-parent-death.mjs and pins its program with a pidfd. */
async function startParent(mode: Mode, options: SpawnOptions): Promise<Parent> {
  const fixture = spawnProcess(process.execPath, ['test/fixtures/spawn-life-parent-death.mjs', mode, JSON.stringify(options)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exit = once(fixture, 'exit') as Promise<[number | null, string | null]>;
  const closed = once(fixture, 'close');
  const lines = createInterface({ input: fixture.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await bounded(lines.next(), 'a line from the parent fixture');
    if (done === true) throw new Error('the parent fixture ended its output early');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  try {
    const { pid } = (await next()) as { pid: number };
    return { fixture, program: ProcessHandle.open(pid), next, exit, closed };
  } catch (error) {
    fixture.kill('SIGKILL');
    await closed;
    throw error;
  }
}

/** Ends everything a parent-death test started, whatever state it is in. */
async function cleanUp(parent: Parent): Promise<void> {
  if (parent.fixture.exitCode === null && parent.fixture.signalCode === null) parent.fixture.kill('SIGKILL');
  await parent.closed;
  if (!parent.program.closed) {
    try {
      parent.program.signal('SIGKILL');
    } catch {
      /* already gone */
    }
    // The orphan's new parent reaps it; exited() observes that (PIDFD_GET_INFO).
    await bounded(parent.program.exited(), 'the orphaned program after SIGKILL').catch(() => {});
    parent.program.close();
  }
}

/** Starts the parent fixture, runs `body` with it, and ends whatever is left, however `body` went. */
async function withParent(mode: Mode, options: SpawnOptions, body: (parent: Parent) => Promise<void>): Promise<void> {
  const parent = await startParent(mode, options);
  try {
    await body(parent);
  } finally {
    await cleanUp(parent);
  }
}

const orphanReason = `observing an orphan's exit status needs PIDFD_GET_INFO exit info (${features.pidfdExitInfo.detail})`;

describe('killOnParentDeath', () => {
  // The parent fixture gets SIGKILL, and the program then ends by `signal`: its parent-death
  // signal, or where it must have none, the signal we `send` the orphan afterwards.
  const parentDies: { name: string; mode: Mode; options: SpawnOptions; send?: string; signal: string }[] = [
    { name: 'true: SIGKILL of the parent process kills the program', mode: 'main', options: { killOnParentDeath: true }, signal: 'SIGKILL' },
    {
      name: 'true, program is pid 1 of a new pid namespace: SIGKILL of the parent process kills the program',
      mode: 'main',
      options: { killOnParentDeath: true, namespaces: ['pid'] },
      signal: 'SIGKILL',
    },
    { name: "a signal name: the program gets 'SIGTERM'", mode: 'main', options: { killOnParentDeath: 'SIGTERM' }, signal: 'SIGTERM' },
    {
      name: 'spawned from a worker thread: SIGKILL of the whole process kills the program',
      mode: 'worker',
      options: { killOnParentDeath: true, namespaces: ['pid'] },
      signal: 'SIGKILL',
    },
    // A parent-death signal is sent while the parent exits, before it can be reaped: had one
    // been sent it would already have decided how the program ends. Ours decides instead.
    { name: 'without it the program survives the death of its parent', mode: 'main', options: {}, send: 'SIGUSR1', signal: 'SIGUSR1' },
    // Only SIGKILL and SIGSTOP reach a pid namespace's init from outside unless it handles the
    // signal. Documented here so that a change in behaviour is noticed.
    {
      name: "'SIGTERM' does not end a program that is pid 1 of its own pid namespace (the kernel shields init from signals it has no handler for)",
      mode: 'main',
      options: { killOnParentDeath: 'SIGTERM', namespaces: ['pid'] },
      send: 'SIGKILL',
      signal: 'SIGKILL',
    },
  ];
  for (const { name, mode, options, send, signal } of parentDies) {
    itWith(features.pidfdExitInfo.supported, orphanReason, name, () =>
      withParent(mode, options, async (parent) => {
        parent.fixture.stdin!.write('die\n');
        expect(await parent.exit).toEqual([null, 'SIGKILL']);
        if (send !== undefined) parent.program.signal(send);
        const what = send === undefined ? 'the program after its parent died' : 'the orphaned program';
        expect(await bounded(parent.program.exited(), what)).toEqual({ code: null, signal });
      }),
    );
  }

  itWith(features.pidfdExitInfo.supported, orphanReason, 'spawned from a worker thread: the worker ending kills the program while the process lives on', () =>
    // PR_SET_PDEATHSIG follows the thread that cloned the program (documented in the README).
    withParent('worker-exit', { killOnParentDeath: true }, async (parent) => {
      parent.fixture.stdin!.write('end-worker\n');
      expect(await parent.next()).toEqual({ workerExit: 0 });
      // Observed by the fixture's main thread, which is still running.
      expect(await parent.next()).toEqual({ programExit: { code: null, signal: 'SIGKILL' } });
      expect(parent.fixture.exitCode).toBeNull();
      parent.fixture.stdin!.write('quit\n');
      expect(await parent.exit).toEqual([0, null]);
      expect(await bounded(parent.program.exited(), 'the program')).toEqual({ code: null, signal: 'SIGKILL' });
    }),
  );
});

// --- unprivileged -----------------------------------------------------------------------------

describe(`unprivileged (uid ${NOBODY})`, () => {
  itWith(
    isRoot && features.unprivilegedUserNamespaces.supported,
    `needs root to drop to uid ${NOBODY}, and unprivileged user namespaces (${features.unprivilegedUserNamespaces.detail})`,
    'user + pid + mnt with root mapped and a fresh /proc: uid 0, pid 1, only its own processes; net alone is EPERM with a hint',
    () => {
      const observed = runFixture(SETPRIV_NOBODY, 'spawn-life-unprivileged.mjs');
      expect(observed.uid).toBe(NOBODY);
      expect(observed.exit).toEqual({ code: 0, signal: null });
      expect(observed.program).toEqual({ uid: '0', pid: '1', procPids: ['1'] });
      // The fixture's own fds, mounts (the new /proc stayed in the program's mount namespace),
      // namespaces and children are as before.
      expect(observed.changed).toEqual({});
      expect(observed.netWithoutUser).toMatchObject({
        step: 'unshare:net',
        code: 'EPERM',
        syscall: 'clone3',
        spawnError: true,
        systemError: true,
        sameError: true,
        pid: null,
        changed: {},
      });
      expect(observed.netWithoutUser.hint).toMatch(/needs CAP_SYS_ADMIN in the caller.s user namespace — or in the user namespace the same call creates/);
    },
  );
});
