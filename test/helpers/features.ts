/**
 * Skips that CI can turn into failures: a test that needs a host feature runs when the feature is
 * there; otherwise it is skipped with the reason — unless NSBRIDGE_MUST_WORK=1 (set in CI), which
 * makes the missing feature a failure.
 */
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { findCgroup2Mount } from '../../src/cgroup2.js';
import { mountInfo, type MountInfo } from '../../src/mountinfo.js';
import { describe, it } from 'vitest';

const mustWork = process.env.NSBRIDGE_MUST_WORK === '1';

type TestBody = () => unknown;

/** `it`, gated on a feature: `itWith(have, 'why', 'name', fn)`. */
export function itWith(have: boolean, reason: string, name: string, body: TestBody, timeout?: number): void {
  if (have) {
    it(name, body, timeout);
  } else if (mustWork) {
    it(name, () => {
      throw new Error(`host lacks a required feature (NSBRIDGE_MUST_WORK=1): ${reason}`);
    });
  } else {
    it.skipIf(true)(`${name} [skipped: ${reason}]`, body);
  }
}

/**
 * Root in the sense the tests need: uid 0 with CAP_SYS_ADMIN (a uid-0 container without it, or a
 * root of a user namespace other than the initial one, cannot do what the root tests do).
 */
export const isRoot = process.getuid?.() === 0 && hasCapSysAdmin();

function hasCapSysAdmin(): boolean {
  const CAP_SYS_ADMIN = 21n;
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
}

/** `describe`, gated like itWith: a missing feature skips the block with the reason, or fails it under NSBRIDGE_MUST_WORK=1. */
export function describeWith(have: boolean, reason: string, name: string, body: () => void): void {
  if (have) {
    describe(name, body);
  } else if (mustWork) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`host lacks a required feature (NSBRIDGE_MUST_WORK=1): ${reason}`);
      });
    });
  } else {
    describe.skipIf(true)(`${name} [skipped: ${reason}]`, body);
  }
}

/** Whether every command is an executable on this process's PATH (tools tests compare with or set up with). */
export function hasCommands(...names: string[]): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return names.every((name) =>
    dirs.some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/** Root, with util-linux setpriv to run things as uid 65534 (test/helpers/processes.ts SETPRIV_NOBODY). */
export const canBeNobody = isRoot && hasCommands('setpriv');

/**
 * Whether this process can create user namespaces: root can wherever the kernel has them; an
 * unprivileged caller also needs the distribution's switches on (probe().features).
 */
export function userNamespacesForUs(features: { userNamespaces: { supported: boolean; detail: string }; unprivilegedUserNamespaces: { supported: boolean; detail: string } }): { supported: boolean; detail: string } {
  return isRoot ? features.userNamespaces : features.unprivilegedUserNamespaces;
}

/** The options of the mount that `path` lives on (the longest mount point that contains it). */
function mountOptionsOf(path: string): string[] {
  const real = realpathSync(path);
  let best: MountInfo | undefined;
  for (const mount of mountInfo()) {
    const inside = real === mount.mountPoint || real.startsWith(mount.mountPoint === '/' ? '/' : `${mount.mountPoint}/`);
    if (inside && (best === undefined || mount.mountPoint.length >= best.mountPoint.length)) best = mount;
  }
  return best?.options ?? [];
}

/** Whether programs the tests write into the temp directory can be executed (no noexec mount). */
export const tmpAllowsExec = !mountOptionsOf(tmpdir()).includes('noexec');
export const TMP_NOEXEC = `needs an executable temp directory (${tmpdir()} is on a noexec mount)`;

/**
 * Whether /proc/uptime is the kernel's (LXC's lxcfs mounts its own over it, which ignores the
 * boottime offsets of time namespaces).
 */
export const procUptimeIsKernels = !mountInfo().some((mount) => mount.mountPoint === '/proc/uptime');
export const UPTIME_NOT_KERNELS = 'needs the kernel\'s /proc/uptime (another file is mounted over it, e.g. lxcfs)';

/**
 * How many more tasks the cgroups this process is in allow (pids.max - pids.current, the lowest
 * along the v2 path and the v1 pids hierarchy); Infinity where nothing limits them.
 */
export function tasksAllowed(): number {
  let allowed = Infinity;
  const limit = (dir: string): void => {
    try {
      const max = readFileSync(join(dir, 'pids.max'), 'utf8').trim();
      const current = Number(readFileSync(join(dir, 'pids.current'), 'utf8').trim());
      if (max !== 'max') allowed = Math.min(allowed, Number(max) - current);
    } catch {
      // no pids controller there
    }
  };
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    const root =
      controllers === ''
        ? findCgroup2Mount()?.mountPoint
        : controllers!.split(',').includes('pids')
          ? mountInfo().find((m) => m.fstype === 'cgroup' && m.superOptions.includes('pids'))?.mountPoint
          : undefined;
    if (root === undefined) continue;
    // Every level from the cgroup up to the mount: a parent's limit counts too.
    for (let dir = join(root, path); dir.startsWith(root); dir = dirname(dir)) {
      limit(dir);
      if (dir === root) break;
    }
  }
  return allowed;
}

/**
 * A cgroup directory whose children get a pids controller (pids.max / pids.current): the cgroup
 * v1 pids hierarchy's root, or the cgroup2 root where its subtree_control has pids. Null where
 * neither is there or writable (then tests that limit tasks skip).
 */
export function pidsCgroupParent(): string | null {
  const v1 = mountInfo().find((m) => m.fstype === 'cgroup' && m.superOptions.includes('pids'));
  const v2 = findCgroup2Mount();
  const candidates = [v1?.mountPoint, v2 !== null && readText(join(v2.mountPoint, 'cgroup.subtree_control')).split(' ').includes('pids') ? v2.mountPoint : undefined];
  for (const dir of candidates) {
    if (dir === undefined) continue;
    try {
      accessSync(join(dir, 'cgroup.procs'), constants.W_OK);
      return dir;
    } catch {
      // not ours to write
    }
  }
  return null;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
