/**
 * spawn() setup failures, each provoked for real: the kernel refuses a step between clone and
 * exec (or while this process prepares one), and the SpawnError names the step and the errno.
 *
 * For every case: `ready` and `exited` reject with the same SpawnError (also a system error by
 * isSystemError()), an 'error' listener gets that same object, `pid` is undefined, and this
 * process is left as it was — the same fds, no zombie children, the same mounts and namespaces
 * (checked after every test). Cases that need another identity run a fixture in a process of
 * their own: as uid 65534 (setpriv), as root of a new user namespace, inside a new pid namespace,
 * in a chroot, without CAP_SYS_TIME, or under a small RLIMIT_NOFILE.
 *
 * Every step, and where it is made to fail ((F) = in a fixture process; section names in quotes):
 *   execve             ENOENT (path, PATH, new namespaces), EACCES (mode, PATH, directory),
 *                      ENOEXEC, E2BIG                                                  'execve'
 *   chdir              ENOENT, ENOTDIR                                                  'chdir'
 *   groups/setgid/setuid  EINVAL unmapped ids in a new user namespace, EPERM groups without a
 *                      gid map ('credentials in a new user namespace'); EPERM each as uid 65534
 *                      (F) ('credentials and set_tid without capabilities')
 *   stdio              EBADF a closed fd (dup3, fcntl) 'stdio'; EMFILE in the child (F) 'out of fds'
 *   propagation        EINVAL in a chroot whose root is not a mount point (F)        'mount'
 *   mount:<path>       ENOENT, ENOTDIR                                                  'mount'
 *   uid_map, gid_map   EPERM as uid 65534 (F), EPERM unmapped outside ids (F)      'uid_map / …'
 *   setgroups          EPERM 'allow' below a 'deny' user namespace (F)              'uid_map / …'
 *   timens_offsets     ERANGE both ends; EPERM without CAP_SYS_TIME (F)        'timens_offsets'
 *   unshare:<kind>     ENOSPC for each of the 8 kinds via max_<kind>_namespaces = 0 in a user
 *                      namespace (F), also among other kinds and through unshare(2) after a
 *                      join; EPERM net as uid 65534 (F); EPERM user in a chroot (F)
 *   setns              ESRCH: reaped handle, exited NsChild, gone pid; EMFILE pidfd_open (F)
 *   setns:<kind>       EPERM uts as uid 65534 (F); EINVAL pid sibling / ancestor (F)   'setns'
 *   clone3:pid         ENOMEM: a pid namespace whose init exited                    'clone3:pid'
 *   clone3             EMFILE: no fd left for CLONE_PIDFD (F)                       'out of fds'
 *   set_tid            EEXIST, EINVAL 'set_tid'; EPERM as uid 65534 (F) 'credentials and set_tid …'
 *   cgroup             ENOENT, EBADF (not cgroup2), EBUSY (controllers enabled below), EOPNOTSUPP
 *                      (domain invalid), EACCES as uid 65534 (F) 'cgroup'; EMFILE (F) 'out of fds'
 *   before the clone   EMFILE from socketpair, open('/dev/null'), the report / go pipe2: thrown
 *                      synchronously, no step (F)                                  'out of fds'
 *   sethostname, setdomainname  no kernel failure reachable (see that section); a name over 64
 *                      bytes is a RangeError before any clone
 * Steps with no failure reachable (valid arguments, all prepared before the clone):
 *   signals (rt_sigaction(SIG_DFL) for 1..64; EINVAL for an unsettable signal is skipped),
 *   sigmask (rt_sigprocmask(SIG_SETMASK) of a valid mask), pdeath_signal (prctl with a signal
 *   validated to 1..64), close_range (CLOSE_RANGE_CLOEXEC over [slots, ~0] sets bits, allocates
 *   nothing; the pre-5.11 fallback ignores errors), handshake (read of the child's own pipe, EINTR
 *   retried; EOF means the parent failed and reports that), timens_offsets EACCES (no process can
 *   enter the new time namespace before the parent writes), clone3:pid ESRCH (the first child
 *   killed by someone else before it reports: a race), pidfd_open of the program (our own
 *   unreaped child), report (16-byte pipe writes and reads are atomic).
 */
import { spawn as spawnProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NsChild, ProcessHandle, SpawnError, cgroupLineOf, findCgroup2Mount, isSystemError, probe, spawn, type SpawnOptions, type StdioSlotOption } from '../src/index.js';
import { NAMESPACE_TYPES } from '../src/kinds.js';
import { TMP_NOEXEC, canBeNobody, isRoot, itWith, tmpAllowsExec, userNamespacesForUs } from './helpers/features.js';
import { expectEachTestLeavesHostUnchanged } from './helpers/host-state.js';
import { NOBODY, PARK, SETPRIV_NOBODY, park, runFixture, unusedFd } from './helpers/processes.js';

const report = probe();
const features = report.features;
const userNs = userNamespacesForUs(features);

// --- what a failed spawn must leave unchanged ------------------------------------------------

expectEachTestLeavesHostUnchanged();

// --- the failure itself ---------------------------------------------------------------------

interface Expected {
  step: string;
  code: string;
  /** Omitted where the system call is not stable across kernels. */
  syscall?: string;
  /** The hint must be there and match (a string: be contained in it). */
  hint?: RegExp | string;
}

/**
 * Asserts that `child` failed in setup the same way everywhere it reports it, and returns the
 * error. Must be called in the tick spawn() returned in: 'error' is emitted on the next tick.
 */
