/**
 * Defects a hostile caller or an odd host reached (issue 13), each provoked for real: the tests
 * here failed before their fixes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canBeNobody, hasCommands, isRoot, itWith, pidsCgroupParent } from './helpers/features.js';
import { NOBODY, PLAIN_ENV, SETPRIV_NOBODY, nodeArgv, repoRoot } from './helpers/processes.js';

function fixture(launcher: readonly string[], script: string, args: readonly string[] = []): Record<string, any> {
  const argv = [...launcher, ...nodeArgv(`test/fixtures/${script}`, ...args)];
  const result = spawnSync(argv[0]!, argv.slice(1), {
    cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV, timeout: 60_000, killSignal: 'SIGKILL',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, any>;
}

describe('a /proc of another pid namespace', () => {
  itWith(isRoot && hasCommands('unshare'), 'needs root and unshare', "maps and offsets reach the child, not the process that has the child's pid number in the mounted /proc", () => {
    // `unshare --pid --fork` without --mount-proc: Node is pid 1 of its namespace, /proc the host's.
    const observed = fixture(['unshare', '--pid', '--fork'], 'foreign-proc.mjs', ['ancestor']);
    expect(observed.selfLink).not.toBe('1');
    expect(observed.maps).toEqual({ exit: { code: 0, signal: null }, text: '         0     100000          1\n         0     100000          1\ndeny\n' });
    expect(observed.offsets).toEqual({ exit: { code: 0, signal: null }, text: 'monotonic           7         0\nboottime            0         0\n' });
  });

  itWith(isRoot && hasCommands('unshare', 'mount', 'umount'), 'needs root, unshare, mount and umount', "a /proc where this process has no pid: step 'proc', ENOENT, nothing run; a spawn without /proc writes still works", () => {
    const observed = fixture(['unshare', '-m'], 'foreign-proc.mjs', ['invisible']);
    expect([observed.mounted, observed.selfVisible, observed.unmounted]).toEqual([0, false, 0]);
    expect(observed.maps).toEqual({
      step: 'proc', code: 'ENOENT', syscall: 'open', sameError: true,
      hint: "no /proc is mounted, or this process has no pid in the pid namespace of the one mounted (a proc of another pid namespace), so the child's /proc files (uid_map, gid_map, setgroups, timens_offsets, ns) cannot be found: mount a proc of this process's pid namespace",
    });
    expect(observed.plain).toEqual({ code: 0, signal: null });
  });
});

describe('a pids limit (no thread can be created)', () => {
  const parent = isRoot ? pidsCgroupParent() : null;
  itWith(parent !== null, 'needs root and a cgroup with a pids controller (v1 pids, or pids in the cgroup2 root subtree_control)', 'listNamespaces() scans on the calling thread instead of aborting; while the reaper cannot start, each spawn reaps the waiting children that exited; once it starts, it takes the others over', () => {
    const cgroup = join(parent!, `nsbridge-pids-${process.pid}`);
    mkdirSync(cgroup);
    try {
      expect(fixture([], 'pids-limited.mjs', [cgroup])).toEqual({
        listed: true,
        listingWasRefusedThreads: true, // the premise: pids.events counted refused forks
        spawn: {
          step: 'clone3', code: 'EAGAIN', syscall: 'clone3',
          hint: "no new process could be created: a limit on tasks was reached (this cgroup's pids.max, RLIMIT_NPROC of this user, kernel.threads-max or pid_max)",
        },
        reaperWasRefused: true,
        orphanWhileLimited: 'Z', // nobody could reap it yet
        orphanAfterSpawnWhileLimited: 'gone', // the next spawn reaped it on its own thread
        secondStillRunning: 'S',
        secondAfter: 'gone', // the reaper, started once the limit went, reaped it
      });
    } finally {
      rmdirSync(cgroup);
    }
  });
});

describe('paths that are FIFOs or devices', () => {
  for (const [who, launcher, have, why] of [
    ['this user', [], hasCommands('mkfifo'), 'needs mkfifo'],
    [`uid ${NOBODY}`, SETPRIV_NOBODY, canBeNobody && hasCommands('mkfifo'), 'needs root, setpriv and mkfifo'],
  ] as const) {
    itWith(have, why, `as ${who}: Namespace.open, raw.openNamespaceFile, the cgroup option and the CLI refuse a FIFO at once (a blocking open would hang for ever) and never open a device`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'nsbridge-fifo-'));
      chmodSync(dir, 0o777); // uid 65534 makes its FIFO here
      try {
        const observed = fixture(launcher, 'fifo-paths.mjs', [dir]);
        const notNs = (path: string) => ({ code: 'ENOTTY', syscall: 'fstatfs', hint: `${path} is not a namespace file` });
        expect(observed).toEqual({
          namespaceOpen: notNs(join(dir, 'fifo')),
          rawOpen: { code: 'ENOTTY', syscall: 'fstatfs', hint: null },
          device: notNs('/dev/null'),
          cgroup: { step: 'cgroup', code: 'ENOTDIR', syscall: 'open' },
          cliCgroup: { status: 125, stderr: 'nsbridge: cgroup failed: ENOTDIR (open): the --cgroup-path is not a directory\n' },
          cliEnter: { status: 2, stderr: expect.stringMatching(new RegExp(`^error: --net=${dir}/fifo: ENOTTY: .*is not a namespace file`)) },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// The ASan build's runtime needs /proc itself (LeakSanitizer reads /proc/<pid>/task and fails
// fatally without it): this case runs in the node-gyp and cmake-js jobs only.
const underSanitizer = (process.env.LD_PRELOAD ?? '').includes('libasan');
describe.runIf(!underSanitizer)('a namespace file without /proc', () => {
  itWith(isRoot && hasCommands('unshare', 'mount', 'umount'), 'needs root, unshare, mount and umount', 'Namespace.open checks the file but, with no /proc to reopen it through, refuses (ENOENT, with a hint) rather than open the path by name again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsbridge-noproc-'));
    const file = join(dir, 'net');
    writeFileSync(file, '');
    try {
      // A mount namespace of the fixture's own: the bind mount and the lazy unmount stay there.
      const observed = fixture(['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount --bind /proc/self/ns/net "$0" && umount -l /proc && exec "$@"', file], 'no-proc.mjs', [file]);
      expect(observed).toEqual({
        procMounted: false,
        open: { code: 'ENOENT', syscall: 'open', path: '/proc/self/fd/N', hint: `no /proc is mounted, and ${file} is opened (after the check that it is a namespace file) through /proc/self/fd` },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the environment, changed by another thread meanwhile', () => {
  it('spawn() with env omitted, while a SHARE_ENV worker grows and shrinks the environment: no crash, every program ran', () => {
    expect(fixture([], 'env-race.mjs')).toEqual({ codes: { 0: 3 } });
  }, 120_000);

  itWith(canBeNobody, 'needs root and setpriv', `the same as uid ${NOBODY}`, () => {
    expect(fixture(SETPRIV_NOBODY, 'env-race.mjs')).toEqual({ codes: { 0: 3 } });
  }, 120_000);
});

describe('Object.prototype polluted with option names', () => {
  for (const [who, launcher, have, why] of [
    ['root', [], isRoot, 'needs root (the fixture starts a process in new uts and net namespaces)'],
    [`uid ${NOBODY}`, SETPRIV_NOBODY, canBeNobody, 'needs root and setpriv'],
  ] as const) {
    itWith(have, why, `as ${who}: spawn(), Namespace.of, listNamespaces() and the model read only own properties: the polluted join, hostname, cwd, env, uid, stdio, forChildren, types, pid… change nothing`, () => {
      const observed = fixture(launcher, 'prototype-pollution.mjs');
      expect(observed.exit).toEqual({ code: 0, signal: null });
      expect(observed.output).toEqual(observed.expected); // our hostname, cwd, uid and network namespace
      expect([observed.bareExit, observed.bareOutput]).toEqual([{ code: 0, signal: null }, observed.expected]); // spawn() without options too
      expect([observed.namespaceOf, observed.listingHasOurNet, observed.listingHasOtherKinds]).toEqual(['net', true, true]);
      expect(observed.model).toMatchObject({ ok: true, value: 3, rule: 'clone3.created-process' }); // no polluted namespaces: pid 3, not 1
      expect(observed.holes).toEqual({
        args: 'args[0] must be a string, got undefined',
        namespaces: 'Unknown options.namespaces[0] namespace type undefined: expected one of cgroup, ipc, mnt, net, pid, time, user, uts',
        listing: 'Unknown options.types[0] namespace type undefined: expected one of cgroup, ipc, mnt, net, pid, time, user, uts',
      });
    });
  }
});
