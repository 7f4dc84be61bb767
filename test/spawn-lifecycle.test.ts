/**
 * spawn() over the life of many processes: repeated spawns, and concurrent ones on the main thread
 * and in worker threads beside child_process (every exit status reaches the right owner, nothing
 * leaks, nothing is reaped twice), parent death (killOnParentDeath from the main thread and from a
 * worker, and its absence; 50 programs at once), and the unprivileged path (uid 65534 via setpriv).
 * What happens to a worker's children when the worker ends is in fd-hygiene.test.ts.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { NsChild, ProcessHandle, SpawnError, listNamespaces, probe, spawn, type ExitInfo, type SpawnOptions } from '../src/index.js';
import { addon } from '../src/native/addon.js';
import { nsbridge, stateOf } from './helpers/cli.js';
import { canBeNobody, itWith, tasksAllowed, userNamespacesForUs } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { NOBODY, SETPRIV_NOBODY, openFds, parentOf, repoRoot, runFixture } from './helpers/processes.js';

const features = probe().features;
const userNs = userNamespacesForUs(features);

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
    userNs.supported,
    userNs.detail,
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

  // 324 programs plus their parents' threads: a cgroup's pids.max (docker --pids-limit, a small
  // TasksMax) must leave room for them.
  const roomFor = tasksAllowed();
  itWith(
    userNs.supported && roomFor >= 1000,
    roomFor < 1000 ? `needs room for 1000 tasks in this cgroup (pids.max allows ${roomFor} more)` : userNs.detail,
    '200 nsbridge spawns on the main thread, 2 × 50 in worker threads and 24 child_process spawns in flight at once: every exit status reaches its own owner, once',
    () => {
      // In a fixture process (its worker threads load dist/): see test/fixtures/spawn-life-concurrency.mjs.
      const report = runFixture([], 'spawn-life-concurrency.mjs', [], 120_000) as ConcurrencyReport;
      // All 324 programs ran at the same time, with distinct pids.
      expect([report.running, report.distinctPids, report.notRunning]).toEqual([324, 324, []]);
      const ours = [...report.main, ...report.workers.flat()];
      expect(ours.map((seen) => seen.index)).toEqual([...range(0, 200), ...range(224, 324)]);
      // Each nsbridge handle: `exited`, exactly one 'exit' event and exitCode all carry its own
      // code, the program's index modulo 256 (only 256 codes exist: indexes 256-323, in the second
      // worker, share codes with the first 68 programs of the main thread).
      for (const seen of ours) {
        expect(seen, `nsbridge program ${seen.index} (pid ${seen.pid})`).toEqual({
          index: seen.index,
          pid: seen.pid,
          expected: seen.index % 256,
          exited: { code: seen.index % 256, signal: null },
          error: null,
          events: [[seen.index % 256, null]],
          exitCode: seen.index % 256,
        });
      }
      // libuv reaps its children by pid: had nsbridge reaped one of them, its 'exit' would never come.
      expect(report.childProcess.map((seen) => seen.events)).toEqual(range(200, 224).map((index) => [[index, null]]));
      expect(report.workerExits).toEqual([0, 0]);
      expect(report.zombies).toEqual([]);
      expect(report.added).toEqual([]);
    },
    180_000,
  );
});

interface ConcurrencyReport {
  running: number;
  distinctPids: number;
  notRunning: number[];
  main: OurProgram[];
  workers: OurProgram[][];
  childProcess: { index: number; pid: number; expected: number; events: [number | null, string | null][] }[];
  workerExits: number[];
  zombies: number[];
  added: string[];
}

interface OurProgram {
  index: number;
  pid: number;
  expected: number;
  exited: ExitInfo | null;
  error: string | null;
  events: [number | null, string | null][];
  exitCode: number | null;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

// --- parent death -----------------------------------------------------------------------------

interface Parent {
  fixture: ChildProcess;
  /** The programs the fixture spawned, opened while they run (so their pids cannot be recycled). */
  programs: ProcessHandle[];
  /** The first (in most tests the only) program. */
  program: ProcessHandle;
  next(): Promise<Record<string, unknown>>;
  exit: Promise<[number | null, string | null]>;
  closed: Promise<unknown>;
}

/** How test/fixtures/spawn-life-parent-death.mjs spawns its program: see there. */
type Mode = 'main' | 'worker' | 'worker-exit';

/**
 * Starts test/fixtures/spawn-life-parent-death.mjs, which spawns `count` programs with `options`
 * (an array: option sets used in turn), and pins each program with a pidfd.
 */
