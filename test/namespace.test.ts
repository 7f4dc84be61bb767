import { afterAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, NAMESPACE_TYPES, Namespace, ProcessHandle, probe, spawn } from '../src/index.js';
import { PARK, park, repoRoot, statInode, stopAll } from './helpers/processes.js';
import { isRoot, itWith } from './helpers/features.js';

afterAll(stopAll);

describe('Namespace identity', () => {
  it.each(NAMESPACE_TYPES)('Namespace.of(self, %s).inode equals stat -L of /proc/<pid>/ns/<kind>', (type) => {
    using ns = Namespace.of('self', type);
    expect(ns.type).toBe(type);
    expect(ns.inode).toBe(statInode(`/proc/${process.pid}/ns/${type}`));
    expect(typeof ns.device).toBe('bigint');
  });

  it('Namespace.open of a /proc path asks the kernel for the kind (NS_GET_NSTYPE)', () => {
    for (const kind of NAMESPACE_KINDS) {
      using ns = Namespace.open(`/proc/self/ns/${kind.procName}`);
      using viaOf = Namespace.of('self', kind.type);
      expect(ns.type).toBe(kind.type);
      expect(ns.equals(viaOf)).toBe(true);
    }
  });

  itWith(probe().features.nsGetId.supported, `needs NS_GET_ID (${probe().features.nsGetId.detail})`, 'NS_GET_ID gives distinct 64-bit ids per namespace, stable across handles', () => {
    const ids = NAMESPACE_TYPES.map((type) => {
      using a = Namespace.of('self', type);
      using b = Namespace.of(process.pid, type);
      expect(a.id).toBe(b.id);
      return a.id;
    });
    for (const id of ids) expect(typeof id).toBe('bigint');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('forChildren reads pid_for_children / time_for_children, and is refused for other kinds', () => {
    using pidNs = Namespace.of('self', 'pid');
    using forChildren = Namespace.of('self', 'pid', { forChildren: true });
    expect(forChildren.inode).toBe(statInode(`/proc/${process.pid}/ns/pid_for_children`));
    expect(forChildren.equals(pidNs)).toBe(true);
    expect(() => Namespace.of('self', 'net', { forChildren: true })).toThrow(/forChildren applies to pid and time namespaces, not net/);
  });

  itWith(probe().features.pidfdNamespaces.supported, `needs PIDFD_GET_<KIND>_NAMESPACE (${probe().features.pidfdNamespaces.detail})`, 'fromProcess (pidfd ioctl) agrees with /proc for every kind', () => {
    using self = ProcessHandle.open(process.pid);
    for (const type of NAMESPACE_TYPES) {
      using viaPidfd = self.namespace(type);
      expect(viaPidfd.inode).toBe(statInode(`/proc/${process.pid}/ns/${type}`));
    }
  });

  it('at the top of the tree parent() and owner() give null (the kernel says EPERM)', () => {
    using pid = Namespace.of('self', 'pid');
    using user = Namespace.of('self', 'user');
    expect(pid.parent()).toBeNull();
    expect(user.parent()).toBeNull();
    expect(user.owner()).toBeNull();
    using owner = pid.owner();
    expect(owner?.equals(user)).toBe(true);
  });

  it('parent() is refused for non-hierarchical kinds, ownerUid() for non-user kinds', () => {
    using net = Namespace.of('self', 'net');
    expect(() => net.parent()).toThrow(TypeError);
    expect(() => net.parent()).toThrow(/this is a net namespace/);
    expect(() => net.ownerUid()).toThrow(TypeError);
    using user = Namespace.of('self', 'user');
    expect(user.ownerUid()).toBe(0);
  });
});

describe('Namespace chains across new pid and user namespaces', () => {
  it('two nested user+pid levels: parent(), owner(), ownerUid(), nspid(), pidIn()', async () => {
    const unshare = ['unshare', '--user', '--map-root-user', '--pid', '--fork'];
    const inner = await park([...unshare, ...unshare, ...PARK]);
    try {
      using innerPid = Namespace.of(inner.pid, 'pid');
      using innerUser = Namespace.of(inner.pid, 'user');
      using selfPid = Namespace.of('self', 'pid');
      using selfUser = Namespace.of('self', 'user');

      // pid tree: inner → middle → ours → null
      using middlePid = innerPid.parent();
      expect(middlePid).not.toBeNull();
      expect(middlePid!.equals(innerPid)).toBe(false);
      using topPid = middlePid!.parent();
      expect(topPid!.equals(selfPid)).toBe(true);
      expect(topPid!.parent()).toBeNull();

      // user tree: the same shape, and each pid namespace is owned by the user namespace created
      // with it (unshare creates the user namespace first).
      using middleUser = innerUser.parent();
      expect(middleUser!.parent()!.equals(selfUser)).toBe(true);
      using innerPidOwner = innerPid.owner();
      expect(innerPidOwner!.equals(innerUser)).toBe(true);
      using middlePidOwner = middlePid!.owner();
      expect(middlePidOwner!.equals(middleUser!)).toBe(true);
      // The creator's uid as seen from here: this test's uid for the outer level; the inner one
      // was created by uid 0 of the middle namespace, which maps to our uid.
      const myUid = process.getuid!();
      expect(middleUser!.ownerUid()).toBe(myUid);
      expect(innerUser.ownerUid()).toBe(myUid);

      // The innermost shell is pid 1 of the inner namespace and pid 2 of the middle one (pid 1
      // there is the second unshare).
      using handle = ProcessHandle.open(inner.pid);
      expect(handle.nspid()).toEqual([inner.pid, 2, 1]);
      expect(handle.pidIn(innerPid)).toBe(1);
      expect(handle.pidIn(middlePid!)).toBe(2);
      expect(handle.pidIn(selfPid)).toBe(inner.pid);
      // This test process is not visible inside the new namespaces.
      using me = ProcessHandle.open(process.pid);
      expect(me.pidIn(innerPid)).toBeNull();
      expect(me.pidIn(middlePid!)).toBeNull();
    } finally {
      await inner.stop();
    }
  });

  itWith(isRoot, 'creating a pid namespace without a user namespace needs root', 'as root, a pid namespace without a new user namespace is owned by ours', async () => {
    const parked = await park(['unshare', '--pid', '--fork', ...PARK]);
    try {
      using pid = Namespace.of(parked.pid, 'pid');
      using owner = pid.owner();
      using selfUser = Namespace.of('self', 'user');
      expect(owner!.equals(selfUser)).toBe(true);
      using parent = pid.parent();
      using selfPid = Namespace.of('self', 'pid');
      expect(parent!.equals(selfPid)).toBe(true);
    } finally {
      await parked.stop();
    }
  });
});

describe('EACCES on another process\'s namespaces: the hint says which part of the ptrace rule fails', () => {
  itWith(isRoot, 'needs root to map a user namespace to uid 100000', 'as root of a user namespace (uid 100000 outside), of our parent: CAP_SYS_PTRACE only in its own user namespace', async () => {
    // Root inside, but neither the same uid as the target outside nor CAP_SYS_PTRACE over the
    // target's (initial) user namespace: /proc/<pid>/ns and the pidfd ioctl are both refused.
    const map = [{ inside: 0, outside: 100_000, count: 1 }];
    const child = spawn(process.execPath, ['test/fixtures/namespace-access.mjs', String(process.pid)], {
      namespaces: ['user'], uidMap: map, gidMap: map, uid: 0, gid: 0, cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const hint =
      `seeing the namespaces of process ${process.pid} needs ptrace read access to it (PTRACE_MODE_READ_FSCREDS): the same uid as the target while it is dumpable, ` +
      "or CAP_SYS_PTRACE in the target's user namespace or an ancestor of it; this process has CAP_SYS_PTRACE only in its own user namespace, " +
      `and process ${process.pid} lives outside it (as the host's processes do, seen from a container)`;
    expect(JSON.parse(out)).toEqual({
      uidMap: ['0', '100000', '1'],
      of: { code: 'EACCES', syscall: 'open', hint },
      fromPidfd: { code: 'EACCES', syscall: 'ioctl(PIDFD_GET_NET_NAMESPACE)', hint },
    });
  });
});
