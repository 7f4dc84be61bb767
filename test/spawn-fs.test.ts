/**
 * spawn()'s file system options on the real kernel: a new root (a path, or a directory fd opened
 * by the caller), a working directory fd, and namespaces persisted onto files (compared with
 * `unshare --<kind>=FILE`). The fixture runs in a private mount namespace of its own, so its bind
 * mounts and persisted namespaces vanish with it.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect } from 'vitest';
import { hasCommands, isRoot, itWith } from './helpers/features.js';
import { PLAIN_ENV, nodeArgv, repoRoot } from './helpers/processes.js';

const tools = hasCommands('unshare', 'taskset', 'mount', 'umount', 'sh', 'ls', 'cat', 'sleep');

let cached: Record<string, any> | undefined;
function observed(): Record<string, any> {
  if (cached === undefined) {
    // On one CPU: Linux 6.18 orders mount namespaces for the bind of an mnt namespace file
    // (mnt_ns_loop) by their ids, which it hands out in per-CPU batches; a namespace created later
    // on another CPU can get a smaller id, and its bind then fails with EINVAL (unshare --mount=FILE
    // too). Pinned, the fixture's namespace and its children's are numbered in creation order.
    const result = spawnSync('taskset', ['-c', '0', 'unshare', '-m', ...nodeArgv('test/fixtures/spawn-fs.mjs')], { cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV, timeout: 60_000, killSignal: 'SIGKILL' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    cached = JSON.parse(result.stdout) as Record<string, any>;
  }
  return cached;
}

/** A fixture failure() record: nothing left behind in the fixture process. */
const failed = (step: string, code: string, syscall: string, hint: string | RegExp) =>
  expect.objectContaining({ step, code, syscall, hint: typeof hint === 'string' ? hint : expect.stringMatching(hint), spawnError: true, sameError: true, pid: null, changed: {} });

const NEEDS = 'needs root and unshare, taskset, mount, umount, sh, ls, cat, sleep';
const KINDS = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'];

describe('root, cwd { fd }, persist', () => {
  itWith(isRoot && tools, NEEDS, 'root: a path or { fd }: the program sees the new root as /, its cwd is / unless cwd is given (inside the root)', () => {
    const o = observed();
    expect(o.rootPath).toEqual({ code: 0, stdout: '/\ninside the new root\n' });
    expect(o.rootFd).toEqual({ code: 0, stdout: '/\ninside the new root\n' });
    expect(o.rootAndCwd).toEqual({ code: 0, stdout: '/sub\n' });
  });

  itWith(isRoot && tools, NEEDS, 'root with mountProc: proc is mounted inside the new root, and not in the parent', () => {
    const o = observed();
    expect(o.rootAndProc).toEqual({ code: 0, stdout: '1\n/proc/1\ninside the new root\n' });
    expect(o.procUnderRootAfter).toBe(false);
  });

  itWith(isRoot && tools, NEEDS, "root failures: step 'root' with the call that failed", () => {
    const o = observed();
    expect(o.rootMissing).toEqual(failed('root', 'ENOENT', 'chroot', "the new root does not exist (in the program's mount namespace)"));
    expect(o.rootBadFd).toEqual(failed('root', 'EBADF', 'fchdir', 'the root fd given in options.root is not open in this process'));
  });

  itWith(isRoot && tools, NEEDS, "cwd { fd }: fchdir into the directory; a closed fd is step 'chdir' EBADF (fchdir)", () => {
    const o = observed();
    expect(o.cwdFd.code).toBe(0);
    expect(o.cwdFd.stdout).toMatch(/\/nsbridge-spawn-fs-[^/]+\/work\n$/);
    expect(o.cwdBadFd).toEqual(failed('chdir', 'EBADF', 'fchdir', 'the directory fd given in options.cwd is not open in this process'));
  });

  itWith(isRoot && tools, NEEDS, 'persist: every kind is bind-mounted (nsfs, root "<kind>:[inode]") before the program runs, and outlives it; unshare --<kind>=FILE does the same', () => {
    const o = observed();
    for (const kind of KINDS) {
      const p = o.persist[kind];
      expect([kind, p.type, p.sameAsProgram, p.mountRoot]).toEqual([kind, kind, true, [p.expectedRoot]]);
    }
    expect(o.persistAfterExit).toEqual(Object.fromEntries(KINDS.map((kind) => [kind, kind])));
    expect(o.unshareAnchor).toEqual(Object.fromEntries(KINDS.map((kind) => [kind, kind])));
  });

  itWith(isRoot && tools, NEEDS, 'persist failures: a missing file, a directory; a later failure takes the binds back', () => {
    const o = observed();
    expect(o.persistMissing).toEqual(failed('persist:net', 'ENOENT', 'mount', /\/no-such-file: the file to bind-mount the namespace onto does not exist: create it first/));
    expect(o.persistOntoDirectory).toEqual(failed('persist:uts', 'ENOTDIR', 'mount', /\/a-directory: the target is a directory: a namespace file binds onto a file \(create an empty one\)$/));
    expect(o.persistThenExecFails).toEqual(failed('execve', 'ENOENT', 'execve', /no-such-program/));
    expect(o.undoneMounted).toBe(0);
  });
});