async function expectSpawnFailure(child: NsChild, file: string, expected: Expected): Promise<SpawnError> {
  const events: unknown[] = [];
  child.on('error', (error) => events.push(error));
  expect(child.pid).toBeUndefined();
  expect(child.process).toBeNull();
  const fromReady = await child.ready.then(
    () => 'ready resolved',
    (error: unknown) => error,
  );
  const fromExited = await child.exited.then(
    (info) => `exited resolved: ${JSON.stringify(info)}`,
    (error: unknown) => error,
  );
  // 'error' is emitted from process.nextTick, which (when spawn() ran inside a promise job, as
  // here) comes only after the promise jobs above: one macrotask later it has certainly run.
  await new Promise((resolve) => setImmediate(resolve));
  expect(fromReady).toBeInstanceOf(SpawnError);
  const error = fromReady as SpawnError;
  expect(fromExited).toBe(error);
  expect(events).toEqual([error]);
  expect(events[0]).toBe(error);
  expect(isSystemError(error)).toBe(true);
  expect(isSystemError(error, expected.code)).toBe(true);
  expect({ step: error.step, code: error.code }).toEqual({ step: expected.step, code: expected.code });
  if (expected.syscall !== undefined) expect(error.syscall).toBe(expected.syscall);
  expect(error.errno).toBe(-(constants.errno as Record<string, number>)[expected.code]!);
  expect(error.path).toBe(file);
  expect(error.name).toBe('SpawnError');
  expect(error.message).toContain(`${expected.step} failed: ${expected.code}`);
  if (expected.hint !== undefined) expect(error.hint).toMatch(expected.hint);
  expect(child.exitCode).toBeNull();
  expect(child.signalCode).toBeNull();
  return error;
}

/** spawn(file, args, options) that must fail as `expected`. */
function failing(file: string, args: string[], options: SpawnOptions, expected: Expected): Promise<SpawnError> {
  return expectSpawnFailure(spawn(file, args, options), file, expected);
}

/** Stops a helper program started with nsbridge and releases its pidfd. */
async function finish(child: NsChild): Promise<void> {
  child.kill('SIGKILL');
  await child.exited;
  child.process!.close();
}

async function started(file: string, args: string[], options: SpawnOptions): Promise<NsChild> {
  const child = spawn(file, args, { stdio: 'ignore', ...options });
  await child.ready;
  return child;
}

/** A fixture's failure() record: SpawnError everywhere, nothing changed in the fixture process. */
function expectFixtureFailure(observed: Record<string, any>, expected: Expected): void {
  expect(observed, JSON.stringify(observed)).toMatchObject({
    step: expected.step,
    code: expected.code,
    errno: -(constants.errno as Record<string, number>)[expected.code]!,
    spawnError: true,
    systemError: true,
    sameError: true,
    pid: null,
    changed: {},
  });
  if (expected.syscall !== undefined) expect(observed.syscall).toBe(expected.syscall);
  if (expected.hint !== undefined) expect(observed.hint).toMatch(expected.hint);
}