async function startParent(mode: Mode, options: SpawnOptions | SpawnOptions[], count = 1): Promise<Parent> {
  const fixture = spawnProcess(process.execPath, ['test/fixtures/spawn-life-parent-death.mjs', mode, JSON.stringify(options), String(count)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exit = once(fixture, 'exit') as Promise<[number | null, string | null]>;
  const closed = once(fixture, 'close');
  const lines = createInterface({ input: fixture.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await bounded(lines.next(), 'a line from the parent fixture');
    if (done === true) throw new Error('the parent fixture ended its output early');
    return JSON.parse(value) as Record<string, unknown>;
  };
  try {
    const { pids } = (await next()) as { pids: number[] };
    const programs = pids.map((pid) => ProcessHandle.open(pid));
    return { fixture, programs, program: programs[0]!, next, exit, closed };
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
  const open = parent.programs.filter((program) => !program.closed);
  for (const program of open) {
    try {
      program.signal('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  // The orphans' new parent reaps them; exited() observes that (PIDFD_GET_INFO).
  await Promise.all(open.map((program) => bounded(program.exited(), `orphaned program ${program.pid} after SIGKILL`).catch(() => {})));
  for (const program of open) program.close();
}

/** Starts the parent fixture, runs `body` with it, and ends whatever is left, however `body` went. */
async function withParent(
  mode: Mode,
  options: SpawnOptions | SpawnOptions[],
  body: (parent: Parent) => Promise<void>,
  count = 1,
): Promise<void> {
  const parent = await startParent(mode, options, count);
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

// --- parent death at scale ---------------------------------------------------------------------

describe('parent death with 50 programs', () => {
  // In turn: no new namespace, a new pid namespace (the program is its init), a user namespace.
  const mix: SpawnOptions[] = [{}, { namespaces: ['pid'] }, { namespaces: ['user'], mapRootUser: true }];
  const newNamespaceOf = (i: number): 'pid' | 'user' | null => ([null, 'pid', 'user'] as const)[i % 3]!;

  itWith(
    features.pidfdExitInfo.supported && userNs.supported,
    `${orphanReason}; ${userNs.detail}`,
    'killOnParentDeath: all 50 have exited within 1 s of the SIGKILL of their parent, killed by SIGKILL',
    () =>
      withParent(
        'main',
        mix.map((options) => ({ ...options, killOnParentDeath: true })),
        async (parent) => {
          expect(parent.programs).toHaveLength(50);
          const died = parent.programs.map(diedAt);
          const reaped = parent.programs.map((program) => program.exited().then((info) => ({ info, at: performance.now() })));
          const killedAt = performance.now();
          parent.fixture.kill('SIGKILL');
          // The deadline the issue names, as a bounded wait on the pidfds.
          const lastDied = Math.max(...(await bounded(Promise.all(died), 'all 50 programs after the SIGKILL of their parent', 1000))) - killedAt;
          const gone = await bounded(Promise.all(reaped), 'the new parent reaping the 50 programs');
          const lastReaped = Math.max(...gone.map(({ at }) => at)) - killedAt;
          console.log(
            `killOnParentDeath: the last of 50 programs exited ${lastDied.toFixed(1)} ms after the SIGKILL of their parent (reaped by the new parent after ${lastReaped.toFixed(1)} ms)`,
          );
          expect(lastDied).toBeLessThan(1000);
          expect(gone.map(({ info }) => info)).toEqual(Array(50).fill({ code: null, signal: 'SIGKILL' }));
          expect(await parent.exit).toEqual([null, 'SIGKILL']);
        },
        50,
      ),
  );

  itWith(
    features.pidfdExitInfo.supported && userNs.supported,
    `${orphanReason}; ${userNs.detail}`,
    'without it all 50 survive the SIGKILL of their parent, are re-parented, and are listed in their new namespaces',
    () =>
      withParent(
        'main',
        mix,
        async (parent) => {
          const deadParent = parent.fixture.pid!;
          parent.fixture.kill('SIGKILL');
          expect(await parent.exit).toEqual([null, 'SIGKILL']);
          const pids = parent.programs.map((program) => program.pid);
          // Still running (sleeping), each now the child of someone else: the subreaper or init.
          expect(pids.map(stateOf)).toEqual(Array(50).fill('S'));
          const newParents = new Set(pids.map(parentOf));
          expect(newParents.size).toBe(1);
          expect(newParents.has(deadParent)).toBe(false);

          // Each program that got a namespace of its own is the only process there.
          const expected = parent.programs.flatMap((program, i) => {
            const type = newNamespaceOf(i);
            if (type === null) return [];
            using ns = program.namespace(type);
            return [{ type, inode: ns.inode, processes: 1, lowestPid: program.pid }];
          });
          expect(expected).toHaveLength(33);
          const listed = listNamespaces({ types: ['pid', 'user'], fds: false });
          const found = expected.map(({ inode }) => listed.find((entry) => entry.inode === inode));
          expect(found.map((entry) => entry && { type: entry.type, inode: entry.inode, processes: entry.processes, lowestPid: entry.lowestPid })).toEqual(expected);

          const cli = nsbridge(['ls', '--json', '-t', 'pid', '-t', 'user']);
          expect([cli.stderr, cli.status]).toEqual(['', 0]);
          const rows = (JSON.parse(cli.stdout) as { namespaces: { ns: number; type: string; nprocs: number; pid: number }[] }).namespaces;
          const cliFound = expected.map(({ inode }) => rows.find((row) => row.ns === Number(inode)));
          expect(cliFound).toEqual(expected.map(({ type, inode, lowestPid }) => expect.objectContaining({ ns: Number(inode), type, nprocs: 1, pid: lowestPid })));

          // Not our children: their new parent reaps them; exited() observes it (PIDFD_GET_INFO).
          for (const program of parent.programs) program.signal('SIGKILL');
          const exits = await bounded(Promise.all(parent.programs.map((program) => program.exited())), 'the 50 orphans after SIGKILL');
          expect(exits).toEqual(Array(50).fill({ code: null, signal: 'SIGKILL' }));
          expect(pids.map(stateOf)).toEqual(Array(50).fill(null));
        },
        50,
      ),
  );
});

/**
 * When the process exits: its pidfd becomes readable. (exited() of a process that is not ours
 * resolves only once its new parent reaps it, and how soon that happens is the new parent's
 * business: this VM's init reaps orphans only every second or two.)
 */
function diedAt(program: ProcessHandle): Promise<number> {
  return new Promise((resolve) => addon().watchReadable(program.fd, () => resolve(performance.now())));
}

// --- unprivileged -----------------------------------------------------------------------------

describe(`unprivileged (uid ${NOBODY})`, () => {
  itWith(
    canBeNobody && features.unprivilegedUserNamespaces.supported,
    `needs root and setpriv to drop to uid ${NOBODY}, and unprivileged user namespaces (${features.unprivilegedUserNamespaces.detail})`,
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
