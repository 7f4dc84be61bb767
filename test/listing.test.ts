import { spawn as cpSpawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, NAMESPACE_TYPES, listNamespaces, namespaceMembers, namespaceTree, spawn, translatePid, type NamespaceEntry, type NamespaceTreeNode, type NsChild } from '../src/index.js';
import { setPidIoctlsMissing } from '../src/listing/translate.js';
import { buildTree } from '../src/listing/tree.js';
import { canBeNobody, describeWith, isRoot, itWith } from './helpers/features.js';
import { openFds } from './helpers/proc-state.mjs';
import { startNested, type Nested } from './helpers/nested.js';

const inodeOf = (pid: number | 'self', type: (typeof NAMESPACE_TYPES)[number]): bigint => {
  using ns = Namespace.of(pid, type);
  return ns.inode;
};
const find = (entries: NamespaceEntry[], inode: bigint): NamespaceEntry | undefined => entries.find((e) => e.inode === inode);

function findNode(nodes: NamespaceTreeNode[], inode: bigint): NamespaceTreeNode | undefined {
  for (const node of nodes) {
    if (node.entry.inode === inode) return node;
    const below = findNode(node.children, inode);
    if (below !== undefined) return below;
  }
  return undefined;
}

describeWith(isRoot, 'needs root: the processes are parked in new namespaces of every kind', 'listNamespaces() with processes in new namespaces', () => {
  let child: NsChild;
  let nested: Nested;
  beforeAll(async () => {
    child = spawn('sleep', ['1000'], { namespaces: ['pid', 'uts', 'ipc', 'net'], stdio: 'ignore' });
    await child.ready;
    nested = await startNested();
  });
  afterAll(async () => {
    child.kill('SIGKILL');
    await child.exited;
    await nested.stop();
  });

  it('reports each new namespace: one process, its pid, command, uid, owner, parent and id', () => {
    const entries = listNamespaces();
    const ourUser = inodeOf('self', 'user');
    for (const type of ['pid', 'uts', 'ipc', 'net'] as const) {
      using ns = Namespace.of(child.pid!, type);
      const entry = find(entries, ns.inode);
      expect(entry, type).toEqual({
        type,
        inode: ns.inode,
        device: ns.device,
        id: ns.id ?? null,
        processes: 1,
        lowestPid: child.pid,
        ppid: process.pid,
        command: 'sleep 1000',
        uid: 0,
        owner: { inode: ourUser, uid: 0 },
        parent: type === 'pid' ? inodeOf('self', 'pid') : null,
        path: `/proc/${child.pid}/ns/${type}`,
        holders: { mounts: [], fds: [] },
      });
    }
    // Shared kinds are counted, not duplicated: our mnt namespace holds us and the child.
    const mnt = find(entries, inodeOf('self', 'mnt'))!;
    expect(mnt.processes).toBeGreaterThanOrEqual(2);
    expect(entries.filter((e) => e.inode === mnt.inode)).toHaveLength(1);
    // Sorted by inode, like lsns.
    const inodes = entries.map((e) => e.inode);
    expect([...inodes].sort((a, b) => (a < b ? -1 : 1))).toEqual(inodes);
  });

  it('filters: types, pid and owner', () => {
    const nets = listNamespaces({ types: ['net'] });
    expect(new Set(nets.map((e) => e.type))).toEqual(new Set(['net']));
    expect(find(nets, inodeOf(child.pid!, 'net'))?.processes).toBe(1);

    const mine = listNamespaces({ pid: child.pid! });
    expect(mine.map((e) => e.inode).sort()).toEqual(NAMESPACE_TYPES.map((t) => inodeOf(child.pid!, t)).sort());
    expect(listNamespaces({ pid: 4_194_304 })).toEqual([]); // PID_MAX_LIMIT: a pid no pid_max lets exist

    // User namespace A owns pid namespace A and user namespace B, nothing else.
    const userA = inodeOf(nested.outerPid, 'user');
    const owned = listNamespaces({ owner: userA });
    expect(owned.map((e) => [e.type, e.inode])).toEqual(
      [
        ['pid', inodeOf(nested.outerPid, 'pid')],
        ['user', inodeOf(nested.innerPid, 'user')],
      ].sort((a, b) => ((a[1] as bigint) < (b[1] as bigint) ? -1 : 1)),
    );
    expect(owned.every((e) => e.owner?.uid === 0)).toBe(true);
  });

  it("namespaceTree('parent'): pid namespace B under A under ours; user namespaces likewise", () => {
    const tree = namespaceTree('parent');
    const ourPid = findNode(tree, inodeOf('self', 'pid'))!;
    const pidA = ourPid.children.find((n) => n.entry.inode === inodeOf(nested.outerPid, 'pid'))!;
    expect(pidA).toBeDefined();
    expect(pidA.children.map((n) => n.entry.inode)).toEqual([inodeOf(nested.innerPid, 'pid')]);
    expect(pidA.entry).toMatchObject({ processes: 2, lowestPid: nested.outerPid, command: 'sh -c unshare --user --map-root-user --pid --fork sleep 1000; exit 0', uid: 0 });
    const ourUser = findNode(tree, inodeOf('self', 'user'))!;
    const userA = ourUser.children.find((n) => n.entry.inode === inodeOf(nested.outerPid, 'user'))!;
    expect(userA.children.map((n) => n.entry.inode)).toEqual([inodeOf(nested.innerPid, 'user')]);
    // Kinds without parents are roots.
    expect(tree.find((n) => n.entry.inode === inodeOf('self', 'net'))).toBeDefined();
  });

  it("namespaceTree('owner'): user A holds pid A and user B; user B holds pid B", () => {
    const tree = namespaceTree('owner');
    const userA = findNode(tree, inodeOf(nested.outerPid, 'user'))!;
    // Siblings in inode order, as lsns --tree=owner prints them.
    const byInode = (a: [string, bigint], b: [string, bigint]) => (a[1] < b[1] ? -1 : 1);
    expect(userA.children.map((n) => [n.entry.type, n.entry.inode])).toEqual(
      ([['user', inodeOf(nested.innerPid, 'user')], ['pid', inodeOf(nested.outerPid, 'pid')]] as [string, bigint][]).sort(byInode),
    );
    const userB = userA.children.find((n) => n.entry.type === 'user')!;
    expect(userB.children.map((n) => [n.entry.type, n.entry.inode])).toEqual([['pid', inodeOf(nested.innerPid, 'pid')]]);
    // Ours is a root (its owner is outside what we see) and holds the host's other namespaces.
    const root = tree.find((n) => n.entry.inode === inodeOf('self', 'user'))!;
    expect(root.children.some((n) => n.entry.inode === inodeOf('self', 'net'))).toBe(true);
  });

  it("namespaceTree('process'): a namespace sits under the one whose lowest pid is its lowest pid's parent", () => {
    // pid B's lowest pid is inner, whose parent (middle) is the lowest pid of user B.
    const tree = namespaceTree('process');
    const userB = findNode(tree, inodeOf(nested.middlePid, 'user'))!;
    expect(userB.entry).toMatchObject({ processes: 2, lowestPid: nested.middlePid });
    expect(userB.children.map((n) => n.entry.inode)).toEqual([inodeOf(nested.innerPid, 'pid')]);
  });

  it('namespaceMembers(): the processes of one namespace, by pid, with parent pid, uid and command', () => {
    const pidA = inodeOf(nested.outerPid, 'pid');
    expect(namespaceMembers(pidA)).toEqual([
      { pid: nested.outerPid, ppid: process.pid, uid: 0, command: 'sh -c unshare --user --map-root-user --pid --fork sleep 1000; exit 0' },
      { pid: nested.middlePid, ppid: nested.outerPid, uid: 0, command: 'unshare --user --map-root-user --pid --fork sleep 1000' },
    ]);
    expect(namespaceMembers(inodeOf(child.pid!, 'net'), 'net')).toEqual([{ pid: child.pid, ppid: process.pid, uid: 0, command: 'sleep 1000' }]);
    // The kind filter: a net namespace's inode is no pid namespace.
    expect(namespaceMembers(inodeOf(child.pid!, 'net'), 'pid')).toEqual([]);
    // Agrees with listNamespaces(): as many members as processes, the lowest first.
    const entry = find(listNamespaces({ types: ['user'] }), inodeOf(nested.innerPid, 'user'))!;
    const members = namespaceMembers(entry.inode, 'user');
    expect([members.length, members[0]!.pid]).toEqual([entry.processes, entry.lowestPid]);
    expect(namespaceMembers(1n)).toEqual([]);
  });

  for (const path of ['ioctls', 'NSpid'] as const) {
    it(`translatePid across nested pid namespaces (${path})`, () => {
      setPidIoctlsMissing(path === 'NSpid');
      try {
        using ours = Namespace.of('self', 'pid');
        using a = Namespace.of(nested.outerPid, 'pid');
        using b = Namespace.of(nested.innerPid, 'pid');
        // inner's NSpid is [host, 3, 1]; outer (sh) is pid 1 of A, middle (unshare) pid 2; B
        // holds only inner.
        expect(translatePid(nested.innerPid, ours, a)).toBe(3);
        expect(translatePid(nested.innerPid, ours, b)).toBe(1);
        expect(translatePid(nested.middlePid, ours, a)).toBe(2);
        expect(translatePid(1, b, a)).toBe(3);
        expect(translatePid(1, b, ours)).toBe(nested.innerPid);
        expect(translatePid(3, a, ours)).toBe(nested.innerPid);
        expect(translatePid(2, a, ours)).toBe(nested.middlePid);
        expect(translatePid(1, a, ours)).toBe(nested.outerPid);
        expect(translatePid(1, a, b)).toBeNull(); // an ancestor's process is not visible below
        expect(translatePid(nested.middlePid, ours, b)).toBeNull();
        expect(translatePid(process.pid, ours, a)).toBeNull();
        expect(translatePid(4, a, ours)).toBeNull(); // no pid 4 in A
        expect(translatePid(nested.outerPid, ours, ours)).toBe(nested.outerPid);
      } finally {
        setPidIoctlsMissing(false);
      }
    });
  }

  it('a namespace held only by an open fd is listed with that holder', async () => {
    const holder = spawn('sleep', ['1000'], { namespaces: ['net'], stdio: 'ignore' });
    await holder.ready;
    using net = Namespace.of(holder.pid!, 'net');
    holder.kill('SIGKILL');
    await holder.exited;
    const entry = find(listNamespaces({ types: ['net'] }), net.inode);
    expect(entry).toMatchObject({ type: 'net', processes: 0, lowestPid: null, command: null, uid: null, path: `/proc/${process.pid}/fd/${net.fd}` });
    expect(entry!.holders).toEqual({ mounts: [], fds: [{ pid: process.pid, fd: net.fd }] });
    expect(find(listNamespaces({ types: ['net'], fds: false }), net.inode)).toBeUndefined();
  });

  it('a namespace held only by a bind mount is listed with its mount point (in a child mount namespace)', () => {
    // unshare --net=<file> bind-mounts the new net namespace on <file>; all inside a private
    // mount namespace of a child process, so the host keeps no mount.
    const script = `
      import { listNamespaces } from '${process.cwd()}/dist/index.js';
      const e = listNamespaces({ types: ['net'] }).filter((x) => x.holders.mounts.includes('/run/nsbridge-test-netns'));
      console.log(JSON.stringify(e, (k, v) => (typeof v === 'bigint' ? String(v) : v)));`;
    // /run is a tmpfs of this private mount namespace: the file vanishes with it, on any host.
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs nsbridge-run /run && touch /run/nsbridge-test-netns && unshare --net=/run/nsbridge-test-netns true && stat -L -c %i /run/nsbridge-test-netns && "$1" --input-type=module -e "$0"`, script, process.execPath], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [inode, json] = r.stdout.trim().split('\n');
    const entries = JSON.parse(json!);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ type: 'net', inode, processes: 0, lowestPid: null, path: '/run/nsbridge-test-netns', holders: { mounts: ['/run/nsbridge-test-netns'], fds: [] } });
  });
});

describe('buildTree(): the order and nesting of lsns 2.38 (synthetic entries)', () => {
  const entry = (inode: bigint, over: Partial<NamespaceEntry>): NamespaceEntry => ({
    type: 'net', inode, device: 4n, id: null, processes: 1, lowestPid: null, ppid: null, command: null, uid: 0,
    owner: null, parent: null, path: '', holders: { mounts: [], fds: [] }, ...over,
  });
  const shape = (nodes: NamespaceTreeNode[]): unknown[] => nodes.map((n) => (n.children.length ? [n.entry.inode, shape(n.children)] : n.entry.inode));

  it("'process': under the latest row before it whose lowest pid is its parent process", () => {
    const entries = [entry(1n, { lowestPid: 10 }), entry(2n, { lowestPid: 20, ppid: 10 }), entry(3n, { lowestPid: 10 }), entry(4n, { lowestPid: 30, ppid: 10 }), entry(5n, { lowestPid: 40, ppid: 99 })];
    expect(shape(buildTree(entries, 'process'))).toEqual([[1n, [2n]], [3n, [4n]], 5n]);
  });

  it("'owner' and 'parent': a relative comes first, wherever its inode is; 'parent' puts an owner first too", () => {
    const user = entry(9n, { type: 'user' });
    const childUser = entry(7n, { type: 'user', parent: 9n, owner: { inode: 9n, uid: 0 } });
    const net = entry(1n, { owner: { inode: 7n, uid: 0 } });
    const pid = entry(3n, { type: 'pid', owner: { inode: 9n, uid: 0 } });
    const entries = [net, pid, childUser, user];
    expect(shape(buildTree(entries, 'owner'))).toEqual([[9n, [[7n, [1n]], 3n]]]);
    // net has no parent: its owner (7, and 7's parent 9) is printed first, but net stays a root.
    expect(shape(buildTree(entries, 'parent'))).toEqual([[9n, [7n]], 1n, 3n]);
  });
});

describe('listNamespaces() robustness', () => {
  it('processes exiting mid-scan are skipped, never an error (200 short-lived processes churning)', async () => {
    let started = 0;
    let running = 0;
    let scans = 0;
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        if (started === 200) {
          if (running === 0) resolve();
          return;
        }
        started++;
        running++;
        cpSpawn('sh', ['-c', 'exit 0'], { stdio: 'ignore' }).once('exit', () => {
          running--;
          next();
        });
      };
      for (let i = 0; i < 8; i++) next();
      const scan = (): void => {
        try {
          listNamespaces();
          scans++;
        } catch (error) {
          reject(error);
          return;
        }
        if (started < 200) setImmediate(scan);
      };
      scan();
    });
    expect(scans).toBeGreaterThan(0);
  });

  it('listing leaks no fd', () => {
    listNamespaces();
    const before = openFds();
    for (let i = 0; i < 5; i++) {
      listNamespaces();
      namespaceTree('owner');
    }
    expect(openFds()).toEqual(before);
  });

  itWith(canBeNobody, 'needs root and setpriv to drop to nobody', 'an unprivileged caller sees its own namespaces and no error for the others (EACCES)', () => {
    const script = `import { listNamespaces } from '${process.cwd()}/dist/index.js'; const l = listNamespaces(); console.log(l.length > 0, l.every((e) => e.processes >= 0));`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true true');
  });

  it('bad options: TypeError or RangeError naming the value', () => {
    expect(() => listNamespaces({ types: ['bogus' as never] })).toThrow(new TypeError('Unknown options.types[0] namespace type "bogus": expected one of cgroup, ipc, mnt, net, pid, time, user, uts'));
    expect(() => listNamespaces({ types: [] })).toThrow(RangeError);
    expect(() => listNamespaces({ pid: 0 })).toThrow(/options.pid must be an integer from 1 to 4194304, got 0/);
    expect(() => listNamespaces({ pid: '1' as never })).toThrow(new TypeError('options.pid must be an integer, got "1"'));
    expect(() => listNamespaces({ owner: 5 as never })).toThrow(/options.owner must be the inode of a user namespace as a bigint, got 5/);
    expect(() => listNamespaces({ owner: 0n })).toThrow(RangeError);
    expect(() => listNamespaces({ frob: 1 } as never)).toThrow(/Unknown option "frob"/);
    expect(() => listNamespaces(null as never)).toThrow(/options must be an object, got null/);
    expect(() => namespaceTree('sideways' as never)).toThrow(new TypeError('Unknown tree relation "sideways": expected one of parent, owner, process'));
    expect(() => namespaceMembers(5 as never)).toThrow(new TypeError('inode must be a namespace inode as a bigint, got 5'));
    expect(() => namespaceMembers(0n)).toThrow(new RangeError('inode must be a positive 64-bit inode, got 0n'));
    expect(() => namespaceMembers(1n, 'bogus' as never)).toThrow(new TypeError('Unknown type "bogus": expected one of cgroup, ipc, mnt, net, pid, time, user, uts'));
    using pid = Namespace.of('self', 'pid');
    using net = Namespace.of('self', 'net');
    expect(() => translatePid(0, pid, pid)).toThrow(RangeError);
    expect(() => translatePid(1, net, pid)).toThrow(new TypeError('from must be a pid namespace, got a net namespace'));
    expect(() => translatePid(1, pid, 5 as never)).toThrow(new TypeError('to must be a pid Namespace handle, got 5'));
  });
});