const tmp = mkdtempSync(join(tmpdir(), 'nsbridge-spawn-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// --- execve ---------------------------------------------------------------------------------

describe('execve', () => {
  it('ENOENT for a missing absolute path', async () => {
    const file = join(tmp, 'no-such-program');
    await failing(file, [], {}, { step: 'execve', code: 'ENOENT', syscall: 'execve', hint: /no such program/ });
  });

  it('ENOENT for a name found in no PATH entry', async () => {
    const empty1 = mkdtempSync(join(tmp, 'path-'));
    const empty2 = mkdtempSync(join(tmp, 'path-'));
    await failing('nsbridge-no-such-program', [], { env: { PATH: `${empty1}:${empty2}` } }, { step: 'execve', code: 'ENOENT', syscall: 'execve' });
    // The inherited environment's PATH (the C environ) is searched the same way.
    await failing('nsbridge-no-such-program', [], {}, { step: 'execve', code: 'ENOENT', syscall: 'execve' });
  });

  it('ENOENT in new namespaces: the program (and an intermediate child) are reaped', async () => {
    const file = join(tmp, 'no-such-program');
    // pid: the program is a second clone (CLONE_PARENT); user + map: the parent writes the map first.
    await failing(file, [], { namespaces: ['pid', 'uts'] }, { step: 'execve', code: 'ENOENT', syscall: 'execve' });
    await failing(file, [], { namespaces: ['user', 'pid', 'mnt'], mapRootUser: true, mountProc: true }, { step: 'execve', code: 'ENOENT', syscall: 'execve' });
  });

  it('EACCES for a file without execute permission, directly and as the only PATH match', async () => {
    const dir = mkdtempSync(join(tmp, 'noexec-'));
    const file = join(dir, 'prog');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    // As root, execve still needs an execute bit on a regular file.
    const direct = await failing(file, [], {}, { step: 'execve', code: 'EACCES', syscall: 'execve' });
    expect(direct.hint).toBe(`${file}: EACCES, it has no execute permission bits`);
    expect(direct.candidates).toEqual([{ path: file, code: 'EACCES', reason: 'it has no execute permission bits' }]);
    const empty = mkdtempSync(join(tmp, 'path-'));
    // EACCES is remembered while the search goes on, and reported when nothing else ran.
    const searched = await failing('prog', [], { env: { PATH: `${dir}:${empty}` } }, { step: 'execve', code: 'EACCES', syscall: 'execve' });
    expect(searched.candidates).toEqual([
      { path: file, code: 'EACCES', reason: 'it has no execute permission bits' },
      { path: join(empty, 'prog'), code: 'ENOENT', reason: 'no such file' },
    ]);
    expect(searched.hint).toBe(
      `no candidate could be executed (an EACCES is remembered while the PATH search goes on): ${file}: EACCES, it has no execute permission bits; ${join(empty, 'prog')}: ENOENT, no such file`,
    );
  });

  itWith(isRoot, `needs root to run the program as uid ${NOBODY}`, 'EACCES from a PATH directory the program may not search: the hint names that candidate, not the program', async () => {
    // As uid 65534 (the child drops to it before execve), a root-only directory on the PATH
    // cannot be searched; the program exists nowhere. execvp reports EACCES.
    const locked = mkdtempSync(join(tmp, 'locked-'));
    chmodSync(locked, 0o700);
    const open = mkdtempSync(join(tmp, 'open-'));
    chmodSync(open, 0o755);
    chmodSync(tmp, 0o755);
    const error = await failing('nsbridge-nowhere', [], { uid: NOBODY, gid: NOBODY, env: { PATH: `${locked}:${open}` } }, { step: 'execve', code: 'EACCES', syscall: 'execve' });
    expect(error.candidates).toEqual([
      { path: join(locked, 'nsbridge-nowhere'), code: 'EACCES', reason: "a directory on the way may not be searched by the program's user" },
      { path: join(open, 'nsbridge-nowhere'), code: 'ENOENT', reason: 'no such file' },
    ]);
    expect(error.hint).toBe(
      'no candidate could be executed (an EACCES is remembered while the PATH search goes on): ' +
        `${join(locked, 'nsbridge-nowhere')}: EACCES, a directory on the way may not be searched by the program's user; ${join(open, 'nsbridge-nowhere')}: ENOENT, no such file`,
    );
  });

  itWith(tmpAllowsExec, TMP_NOEXEC, 'ENOENT for a script whose interpreter is missing: the hint says the file exists', async () => {
    const dir = mkdtempSync(join(tmp, 'interp-'));
    const file = join(dir, 'prog');
    writeFileSync(file, '#!/nonexistent-nsbridge-interpreter\n', { mode: 0o755 });
    const error = await failing(file, [], {}, { step: 'execve', code: 'ENOENT', syscall: 'execve' });
    expect(error.hint).toBe(`${file}: ENOENT, the file exists, but its interpreter (the ELF loader or the #! program) does not`);
  });

  it('EACCES for a directory', async () => {
    await failing(tmp, [], {}, { step: 'execve', code: 'EACCES', syscall: 'execve' });
  });

  itWith(tmpAllowsExec, TMP_NOEXEC, 'a non-executable file earlier on the PATH does not stop the search', async () => {
    const first = mkdtempSync(join(tmp, 'path-'));
    const second = mkdtempSync(join(tmp, 'path-'));
    writeFileSync(join(first, 'prog'), '#!/bin/sh\nexit 1\n', { mode: 0o644 });
    writeFileSync(join(second, 'prog'), '#!/bin/sh\nexit 7\n', { mode: 0o755 });
    const child = spawn('prog', [], { env: { PATH: `${first}:${second}` }, stdio: 'ignore' });
    expect(await child.exited).toEqual({ code: 7, signal: null });
    child.process!.close();
  });

  itWith(tmpAllowsExec, TMP_NOEXEC, 'ENOEXEC for an executable file with garbage content; the PATH search stops there', async () => {
    const dir = mkdtempSync(join(tmp, 'garbage-'));
    const file = join(dir, 'prog');
    writeFileSync(file, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), { mode: 0o755 });
    const error = await failing(file, [], {}, { step: 'execve', code: 'ENOEXEC', syscall: 'execve' });
    expect(error.hint).toBe(`${file}: ENOEXEC, not a binary or script the kernel can run (no shell is used to retry it)`);
    // A good program later on the PATH is not tried (and no shell retries the file).
    const later = mkdtempSync(join(tmp, 'path-'));
    writeFileSync(join(later, 'prog'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    await failing('prog', [], { env: { PATH: `${dir}:${later}` } }, { step: 'execve', code: 'ENOEXEC', syscall: 'execve' });
  });

  it('E2BIG for an argument longer than MAX_ARG_STRLEN (32 pages)', async () => {
    // The page size from smaps (4 KiB on x86_64, up to 64 KiB on some arm64 kernels).
    const pageKiB = Number(/^KernelPageSize:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/smaps', 'utf8'))?.[1] ?? 4);
    await failing('/bin/true', ['x'.repeat(33 * pageKiB * 1024)], {}, { step: 'execve', code: 'E2BIG', syscall: 'execve', hint: /too large/ });
  });
});

// --- chdir ----------------------------------------------------------------------------------

describe('chdir', () => {
  it('ENOENT for a missing cwd', async () => {
    await failing('/bin/true', [], { cwd: join(tmp, 'no-such-dir') }, { step: 'chdir', code: 'ENOENT', syscall: 'chdir', hint: /working directory does not exist/ });
  });

  it('ENOTDIR for a cwd that is a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    await failing('/bin/true', [], { cwd: file }, { step: 'chdir', code: 'ENOTDIR', syscall: 'chdir' });
  });
});

describe('credentials and set_tid without capabilities', () => {
  itWith(canBeNobody, `needs root and setpriv to drop to uid ${NOBODY}`, `as uid ${NOBODY}: setuid, setgid and groups EPERM; set_tid EPERM`, () => {
    const observed = runFixture(SETPRIV_NOBODY, 'spawn-err-cases.mjs', [
      JSON.stringify({
        setuid: ['/bin/true', [], { uid: 0 }],
        setgid: ['/bin/true', [], { gid: 0 }],
        groups: ['/bin/true', [], { groups: [NOBODY] }],
        // Checked before the pid is looked up (alloc_pid): pid 1 is taken, but EPERM comes first.
        setTid: ['/bin/true', [], { setTid: [1] }],
      }),
    ]);
    expect(observed.uid).toBe(NOBODY);
    expectFixtureFailure(observed.setuid, { step: 'setuid', code: 'EPERM', syscall: 'setresuid', hint: /CAP_SETUID/ });
    expectFixtureFailure(observed.setgid, { step: 'setgid', code: 'EPERM', syscall: 'setresgid', hint: /CAP_SETGID/ });
    expectFixtureFailure(observed.groups, { step: 'groups', code: 'EPERM', syscall: 'setgroups', hint: /CAP_SETGID/ });
    expectFixtureFailure(observed.setTid, { step: 'set_tid', code: 'EPERM', syscall: 'clone3', hint: /CAP_CHECKPOINT_RESTORE/ });
  });
});

// --- stdio ----------------------------------------------------------------------------------

describe('stdio', () => {
  // Validation takes any fd number: whether it is open is known only in the child (another thread
  // may close it in between anyway), where dup3 / fcntl answer EBADF.
  it('EBADF for a closed fd given for a slot', async () => {
    await failing('/bin/true', [], { stdio: ['ignore', unusedFd(), 'ignore'] }, { step: 'stdio', code: 'EBADF', syscall: 'dup3', hint: /not open/ });
  });

  it('EBADF for a closed fd kept in its own slot', async () => {
    const fd = unusedFd();
    const slots: StdioSlotOption[] = Array.from({ length: fd + 1 }, () => 'ignore');
    slots[fd] = fd;
    // fcntl(F_SETFD) of the fd kept in its own slot.
    await failing('/bin/true', [], { stdio: slots }, { step: 'stdio', code: 'EBADF', syscall: 'fcntl' });
  });
});

// --- out of fds ------------------------------------------------------------------------------

describe('out of fds (RLIMIT_NOFILE): each fd a spawn opens, here or in the child', () => {
  // A fixture under a small RLIMIT_NOFILE takes every free fd number but `free`, then spawns.
  // Failures of this process's own preparation (socketpair, /dev/null, the report and go pipes)
  // throw synchronously, like Node's spawn; preparing a step (the cgroup, a join target) and
  // everything from clone3 on is a SpawnError with the step.
  type Case = [options: SpawnOptions, free: number, expected: { step?: string; syscall: string; path?: string; hint?: string }];

  function expectEmfile(cases: Record<string, Case>): void {
    const observed = runFixture(['prlimit', '--nofile=256'], 'spawn-err-emfile.mjs', [
      JSON.stringify(Object.fromEntries(Object.entries(cases).map(([name, [options, free]]) => [name, ['/bin/true', [], options, free]]))),
    ]);
    for (const [name, [, , expected]] of Object.entries(cases)) {
      const error = { code: 'EMFILE', errno: -constants.errno.EMFILE, syscall: expected.syscall, systemError: true };
      const outcome =
        expected.step === undefined
          ? { thrown: { ...error, step: null, spawnError: false, ...(expected.path === undefined ? {} : { path: expected.path }) } }
          : { rejected: { ...error, step: expected.step, spawnError: true, path: '/bin/true', ...(expected.hint === undefined ? {} : { hint: expected.hint }) }, sameError: true, pid: null };
      expect(observed[name], `${name}: ${JSON.stringify(observed[name])}`).toMatchObject({ ...outcome, changed: {} });
    }
  }

  it('EMFILE from clone3 (no fd for CLONE_PIDFD) and in the child (stdio); nothing leaks', () => {
    expectEmfile({
      // The report pipe takes the last two fds.
      clonePidfd: [{ stdio: [1, 0, 2] }, 2, { step: 'clone3', syscall: 'clone3', hint: 'no fd number was free for the new pidfd (RLIMIT_NOFILE): close fds or raise the limit' }],
      // One more, and the child's copy of the fd table has two free numbers: the pidfd's (reserved
      // here, not yet installed when the table is copied) and the report pipe's read end, which
      // the child closes first. Rotating the three slots needs three F_DUPFD_CLOEXEC moves out of
      // each other's way; the third fails there.
      childStdio: [{ stdio: [1, 2, 0] }, 3, { step: 'stdio', syscall: 'fcntl' }],
    });
  });

  // The ASan build's runtime checks memory through a pipe of its own (IsAccessibleMemoryRange):
  // with no fd free it reports a false "invalid vptr" when the addon builds an error object (a
  // suppression file cannot help: it is read at the first report, when no fd is free either).
  // So this case runs in the node-gyp and cmake-js jobs only; the two cases above run in all three.
  const underSanitizer = (process.env.LD_PRELOAD ?? '').includes('libasan');
  it.runIf(!underSanitizer)(
    'EMFILE from each fd this process opens before the clone; nothing leaks',
    () => {
      expectEmfile({
        firstSocketpair: [{ stdio: 'pipe' }, 0, { syscall: 'socketpair' }],
        // The first two pairs are made and must be closed again.
        thirdSocketpair: [{ stdio: 'pipe' }, 5, { syscall: 'socketpair' }],
        devNull: [{ stdio: 'ignore' }, 0, { syscall: 'open', path: '/dev/null' }],
        reportPipe: [{ stdio: 'inherit' }, 0, { syscall: 'pipe2' }],
        goPipe: [{ stdio: 'inherit', namespaces: ['user'], mapRootUser: true }, 2, { syscall: 'pipe2' }],
        cgroupOpen: [{ stdio: 'inherit', cgroup: tmp }, 0, { step: 'cgroup', syscall: 'open' }],
        targetPidfd: [{ stdio: 'inherit', join: { target: 1 } }, 0, { step: 'setns', syscall: 'pidfd_open' }],
      });
    },
  );
});

// --- credentials: groups, then gid, then uid ------------------------------------------------

describe('credentials in a new user namespace (only root is mapped, to our uid / gid)', () => {
  const user = { namespaces: ['user'] as const, mapRootUser: true };

  itWith(userNs.supported, userNs.detail, 'an unmapped uid: setuid EINVAL', async () => {
    await failing('/bin/true', [], { ...user, uid: 1000 }, { step: 'setuid', code: 'EINVAL', syscall: 'setresuid', hint: /uid is not mapped/ });
  });

  itWith(userNs.supported, userNs.detail, 'an unmapped gid and uid: setgid fails first', async () => {
    await failing('/bin/true', [], { ...user, uid: 1000, gid: 1000 }, { step: 'setgid', code: 'EINVAL', syscall: 'setresgid', hint: /gid is not mapped/ });
  });

  itWith(userNs.supported, userNs.detail, 'unmapped groups, gid and uid: setgroups fails first', async () => {
    await failing('/bin/true', [], { ...user, uid: 1000, gid: 1000, groups: [1000] }, { step: 'groups', code: 'EINVAL', syscall: 'setgroups' });
  });

  itWith(userNs.supported, userNs.detail, 'no uid map at all: uid 0 is unmapped too', async () => {
    await failing('/bin/true', [], { namespaces: ['user'], uid: 0 }, { step: 'setuid', code: 'EINVAL', syscall: 'setresuid' });
  });

  itWith(userNs.supported, userNs.detail, 'groups without a gid map: setgroups EPERM', async () => {
    await failing('/bin/true', [], { namespaces: ['user'], groups: [0] }, { step: 'groups', code: 'EPERM', syscall: 'setgroups', hint: /CAP_SETGID/ });
  });
});

// --- sethostname / setdomainname ---------------------------------------------------------------
// No real kernel failure is reachable through spawn(): a name needs a new uts namespace (a joined
// one is refused by validation), and the child sets it right after creating that namespace,
// before any credential change - with the capabilities that creating it needed: CAP_SYS_ADMIN
// over the same user namespace that owns it (a new one, a joined one, or ours). Only a seccomp
// filter or an LSM could make the call fail. Names the kernel would refuse (EINVAL: empty, over
// __NEW_UTS_LEN = 64 bytes) are stopped by validation before any clone.

describe('sethostname / setdomainname', () => {
  it('a name over 64 bytes is a RangeError naming the value, thrown before any clone', () => {
    const name = 'x'.repeat(65);
    for (const option of ['hostname', 'domainname'] as const) {
      expect(() => spawn('/bin/true', [], { namespaces: ['uts'], [option]: name })).toThrow(
        new RegExp(`^options\\.${option} must be 1 to 64 bytes \\(UTF-8\\), got 65: "x{20}`),
      );
      expect(() => spawn('/bin/true', [], { namespaces: ['uts'], [option]: name })).toThrow(RangeError);
    }
  });
});

// --- mount ----------------------------------------------------------------------------------

/**
 * Launcher for runFixture: in a private mount namespace, chroot into a tmpfs directory that is not
 * itself a mount point, with /usr, /etc, /dev, /proc, /sys and this checkout bound in (the
 * top-level symlinks such as /bin -> usr/bin copied), then cd back to the checkout.
 */
const CHROOTED = [
  'unshare', '--mount', '--propagation', 'private', 'sh', '-euc',
  `mount -t tmpfs nsbridge-chroot /mnt
  r=/mnt/root
  mkdir -p "$r/tmp"
  for e in /*; do if [ -L "$e" ]; then cp -P "$e" "$r/"; fi; done
  for d in /usr /etc /dev /proc /sys "$PWD" ${JSON.stringify(dirname(process.execPath))}; do mkdir -p "$r$d"; mount --rbind "$d" "$r$d"; done
  exec chroot "$r" sh -c 'cd "$0" && exec "$@"' "$PWD" "$@"`,
  'sh',
];

describe('mount (mountProc)', () => {
  it('a missing mount point: step mount:<path>, ENOENT; the mount namespace change stays in the child', async () => {
    const path = join(tmp, 'no-such-dir');
    await failing('/bin/true', [], { namespaces: ['mnt', 'pid'], mountProc: path }, { step: `mount:${path}`, code: 'ENOENT', syscall: 'mount', hint: /mount point does not exist/ });
  });

  it('a mount point that is a file: ENOTDIR', async () => {
    const file = join(tmp, 'proc-file');
    writeFileSync(file, '');
    await failing('/bin/true', [], { namespaces: ['mnt', 'pid'], mountProc: file }, { step: `mount:${file}`, code: 'ENOTDIR', syscall: 'mount' });
  });

  itWith(isRoot, 'needs root for unshare --mount and chroot(1)', "in a chroot whose root is not a mount point: propagation EINVAL (and unshare:user EPERM)", () => {
    const observed = runFixture(CHROOTED, 'spawn-err-cases.mjs', [
      JSON.stringify({
        mountPrivate: ['/bin/true', [], { namespaces: ['mnt', 'pid'], mountProc: true }],
        userInChroot: ['/bin/true', [], { namespaces: ['user'] }],
      }),
    ]);
    // Making '/' private needs '/' to be the root of a mount (do_change_type).
    expectFixtureFailure(observed.mountPrivate, {
      step: 'propagation',
      code: 'EINVAL',
      syscall: 'mount',
      hint: "'/' is not the root of a mount (the caller is chrooted into a directory that is not a mount point), so the propagation of its mounts cannot be changed: use propagation 'unchanged'",
    });
    // A chrooted process may not create user namespaces (create_user_ns: current_chrooted()).
    expectFixtureFailure(observed.userInChroot, { step: 'unshare:user', code: 'EPERM', syscall: 'clone3', hint: /chroot/ });
  });
});

// --- id maps, setgroups, namespace limits -----------------------------------------------------

describe('uid_map / gid_map / setgroups / unshare limits', () => {
  itWith(
    canBeNobody && features.unprivilegedUserNamespaces.supported,
    `needs root and setpriv to drop to uid ${NOBODY}, and unprivileged user namespaces (${features.unprivilegedUserNamespaces.detail})`,
    `as uid ${NOBODY}: uid_map EPERM, gid_map EPERM with setgroups 'allow', unshare:net EPERM, setns:uts EPERM`,
    () => {
      const observed = runFixture(SETPRIV_NOBODY, 'spawn-err-unprivileged.mjs');
      expect(observed.uid).toBe(NOBODY);
      // Mapping uid 0 is not ours to map.
      expectFixtureFailure(observed.uidMapRoot, { step: 'uid_map', code: 'EPERM', syscall: 'write', hint: /may write only one line mapping its own euid/ });
      // Our own gid, but setgroups "allow" forbids an unprivileged gid map.
      expectFixtureFailure(observed.gidMapSetgroupsAllow, { step: 'gid_map', code: 'EPERM', syscall: 'write', hint: /setgroups/ });
      // clone3 refuses; a probe child unshares kind by kind and names net.
      expectFixtureFailure(observed.unshareNet, { step: 'unshare:net', code: 'EPERM', syscall: 'clone3', hint: /CAP_SYS_ADMIN/ });
      expectFixtureFailure(observed.unshareNetAmongOthers, { step: 'unshare:net', code: 'EPERM', syscall: 'clone3' });
      // setns(pidfd, CLONE_NEWUTS) fails as a whole; the per-kind retry names uts.
      expectFixtureFailure(observed.joinUtsByTarget, { step: 'setns:uts', code: 'EPERM', syscall: 'setns', hint: /CAP_SYS_ADMIN both over the user namespace that owns the target namespace/ });
      expectFixtureFailure(observed.joinUtsByHandle, { step: 'setns:uts', code: 'EPERM', syscall: 'setns' });
      // With the owning user namespace joined first the same join works.
      expect(observed.joinUserAndUts).toEqual({ exit: { code: 0, signal: null }, hostname: 'held' });
      expect(observed.holderExit).toEqual({ code: null, signal: 'SIGKILL' });
    },
  );

  itWith(
    isRoot && userNs.supported,
    `needs root for unshare --user --map-root-user (${userNs.detail})`,
    'as root of a user namespace that maps only uid 0: unmapped outside ids, setgroups, ENOSPC for every kind',
    () => {
      // Every kind this kernel has a max_<kind>_namespaces limit for (all 8 since Linux 5.6).
      const limitFile = (kind: string): string => `/proc/sys/user/max_${kind}_namespaces`;
      const limitedKinds = NAMESPACE_TYPES.filter((kind) => existsSync(limitFile(kind)));
      const hostLimits = limitedKinds.map((kind) => readFileSync(limitFile(kind), 'utf8'));
      const observed = runFixture(['unshare', '--user', '--map-root-user'], 'spawn-err-userns.mjs');
      expect(observed).toMatchObject({ uid: 0, uidMap: [0, 0, 1], setgroups: 'deny' });
      // The writer has CAP_SETUID over its namespace, but outside id 1000 is not mapped in it.
      expectFixtureFailure(observed.uidMapUnmapped, { step: 'uid_map', code: 'EPERM', syscall: 'write' });
      expectFixtureFailure(observed.gidMapUnmapped, { step: 'gid_map', code: 'EPERM', syscall: 'write' });
      // setgroups "deny" is inherited by child user namespaces and cannot be turned back to allow.
      expectFixtureFailure(observed.setgroupsAllow, { step: 'setgroups', code: 'EPERM', syscall: 'write' });
      // user.max_<kind>_namespaces = 0 in that user namespace, one kind at a time.
      expect(Object.keys(observed.limits).sort()).toEqual([...limitedKinds].sort());
      for (const kind of limitedKinds) {
        expectFixtureFailure(observed.limits[kind], { step: `unshare:${kind}`, code: 'ENOSPC', syscall: 'clone3', hint: /max_<kind>_namespaces/ });
      }
      expectFixtureFailure(observed.ipcLimitAmongOthers, { step: 'unshare:ipc', code: 'ENOSPC', syscall: 'clone3' });
      // With a join the namespaces come from unshare(2) after the setns calls.
      expectFixtureFailure(observed.ipcLimitByUnshare, { step: 'unshare:ipc', code: 'ENOSPC', syscall: 'unshare' });
      expect(observed.holderExit).toEqual({ code: null, signal: 'SIGKILL' });
      // The limits set there were that user namespace's own.
      expect(limitedKinds.map((kind) => readFileSync(limitFile(kind), 'utf8'))).toEqual(hostLimits);
    },
  );
});

// --- timens_offsets -------------------------------------------------------------------------

describe('timens_offsets', () => {
  // The kernel refuses an offset that puts the clock below 0 or above KTIME_SEC_MAX / 2 (both
  // within the ±KTIME_SEC_MAX that option validation allows).
  itWith(features.timeNamespaces.supported, features.timeNamespaces.detail, 'ERANGE for a clock moved below zero', async () => {
    await failing('/bin/true', [], { namespaces: ['time'], timeOffsets: { monotonic: -1e9 } }, { step: 'timens_offsets', code: 'ERANGE', syscall: 'write', hint: /below 0 or above KTIME_SEC_MAX/ });
  });

  itWith(features.timeNamespaces.supported, features.timeNamespaces.detail, 'ERANGE for a clock moved beyond KTIME_SEC_MAX / 2', async () => {
    await failing('/bin/true', [], { namespaces: ['time', 'user'], mapRootUser: true, timeOffsets: { boottime: 5_000_000_000 } }, { step: 'timens_offsets', code: 'ERANGE', syscall: 'write' });
  });

  itWith(
    canBeNobody && features.timeNamespaces.supported && features.unprivilegedUserNamespaces.supported,
    `needs root and setpriv, time namespaces (${features.timeNamespaces.detail}) and unprivileged user namespaces (${features.unprivilegedUserNamespaces.detail})`,
    'EPERM for a writer without CAP_SYS_TIME over the user namespace that owns the new time namespace',
    async () => {
      // A user namespace owned by uid 65534: root has capabilities there only through those it has
      // in the initial one. The fixture runs as root without CAP_SYS_TIME (with CAP_SYS_ADMIN, so
      // its child may join that user namespace and create a time namespace owned by it); this
      // process then may not write the offsets (proc_timens_set_offset: file_ns_capable).
      const holder = await park([...SETPRIV_NOBODY, 'unshare', '--user', ...PARK]);
      try {
        const observed = runFixture(['setpriv', '--inh-caps=-sys_time', '--bounding-set=-sys_time'], 'spawn-err-cases.mjs', [
          JSON.stringify({ offsets: ['/bin/true', [], { join: { target: holder.pid, kinds: ['user'] }, namespaces: ['time'], timeOffsets: { monotonic: 1 } }] }),
        ]);
        expectFixtureFailure(observed.offsets, { step: 'timens_offsets', code: 'EPERM', syscall: 'write', hint: /CAP_SYS_TIME/ });
      } finally {
        await holder.stop();
      }
    },
  );
  // EACCES (offsets frozen: a process already entered the namespace) is not reachable through
  // spawn(): offsets need a new time namespace, which no process can enter before the parent
  // writes them - only the child knows it, and it waits on the handshake until the write is done.
});

// --- set_tid --------------------------------------------------------------------------------

describe('set_tid', () => {
  it('EEXIST for a pid that is taken (our own)', async () => {
    await failing('/bin/true', [], { setTid: [process.pid] }, { step: 'set_tid', code: 'EEXIST', syscall: 'clone3', hint: /already in use in that pid namespace/ });
  });

  it('EINVAL when the first pid in a new pid namespace is not 1', async () => {
    await failing('/bin/true', [], { namespaces: ['pid'], setTid: [5] }, { step: 'set_tid', code: 'EINVAL', syscall: 'clone3', hint: /a new namespace's first process must be pid 1/ });
  });
});

// --- cgroup ---------------------------------------------------------------------------------

const cgroup2 = findCgroup2Mount();
const cgroupRoot = cgroup2?.mountPoint;
const haveCgroup2 = isRoot && cgroupRoot !== undefined && features.cloneIntoCgroup.supported;
const cgroupReason = `needs root, a cgroup2 mount and CLONE_INTO_CGROUP (${features.cloneIntoCgroup.detail})`;

describe('cgroup', () => {
  it('ENOENT for a missing cgroup directory: fails while opening it, before any clone', async () => {
    const path = join(cgroupRoot ?? tmp, `nsbridge-no-such-cgroup-${process.pid}`);
    await failing('/bin/true', [], { cgroup: path }, { step: 'cgroup', code: 'ENOENT', syscall: 'open' });
  });

  it('a failure while opening: the NsChild has the pipe slots the options gave, read once (a getter runs once)', async () => {
    const path = join(cgroupRoot ?? tmp, `nsbridge-no-such-cgroup-${process.pid}`);
    let reads = 0;
    const options = { cgroup: path, get stdio() { reads++; return ['ignore', 'pipe', 'ignore'] as const; } };
    const child = spawn('/bin/true', [], options);
    await expect(child.ready).rejects.toMatchObject({ step: 'cgroup', code: 'ENOENT' });
    expect([child.stdin, child.stdout?.destroyed, child.stderr, reads]).toEqual([null, true, null, 1]);
  });

  itWith(features.cloneIntoCgroup.supported, features.cloneIntoCgroup.detail, 'EBADF for a directory that is not a cgroup v2 directory', async () => {
    await failing('/bin/true', [], { cgroup: tmp }, { step: 'cgroup', code: 'EBADF', syscall: 'clone3', hint: /not an open cgroup v2 directory/ });
  });

  itWith(
    haveCgroup2 && readFileSync(join(cgroupRoot ?? '/', 'cgroup.controllers'), { encoding: 'utf8', flag: 'r' }).trim() !== '',
    `${cgroupReason}, and a controller available to the cgroup2 hierarchy`,
    'EBUSY for a cgroup with controllers enabled for its children (no internal processes)',
    async () => {
      // cgroup v2 puts processes only in leaves once a domain controller is enabled in a cgroup's
      // subtree_control: the kernel's cgroup_migrate_vet_dst() answers EBUSY for CLONE_INTO_CGROUP
      // as for a write to cgroup.procs. To enable one in our parent cgroup it has to be enabled in
      // the root first; if it is not already, it is enabled for this test and disabled again.
      const root = cgroupRoot!;
      const available = readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(' ');
      const enabled = readFileSync(join(root, 'cgroup.subtree_control'), 'utf8').trim().split(' ').filter(Boolean);
      // Domain controllers only: a threaded one (cpu, cpuset, perf_event, pids) leaves a cgroup
      // able to become a thread root, which the kernel does not count as an internal process.
      const threaded = ['cpu', 'cpuset', 'perf_event', 'pids'];
      const controller = available.find((c) => !threaded.includes(c) && enabled.includes(c)) ?? available.find((c) => !threaded.includes(c));
      expect(controller, `a domain controller among ${available.join(' ')}`).toBeDefined();
      const enableAtRoot = !enabled.includes(controller!);
      const parent = join(root, `nsbridge-test-${process.pid}-ebusy`);
      const leaf = join(parent, 'leaf');
      try {
        if (enableAtRoot) writeFileSync(join(root, 'cgroup.subtree_control'), `+${controller}`);
        mkdirSync(leaf, { recursive: true });
        writeFileSync(join(parent, 'cgroup.subtree_control'), `+${controller}`);
        await failing('/bin/true', [], { cgroup: parent }, { step: 'cgroup', code: 'EBUSY', syscall: 'clone3', hint: /only in leaves/ });
        // With new namespaces too the namespaces are checked first (a probe child unshares them,
        // which works), then the cgroup is blamed.
        await failing('/bin/true', [], { cgroup: parent, namespaces: ['pid', 'uts'] }, { step: 'cgroup', code: 'EBUSY', syscall: 'clone3' });
        // The leaf below it takes the program.
        const child = spawn('cat', ['/proc/self/cgroup'], { cgroup: leaf, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const closed = once(child, 'close');
        expect(await child.exited).toEqual({ code: 0, signal: null });
        await closed;
        child.process!.close();
        expect(out).toContain(`${cgroupLineOf(cgroup2!, join(parent, 'leaf'))}\n`);
      } finally {
        try {
          writeFileSync(join(parent, 'cgroup.subtree_control'), `-${controller}`);
        } catch {
          /* not created */
        }
        for (const dir of [leaf, parent]) {
          try {
            rmdirSync(dir);
          } catch {
            /* not created */
          }
        }
        if (enableAtRoot) writeFileSync(join(root, 'cgroup.subtree_control'), `-${controller}`);
      }
    },
  );

  /** A parent with a threaded child makes its other children "domain invalid". */
  async function withInvalidDomain(body: (invalid: string) => Promise<void>): Promise<void> {
    const parent = join(cgroupRoot!, `nsbridge-test-${process.pid}-invalid`);
    const threaded = join(parent, 'threaded');
    const invalid = join(parent, 'invalid');
    try {
      mkdirSync(threaded, { recursive: true });
      mkdirSync(invalid);
      writeFileSync(join(threaded, 'cgroup.type'), 'threaded');
      expect(readFileSync(join(invalid, 'cgroup.type'), 'utf8').trim()).toBe('domain invalid');
      await body(invalid);
    } finally {
      for (const dir of [threaded, invalid, parent]) {
        try {
          rmdirSync(dir);
        } catch {
          /* not created */
        }
      }
    }
  }

  itWith(haveCgroup2 && canBeNobody, `${cgroupReason}, and setpriv to drop to uid ${NOBODY}`, `EACCES as uid ${NOBODY} for a cgroup whose cgroup.procs only root may write`, () => {
    const cgroup = join(cgroupRoot!, `nsbridge-test-${process.pid}-eacces`);
    mkdirSync(cgroup);
    try {
      const observed = runFixture(SETPRIV_NOBODY, 'spawn-err-cases.mjs', [JSON.stringify({ notWritable: ['/bin/true', [], { cgroup }] })]);
      expect(observed.uid).toBe(NOBODY);
      // Opening the directory works; clone3 checks write access to cgroup.procs (cgroup_may_write).
      expectFixtureFailure(observed.notWritable, { step: 'cgroup', code: 'EACCES', syscall: 'clone3', hint: /cgroup\.procs/ });
    } finally {
      rmdirSync(cgroup);
    }
  });

  itWith(haveCgroup2, cgroupReason, "EOPNOTSUPP for a 'domain invalid' cgroup (a sibling of a threaded one)", async () => {
    await withInvalidDomain(async (invalid) => {
      await failing('/bin/true', [], { cgroup: invalid }, { step: 'cgroup', code: 'EOPNOTSUPP', syscall: 'clone3', hint: /threaded type/ });
    });
  });
});

// --- setns ----------------------------------------------------------------------------------

describe('setns', () => {
  const viaIoctl = features.pidfdNamespaces.supported;

  it('ESRCH for a target ProcessHandle whose process was killed and reaped', async () => {
    const target = await started('sleep', ['1000'], { namespaces: ['uts'] });
    const handle = ProcessHandle.open(target.pid!);
    handle.signal('SIGKILL');
    await target.exited; // reaped here
    target.process!.close();
    try {
      const error = await failing('/bin/true', [], { join: { target: handle, kinds: ['uts'] } }, { step: 'setns', code: 'ESRCH', hint: /the process has been reaped/ });
      if (viaIoctl) expect(error.syscall).toBe('ioctl(PIDFD_GET_UTS_NAMESPACE)');
      // Every kind by default: the first one looked at fails the same way.
      await failing('/bin/true', [], { join: { target: handle } }, { step: 'setns', code: 'ESRCH' });
    } finally {
      handle.close();
    }
  });

  it('ESRCH for the NsChild handle of a program that exited (reaped by exited())', async () => {
    const target = await started('sleep', ['1000'], { namespaces: ['uts'] });
    target.kill('SIGKILL');
    await target.exited;
    // exited() reaped it and closed its pidfd: known to be gone before any system call.
    expect(target.process!.reaped).toBe(true);
    const error = await failing('/bin/true', [], { join: { target: target.process!, kinds: ['uts'] } }, { step: 'setns', code: 'ESRCH' });
    expect(error.syscall).toBe('setns');
  });

  it('ESRCH for a target pid that no longer exists', async () => {
    const gone = spawnProcess('true', { stdio: 'ignore' });
    await once(gone, 'close');
    await failing('/bin/true', [], { join: { target: gone.pid! } }, { step: 'setns', code: 'ESRCH', syscall: 'pidfd_open', hint: /^there is no process with that pid in this pid namespace: it has exited and been reaped, or never existed$/ });
  });

  itWith(isRoot, 'needs root to create pid namespaces with unshare(1)', 'setns:pid EINVAL for a sibling or an ancestor pid namespace (from inside a new pid namespace)', async () => {
    const sibling = await started('sleep', ['1000'], { namespaces: ['pid'] });
    try {
      const observed = runFixture(['unshare', '--pid', '--fork'], 'spawn-err-setns-pid.mjs', [String(sibling.pid), String(process.pid)]);
      expect(observed).toMatchObject({ pid: 1, siblingIsNotOurs: true, ancestorIsNotOurs: true });
      expectFixtureFailure(observed.joinSibling, { step: 'setns:pid', code: 'EINVAL', syscall: 'setns', hint: /neither the caller's active pid namespace nor a descendant of it/ });
      expectFixtureFailure(observed.joinAncestor, { step: 'setns:pid', code: 'EINVAL', syscall: 'setns' });
      // As a pid the sibling does not exist from in there.
      expectFixtureFailure(observed.targetSibling, { step: 'setns', code: 'ESRCH', syscall: 'pidfd_open' });
    } finally {
      await finish(sibling);
    }
  });
});

// --- clone3 into a joined pid namespace -----------------------------------------------------

describe('clone3:pid', () => {
  it('ENOMEM for a pid namespace whose init has exited (the namespace held open by a handle)', async () => {
    const init = await started('sleep', ['1000'], { namespaces: ['pid'] });
    const pidNs = init.namespace('pid');
    try {
      expect(init.nspid()).toEqual([init.pid, 1]);
      await finish(init);
      await failing('/bin/true', [], { join: { pid: pidNs } }, { step: 'clone3:pid', code: 'ENOMEM', syscall: 'clone3', hint: /has lost its init; no process can join it any more/ });
    } finally {
      pidNs.close();
    }
  });
});
