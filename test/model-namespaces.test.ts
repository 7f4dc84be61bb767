/**
 * The model's namespace rules on their own (no kernel): unshare, setns, /proc/<pid>/ns, the nsfs
 * ioctls, pid translation, id maps, setgroups, time offsets and setuid — exact values, errno and
 * the rule that decided each step.
 */
import { describe, expect, it } from 'vitest';
import { Model } from '../src/model/model.js';
import { allRules } from '../src/model/rules.js';
import type { Step } from '../src/model/steps.js';
import type { ModelResult } from '../src/model/world.js';
import { checkCreate, createNamespaces, enterTimeNamespace } from '../src/model/namespaces/create.js';
import { RuleFailure } from '../src/model/world.js';
import { scenarios as unshareScenarios } from '../src/verify/catalogue/unshare.js';
import { scenarios as setnsScenarios } from '../src/verify/catalogue/setns.js';
import { scenarios as usernsScenarios } from '../src/verify/catalogue/userns.js';
import { scenarios as timensScenarios } from '../src/verify/catalogue/timens.js';
import { scenarios as nsfsScenarios } from '../src/verify/catalogue/nsfs.js';

const MINE = [...unshareScenarios, ...setnsScenarios, ...usernsScenarios, ...timensScenarios, ...nsfsScenarios];

function run(steps: Step[]): { model: Model; results: ModelResult[] } {
  const model = new Model();
  return { model, results: model.run(steps) };
}

/** The last step's result. */
function last(steps: Step[]): ModelResult {
  return run(steps).results.at(-1)!;
}

function err(result: ModelResult): [string | null, string] {
  return [result.ok ? null : result.errno, result.rule];
}

const ns = (model: Model, proc: string, entry: Parameters<typeof nsOf>[2]): string => nsOf(model, proc, entry);
function nsOf(model: Model, proc: string, entry: Extract<Step, { op: 'nsId' }>['entry']): string {
  const result = model.apply({ op: 'nsId', proc, entry });
  if (!result.ok) throw new Error(`nsId ${proc} ${entry}: ${result.errno} ${result.rule}`);
  return (result.value as { ns: string }).ns;
}

describe('namespace creation (create.ts)', () => {
  it('refuses in the kernel order: user nesting before capabilities, pid_for_children before pid nesting', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    root.cred = { ...root.cred, caps: false, uid: 65534, gid: 65534 };
    const tryCreate = (kinds: Parameters<typeof checkCreate>[2]): string => {
      try {
        checkCreate(model.world, root, kinds, 'unshare');
        return 'ok';
      } catch (error) {
        if (error instanceof RuleFailure) return error.result.rule;
        throw error;
      }
    };
    expect(tryCreate(['uts'])).toBe('create.needs-cap-sys-admin');
    expect(tryCreate(['user', 'uts', 'pid'])).toBe('ok');
    root.pidForChildren = 'elsewhere';
    expect(tryCreate(['user', 'pid'])).toBe('create.pid-for-children-not-active');
  });

  it('owns new namespaces by the new user namespace and copies time offsets without freezing', () => {
    const model = new Model();
    const world = model.world;
    const root = world.processes.get('root')!;
    const before = world.namespaces.size;
    const created = createNamespaces(world, root, ['user', 'uts', 'time', 'pid']);
    expect(world.namespaces.size).toBe(before + 4);
    const user = world.namespaces.get(created.cred.userns)!;
    expect(user).toMatchObject({ kind: 'user', parent: world.host.user, level: 1, ownerKuid: 0, uidMap: null, setgroups: 'allow' });
    expect(world.namespaces.get(created.ns.uts)!.owner).toBe(user.id);
    expect(created.ns.ipc).toBe(root.ns.ipc);
    expect(world.namespaces.get(created.pidForChildren)).toMatchObject({ kind: 'pid', parent: root.ns.pid, owner: user.id, init: null, level: 2 });
    const time = world.namespaces.get(created.timeForChildren)!;
    expect(time).toMatchObject({ kind: 'time', frozen: false, offsets: { monotonic: 0, boottime: 0 }, owner: user.id });
    expect(created.cred).toEqual({ uid: 0, gid: 0, userns: user.id, caps: true });
    // The caller itself is untouched: the op installs the result.
    expect(root.cred.userns).toBe(world.host.user);
    enterTimeNamespace(world, time.id);
    expect(time).toMatchObject({ frozen: true });
  });
});

describe('unshare', () => {
  it('gives the caller new plain namespaces at once, pid and time only for children', () => {
    const { model, results } = run([{ op: 'unshare', proc: 'root', namespaces: ['uts', 'pid', 'time'] }]);
    expect(results[0]).toMatchObject({ ok: true, rule: 'unshare.ok' });
    expect(ns(model, 'root', 'uts')).not.toBe(ns(model, 'init', 'uts'));
    expect(ns(model, 'root', 'pid')).toBe(ns(model, 'init', 'pid'));
    expect(ns(model, 'root', 'time')).toBe(ns(model, 'init', 'time'));
    expect(ns(model, 'root', 'time_for_children')).not.toBe(ns(model, 'root', 'time'));
    expect(err(model.apply({ op: 'nsId', proc: 'root', entry: 'pid_for_children' }))).toEqual(['ENOENT', 'nsfs.pid-for-children-empty']);
  });

  it('a second unshare(pid) is EINVAL and changes nothing else in the call', () => {
    const { model, results } = run([
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'unshare', proc: 'root', namespaces: ['pid', 'uts'] },
    ]);
    expect(err(results[1]!)).toEqual(['EINVAL', 'create.pid-for-children-not-active']);
    expect(ns(model, 'root', 'uts')).toBe(ns(model, 'init', 'uts'));
  });

  it('setns back to the active pid namespace allows unshare(pid) again', () => {
    expect(last([
      { op: 'openNs', proc: 'root', as: 'mine', target: 'root', entry: 'pid' },
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'setns', proc: 'root', fd: 'mine', namespaces: ['pid'] },
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
    ])).toMatchObject({ ok: true, rule: 'unshare.ok' });
  });

  it('unshare(user) in a multithreaded process is EINVAL (implied CLONE_THREAD)', () => {
    const model = new Model();
    model.world.processes.get('root')!.threads.push({ task: 'root#1', pids: [3] });
    expect(err(model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] }))).toEqual(['EINVAL', 'unshare.multithreaded']);
    expect(model.apply({ op: 'unshare', proc: 'root', namespaces: ['uts'] })).toMatchObject({ ok: true });
  });

  it('unshare(user) or (mnt) with a CLONE_FS sibling succeeds and leaves the fs group', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    const init = model.world.processes.get('init')!;
    init.fsGroup = 'root';
    expect(model.apply({ op: 'unshare', proc: 'root', namespaces: ['mnt'] })).toMatchObject({ ok: true });
    expect(root.fsGroup).not.toBe(init.fsGroup);
    // Alone now: joining a mount namespace is allowed.
    model.apply({ op: 'openNs', proc: 'init', as: 'm', target: 'root', entry: 'mnt' });
    expect(model.apply({ op: 'setns', proc: 'init', fd: 'm', namespaces: ['mnt'] })).toMatchObject({ ok: true, rule: 'setns.joined' });
  });

  it('without CAP_SYS_ADMIN: EPERM, unless a user namespace is created in the same call', () => {
    const { results } = run([
      { op: 'setuid', proc: 'root', id: 65534 },
      { op: 'unshare', proc: 'root', namespaces: ['uts'] },
      { op: 'unshare', proc: 'root', namespaces: ['user', 'uts'] },
      { op: 'unshare', proc: 'root', namespaces: ['net'] },
    ]);
    expect(results.map(err)).toEqual([
      [null, 'userns.setuid-ok'], ['EPERM', 'create.needs-cap-sys-admin'], [null, 'unshare.ok'], [null, 'unshare.ok'],
    ]);
  });

  it('a creator whose uid is unmapped in its own user namespace cannot nest another (EPERM)', () => {
    const { results } = run([
      { op: 'unshare', proc: 'root', namespaces: ['user'] },
      { op: 'unshare', proc: 'root', namespaces: ['user'] },
    ]);
    expect(err(results[1]!)).toEqual(['EPERM', 'create.user-creator-unmapped']);
  });

  it('user namespaces nest 33 levels; the 34th is ENOSPC', () => {
    const model = new Model();
    for (let level = 1; level <= 33; level++) {
      expect(model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] })).toMatchObject({ ok: true });
      if (level === 1) model.apply({ op: 'writeSetgroups', proc: 'root', target: 'root', value: 'deny' });
      expect(model.apply({ op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 0, 1]] })).toMatchObject({ ok: true });
      expect(model.apply({ op: 'writeMap', proc: 'root', target: 'root', map: 'gid_map', lines: [[0, 0, 1]] })).toMatchObject({ ok: true });
    }
    expect(err(model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] }))).toEqual(['ENOSPC', 'create.user-nesting-limit']);
    expect(model.apply({ op: 'unshare', proc: 'root', namespaces: ['uts'] })).toMatchObject({ ok: true });
  });
});

describe('setns', () => {
  it('checks the fd first: EBADF, then EINVAL for a non-namespace fd or a wrong nstype', () => {
    const { results } = run([
      { op: 'setns', proc: 'root', fd: 'closed', namespaces: [] },
      { op: 'setns', proc: 'root', fd: 'nothing', namespaces: [] },
      { op: 'openNull', proc: 'root', as: 'null' },
      { op: 'setns', proc: 'root', fd: 'null', namespaces: [] },
      { op: 'openNs', proc: 'root', as: 'net', target: 'init', entry: 'net' },
      { op: 'setns', proc: 'root', fd: 'net', namespaces: ['uts'] },
      { op: 'setns', proc: 'root', fd: 'net', namespaces: ['net', 'uts'] },
      { op: 'setns', proc: 'root', fd: 'net', namespaces: ['net'] },
    ]);
    expect(results.map(err)).toEqual([
      ['EBADF', 'setns.bad-fd'], ['EBADF', 'setns.bad-fd'], expect.anything(), ['EINVAL', 'setns.not-a-namespace'],
      [null, 'nsfs.proc-entry-opened'], ['EINVAL', 'setns.nstype-mismatch'], ['EINVAL', 'setns.nstype-mismatch'], [null, 'setns.joined'],
    ]);
  });

  it('the own user namespace is EINVAL; an ancestor EPERM; a pid namespace above the caller EINVAL', () => {
    const model = new Model();
    const r = (step: Step): [string | null, string] => err(model.apply(step));
    r({ op: 'openNs', proc: 'root', as: 'top', target: 'root', entry: 'user' });
    r({ op: 'openNs', proc: 'root', as: 'T', target: 'root', entry: 'pid' });
    expect(r({ op: 'setns', proc: 'root', fd: 'top', namespaces: [] })).toEqual(['EINVAL', 'setns.user-own']);
    r({ op: 'unshare', proc: 'root', namespaces: ['user', 'pid'] });
    expect(r({ op: 'setns', proc: 'root', fd: 'top', namespaces: ['user'] })).toEqual(['EPERM', 'setns.user-no-cap']);
    // Capabilities in the new user namespace do not reach T, owned by the initial one.
    expect(r({ op: 'setns', proc: 'root', fd: 'T', namespaces: ['pid'] })).toEqual(['EPERM', 'setns.pid-no-cap']);
    const world = model.world;
    const init = world.processes.get('init')!;
    const hostPid = model.apply({ op: 'openNs', proc: 'init', as: 'T', target: 'init', entry: 'pid' });
    expect(hostPid.ok).toBe(true);
    init.handles.set('host', { type: 'ns', ns: world.host.pid });
    expect(err(model.apply({ op: 'setns', proc: 'init', fd: 'host', namespaces: ['pid'] }))).toEqual(['EINVAL', 'setns.pid-not-descendant']);
  });

  it('setns(pid) into a child namespace changes only pid_for_children', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['pid'] });
    const child = model.world.processes.get('init')!.pidForChildren;
    root.handles.set('child', { type: 'ns', ns: child });
    expect(model.apply({ op: 'setns', proc: 'root', fd: 'child', namespaces: [] })).toMatchObject({ ok: true, rule: 'setns.joined' });
    expect(root.pidForChildren).toBe(child);
    expect(root.ns.pid).toBe(model.world.processes.get('init')!.ns.pid);
  });

  it('time: EUSERS with another thread or a memory-sharing child; joining freezes and changes both links', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['time'] });
    const time = model.world.processes.get('init')!.timeForChildren;
    root.handles.set('t', { type: 'ns', ns: time });
    root.threads.push({ task: 'root#1', pids: [3] });
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 't', namespaces: ['time'] }))).toEqual(['EUSERS', 'setns.time-multithreaded']);
    root.threads.length = 0;
    expect(model.apply({ op: 'setns', proc: 'root', fd: 't', namespaces: ['time'] })).toMatchObject({ ok: true });
    expect([root.ns.time, root.timeForChildren]).toEqual([time, time]);
    expect(err(model.apply({ op: 'writeTimeOffsets', proc: 'init', target: 'init', offsets: [{ clock: 'monotonic', seconds: 5 }] })))
      .toEqual(['EACCES', 'timens.offsets-frozen']);
  });

  it('mnt: EINVAL while the fs_struct is shared', () => {
    const model = new Model();
    model.world.processes.get('init')!.fsGroup = 'root';
    model.apply({ op: 'openNs', proc: 'root', as: 'm', target: 'root', entry: 'mnt' });
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'm', namespaces: ['mnt'] }))).toEqual(['EINVAL', 'setns.mnt-fs-shared']);
  });

  it('unprivileged: EPERM for every kind', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['uts', 'net', 'ipc'] });
    for (const kind of ['uts', 'net', 'ipc'] as const) model.apply({ op: 'openNs', proc: 'root', as: kind, target: 'init', entry: kind });
    model.apply({ op: 'setuid', proc: 'root', id: 1000 });
    for (const kind of ['uts', 'net', 'ipc'] as const) {
      expect(err(model.apply({ op: 'setns', proc: 'root', fd: kind, namespaces: [] }))).toEqual(['EPERM', `setns.${kind}-no-cap`]);
    }
  });

  it('pidfd: mask 0 EINVAL before ESRCH; a reaped target ESRCH; ptrace EPERM; zombie ESRCH', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    const init = model.world.processes.get('init')!;
    root.handles.set('p', { type: 'pidfd', task: 'init' });
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: [] }))).toEqual(['EINVAL', 'setns.pidfd-flags']);
    init.state = 'zombie';
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['uts'] }))).toEqual(['ESRCH', 'setns.target-exited']);
    init.state = 'reaped';
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['uts'] }))).toEqual(['ESRCH', 'setns.target-gone']);
    init.state = 'running';
    model.apply({ op: 'setuid', proc: 'root', id: 1000 });
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['uts'] }))).toEqual(['EPERM', 'setns.ptrace-denied']);
  });

  it('pidfd: all or nothing — a refused kind leaves every other kind as it was', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['uts', 'net'] });
    root.handles.set('p', { type: 'pidfd', task: 'init' });
    const before = { ...root.ns };
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['user', 'uts', 'net'] }))).toEqual(['EINVAL', 'setns.user-own']);
    expect(root.ns).toEqual(before);
    root.threads.push({ task: 'root#1', pids: [3] });
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['uts', 'net', 'time'] }))).toEqual(['EUSERS', 'setns.time-multithreaded']);
    expect(root.ns).toEqual(before);
    expect(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['uts', 'net'] })).toMatchObject({ ok: true });
    expect([root.ns.uts, root.ns.net]).toEqual([model.world.processes.get('init')!.ns.uts, model.world.processes.get('init')!.ns.net]);
  });

  it('pidfd: mnt with another kind uses a private fs copy (no EINVAL for a shared fs_struct)', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['mnt', 'uts'] });
    const root = model.world.processes.get('root')!;
    model.world.processes.get('init')!.fsGroup = 'root';
    // init shares root's fs_struct now; use a third, private process's view: root joins init's.
    root.handles.set('p', { type: 'pidfd', task: 'init' });
    expect(err(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['mnt'] }))).toEqual(['EINVAL', 'setns.mnt-fs-shared']);
    expect(model.apply({ op: 'setns', proc: 'root', fd: 'p', namespaces: ['mnt', 'uts'] })).toMatchObject({ ok: true });
  });
});

describe('/proc/<pid>/ns and nsfs ioctls', () => {
  it('NS_GET_NSTYPE for every kind, EINVAL NS_GET_PARENT for flat kinds, ENOTTY on /dev/null', () => {
    const model = new Model();
    for (const kind of ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const) {
      model.apply({ op: 'openNs', proc: 'root', as: kind, target: 'root', entry: kind });
      expect(model.apply({ op: 'nsIoctl', proc: 'root', fd: kind, request: 'NS_GET_NSTYPE' })).toMatchObject({ ok: true, value: kind });
      const parent = model.apply({ op: 'nsIoctl', proc: 'root', fd: kind, request: 'NS_GET_PARENT', as: 'x' });
      if (kind !== 'pid' && kind !== 'user') expect(err(parent)).toEqual(['EINVAL', 'nsfs.parent-not-hierarchical']);
    }
    model.apply({ op: 'openNull', proc: 'root', as: 'null' });
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'null', request: 'NS_GET_NSTYPE' }))).toEqual(['ENOTTY', 'nsfs.ioctl-not-nsfs']);
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'closed', request: 'NS_GET_NSTYPE' }))).toEqual(['EBADF', 'nsfs.ioctl-bad-fd']);
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'uts', request: 'NS_GET_OWNER_UID' }))).toEqual(['EINVAL', 'nsfs.owner-uid-not-user']);
    expect(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'user', request: 'NS_GET_OWNER_UID' })).toMatchObject({ ok: true, value: 0 });
  });

  it('walks up to the edge of the caller\'s view: T\'s parent and the initial user namespace\'s are EPERM', () => {
    const model = new Model();
    model.apply({ op: 'openNs', proc: 'root', as: 'pid', target: 'root', entry: 'pid' });
    model.apply({ op: 'openNs', proc: 'root', as: 'user', target: 'root', entry: 'user' });
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'pid', request: 'NS_GET_PARENT', as: 'up' }))).toEqual(['EPERM', 'nsfs.parent-pid-outside-view']);
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'user', request: 'NS_GET_PARENT', as: 'up' }))).toEqual(['EPERM', 'nsfs.parent-user-outside-view']);
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'user', request: 'NS_GET_USERNS', as: 'up' }))).toEqual(['EPERM', 'nsfs.userns-outside-view']);
    const owner = model.apply({ op: 'nsIoctl', proc: 'root', fd: 'pid', request: 'NS_GET_USERNS', as: 'owner' });
    expect(owner).toMatchObject({ ok: true, value: { ns: model.world.host.user }, rule: 'nsfs.related-ns' });
    expect(model.world.processes.get('root')!.handles.get('owner')).toEqual({ type: 'ns', ns: model.world.host.user });
    // From inside a new user namespace, its own parent is out of view.
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] });
    model.apply({ op: 'openNs', proc: 'root', as: 'mine', target: 'root', entry: 'user' });
    expect(err(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'mine', request: 'NS_GET_PARENT', as: 'up' }))).toEqual(['EPERM', 'nsfs.parent-user-outside-view']);
    expect(model.apply({ op: 'nsIoctl', proc: 'root', fd: 'mine', request: 'NS_GET_OWNER_UID' })).toMatchObject({ ok: true, value: 65534 });
    expect(model.apply({ op: 'nsIoctl', proc: 'init', fd: 'x', request: 'NS_GET_OWNER_UID' })).toMatchObject({ ok: false, errno: 'EBADF' });
  });

  it('a zombie keeps its user and pid links only; pid_for_children ENOENT before the first process', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    root.state = 'zombie';
    const r = (entry: Extract<Step, { op: 'nsId' }>['entry']): [string | null, string] => err(model.apply({ op: 'nsId', proc: 'init', target: 'root', entry }));
    expect(r('user')).toEqual([null, 'nsfs.proc-entry-opened']);
    expect(r('pid')).toEqual([null, 'nsfs.proc-entry-opened']);
    expect(r('uts')).toEqual(['ENOENT', 'nsfs.proc-entry-exited']);
    expect(r('time_for_children')).toEqual(['ENOENT', 'nsfs.proc-entry-exited']);
    root.state = 'reaped';
    expect(r('user')).toEqual(['ENOENT', 'nsfs.proc-entry-gone']);
  });

  it('ptrace read access: EACCES for another uid, and for a non-dumpable process of the same uid', () => {
    const model = new Model();
    model.apply({ op: 'setuid', proc: 'root', id: 65534 });
    expect(err(model.apply({ op: 'nsId', proc: 'root', target: 'init', entry: 'uts' }))).toEqual(['EACCES', 'nsfs.proc-ptrace-denied']);
    expect(model.apply({ op: 'nsId', proc: 'root', entry: 'uts' })).toMatchObject({ ok: true });
    expect(model.apply({ op: 'nsId', proc: 'init', target: 'root', entry: 'uts' })).toMatchObject({ ok: true });
    expect(model.world.nonDumpable?.has('root')).toBe(true);
  });

  it('translates pids both ways through a pid namespace fd, ESRCH where there is no number', () => {
    const model = new Model();
    const world = model.world;
    model.apply({ op: 'openNs', proc: 'root', as: 'T', target: 'root', entry: 'pid' });
    model.apply({ op: 'openNs', proc: 'root', as: 'uts', target: 'root', entry: 'uts' });
    expect(model.apply({ op: 'translatePid', proc: 'root', fd: 'T', direction: 'in', target: 'init' })).toMatchObject({ ok: true, value: 1 });
    expect(model.apply({ op: 'translatePid', proc: 'root', fd: 'T', direction: 'from', pid: 2 })).toMatchObject({ ok: true, value: 2 });
    expect(err(model.apply({ op: 'translatePid', proc: 'root', fd: 'T', direction: 'from', pid: 77 }))).toEqual(['ESRCH', 'nsfs.translate-no-task']);
    expect(err(model.apply({ op: 'translatePid', proc: 'root', fd: 'T', direction: 'in', target: { pid: 77 } }))).toEqual(['ESRCH', 'nsfs.translate-no-task']);
    expect(err(model.apply({ op: 'translatePid', proc: 'root', fd: 'uts', direction: 'from', pid: 1 }))).toEqual(['EINVAL', 'nsfs.translate-not-pid']);
    // The host pid namespace has no numbers the model knows: 'init' has none there in the model's view.
    world.processes.get('root')!.handles.set('host', { type: 'ns', ns: world.host.pid });
    expect(err(model.apply({ op: 'translatePid', proc: 'root', fd: 'host', direction: 'in', target: 'init' }))).toEqual(['ESRCH', 'nsfs.translate-not-visible']);
  });
});

describe('user namespaces: maps, setgroups, setuid', () => {
  it('own maps from inside: one line of the own id; gid_map needs setgroups deny; written once', () => {
    const { results } = run([
      { op: 'unshare', proc: 'root', namespaces: ['user'] },
      { op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 0, 2]] },
      { op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 1000, 1]] },
      { op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 0, 1]] },
      { op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 0, 1]] },
      { op: 'writeMap', proc: 'root', target: 'root', map: 'gid_map', lines: [[0, 0, 1]] },
      { op: 'writeSetgroups', proc: 'root', target: 'root', value: 'deny' },
      { op: 'writeMap', proc: 'root', target: 'root', map: 'gid_map', lines: [[0, 0, 1]] },
      { op: 'writeSetgroups', proc: 'root', target: 'root', value: 'allow' },
      { op: 'readSetgroups', proc: 'root', target: 'root' },
      { op: 'readMap', proc: 'root', target: 'root', map: 'uid_map' },
    ]);
    expect(results.slice(1).map(err)).toEqual([
      ['EPERM', 'userns.map-not-permitted'], ['EPERM', 'userns.map-not-permitted'], [null, 'userns.map-written'],
      ['EPERM', 'userns.map-written-once'], ['EPERM', 'userns.gid-map-needs-setgroups-deny'], [null, 'userns.setgroups-written'],
      [null, 'userns.map-written'], ['EPERM', 'userns.setgroups-deny-is-permanent'], [null, 'userns.setgroups-read'], [null, 'userns.map-read'],
    ]);
    expect(results[9]).toMatchObject({ ok: true, value: 'deny' });
    expect(results[10]).toMatchObject({ ok: true, value: [[0, 0, 1]] });
  });

  it('line checks: EINVAL for overlaps, zero counts, wrapping ranges and no lines; EPERM for unmapped outside ids', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    const write = (lines: Array<[number, number, number]>): [string | null, string] =>
      err(model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'uid_map', lines }));
    expect(write([])).toEqual(['EINVAL', 'userns.map-bad-line']);
    expect(write([[0, 0, 10], [5, 100, 10]])).toEqual(['EINVAL', 'userns.map-overlap']);
    expect(write([[0, 0, 10], [20, 5, 1]])).toEqual(['EINVAL', 'userns.map-overlap']);
    expect(write([[0, 0, 0]])).toEqual(['EINVAL', 'userns.map-bad-line']);
    expect(write([[4294967290, 0, 10]])).toEqual(['EINVAL', 'userns.map-bad-line']);
    expect(write([[0, 4294967295, 1]])).toEqual(['EINVAL', 'userns.map-bad-line']);
    expect(write(Array.from({ length: 341 }, (_, i): [number, number, number] => [i, i, 1]))).toEqual(['EINVAL', 'userns.map-bad-line']);
    expect(write([[0, 0, 4294967295]])).toEqual([null, 'userns.map-written']);
    // A grandparent's process may not write: only the namespace itself or its parent.
    model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'gid_map', lines: [[0, 0, 1]] });
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    expect(err(model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'uid_map', lines: [[0, 0, 1]] }))).toEqual(['EPERM', 'userns.map-writer-outside']);
  });

  it('keeps up to five lines in written order and more sorted by the inside id', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    const five: Array<[number, number, number]> = [[50, 5, 1], [10, 1, 1], [40, 4, 1], [20, 2, 1], [30, 3, 1]];
    model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'uid_map', lines: five });
    expect(model.apply({ op: 'readMap', proc: 'root', target: 'init', map: 'uid_map' })).toMatchObject({ value: five });
    const six: Array<[number, number, number]> = [...five, [0, 100, 1]];
    model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'gid_map', lines: six });
    expect(model.apply({ op: 'readMap', proc: 'root', target: 'init', map: 'gid_map' })).toMatchObject({
      value: [[0, 100, 1], [10, 1, 1], [20, 2, 1], [30, 3, 1], [40, 4, 1], [50, 5, 1]],
    });
  });

  it('reads relative to the reader; unmapped outside ids show as 4294967295', () => {
    const model = new Model();
    const world = model.world;
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'uid_map', lines: [[0, 0, 1], [1, 2000, 10]] });
    expect(model.apply({ op: 'readMap', proc: 'root', target: 'init', map: 'uid_map' })).toMatchObject({ value: [[0, 0, 1], [1, 2000, 10]] });
    expect(model.apply({ op: 'readMap', proc: 'init', target: 'init', map: 'uid_map' })).toMatchObject({ value: [[0, 0, 1], [1, 2000, 10]] });
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] });
    model.apply({ op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 0, 1]] });
    expect(model.apply({ op: 'readMap', proc: 'root', target: 'init', map: 'uid_map' })).toMatchObject({ value: [[0, 0, 1], [1, 4294967295, 10]] });
    expect(world.processes.get('init')!.cred.userns).not.toBe(world.host.user);
  });

  it('setuid -1 and 4294967295 are (uid_t)-1: every id kept, nothing checked, nothing changed (issue 13)', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] }); // no maps: any other id is EINVAL
    const before = structuredClone(root.cred);
    for (const id of [-1, 4294967295]) expect(err(model.apply({ op: 'setuid', proc: 'root', id }))).toEqual([null, 'userns.setuid-keep']);
    expect(root.cred).toEqual(before);
    expect(model.world.nonDumpable?.has('root') ?? false).toBe(false);
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 4294967294 }))).toEqual(['EINVAL', 'userns.setgid-unmapped']);
    expect(root.cred).toEqual(before);
  });

  it('time offsets: with the host\'s clocks in the config, the range is the clock\'s now (issue 13)', () => {
    const clocks = { monotonic: 1000.75, boottime: 2000.5 };
    const write = (seconds: number, clock: 'monotonic' | 'boottime'): (string | null)[] => {
      const model = new Model({ hostPidLevel: 0, hostUserLevel: 0, clocks });
      model.apply({ op: 'unshare', proc: 'root', namespaces: ['time'] });
      return err(model.apply({ op: 'writeTimeOffsets', proc: 'root', target: 'root', offsets: [{ clock, seconds }] }));
    };
    expect(write(-1000, 'monotonic')).toEqual([null, 'timens.offsets-written']);
    expect(write(-1001, 'monotonic')).toEqual(['ERANGE', 'timens.offsets-range']);
    expect(write(-2000, 'boottime')).toEqual([null, 'timens.offsets-written']);
    expect(write(-2001, 'boottime')).toEqual(['ERANGE', 'timens.offsets-range']);
    expect(write(4_611_686_018 - 1000, 'monotonic')).toEqual([null, 'timens.offsets-written']);
    expect(write(4_611_686_018 - 999, 'monotonic')).toEqual(['ERANGE', 'timens.offsets-range']);
    expect(write(1.5, 'monotonic')).toEqual(['EINVAL', 'timens.offsets-bad-line']);
  });

  it('setuid: EINVAL unmapped, EPERM without CAP_SETUID, leaving uid 0 drops capabilities', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] });
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 0 }))).toEqual(['EINVAL', 'userns.setgid-unmapped']);
    model.apply({ op: 'writeMap', proc: 'init', target: 'root', map: 'uid_map', lines: [[0, 0, 1], [1, 1000, 1]] });
    model.apply({ op: 'writeMap', proc: 'init', target: 'root', map: 'gid_map', lines: [[0, 0, 1], [1, 1000, 1]] });
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 0 }))).toEqual([null, 'userns.setuid-ok']);
    expect(root.cred.caps).toBe(true);
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 1 }))).toEqual([null, 'userns.setuid-ok']);
    expect(root.cred).toMatchObject({ uid: 1000, gid: 1000, caps: false });
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 0 }))).toEqual(['EPERM', 'userns.setgid-no-cap']);
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 1 }))).toEqual([null, 'userns.setuid-ok']);
  });

  it('setgroups: EACCES without CAP_SYS_ADMIN in the namespace, EPERM deny after gid_map', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'gid_map', lines: [[0, 0, 1]] });
    expect(err(model.apply({ op: 'writeSetgroups', proc: 'root', target: 'init', value: 'deny' }))).toEqual(['EPERM', 'userns.setgroups-after-gid-map']);
    // A process of the file's owner without capabilities in the namespace: the open is refused.
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] });
    expect(err(model.apply({ op: 'writeSetgroups', proc: 'root', target: 'init', value: 'allow' }))).toEqual(['EACCES', 'userns.setgroups-no-cap']);
    expect(err(model.apply({ op: 'writeSetgroups', proc: 'init', target: 'init', value: 'allow' }))).toEqual([null, 'userns.setgroups-written']);
  });

  it('a /proc file of another uid cannot be opened for writing without privilege (EACCES)', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    model.apply({ op: 'setuid', proc: 'root', id: 1000 });
    expect(err(model.apply({ op: 'writeSetgroups', proc: 'root', target: 'init', value: 'allow' }))).toEqual(['EACCES', 'userns.proc-file-not-owner']);
    expect(err(model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'uid_map', lines: [[0, 1000, 1]] }))).toEqual(['EACCES', 'userns.proc-file-not-owner']);
  });
});

describe('rules the scenario language cannot reach with setuid alone', () => {
  it('map writer with file access but no CAP_SYS_ADMIN in the namespace: EPERM', () => {
    const model = new Model();
    const world = model.world;
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    // init's euid is 1000 now (as after a setuid inside), root is uid 1000 without capabilities.
    world.processes.get('init')!.cred.uid = 1000;
    world.processes.get('root')!.cred = { uid: 1000, gid: 0, userns: world.host.user, caps: false };
    expect(err(model.apply({ op: 'writeMap', proc: 'root', target: 'init', map: 'uid_map', lines: [[0, 1000, 1]] })))
      .toEqual(['EPERM', 'userns.map-no-cap-sys-admin']);
  });

  it('mapping uid 0 of the parent from inside needs a creator that had CAP_SETFCAP', () => {
    const model = new Model();
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['user'] });
    const ns = model.world.namespaces.get(model.world.processes.get('root')!.cred.userns)!;
    (ns as { parentCouldSetfcap?: boolean }).parentCouldSetfcap = false;
    expect(err(model.apply({ op: 'writeMap', proc: 'root', target: 'root', map: 'uid_map', lines: [[0, 0, 1]] })))
      .toEqual(['EPERM', 'userns.map-root-needs-setfcap']);
    expect(err(model.apply({ op: 'writeMap', proc: 'root', target: 'root', map: 'gid_map', lines: [[0, 0, 1]] })))
      .toEqual(['EPERM', 'userns.gid-map-needs-setgroups-deny']);
  });

  it('setresuid to another uid without CAP_SETUID: EPERM after setresgid to the own gid worked', () => {
    const model = new Model();
    model.world.processes.get('root')!.cred = { uid: 1000, gid: 0, userns: model.world.host.user, caps: false };
    expect(err(model.apply({ op: 'setuid', proc: 'root', id: 0 }))).toEqual(['EPERM', 'userns.setuid-no-cap']);
  });
});

describe('time namespaces', () => {
  it('offsets: written before the first process, ERANGE before EACCES, EPERM without CAP_SYS_TIME', () => {
    const model = new Model();
    const root = model.world.processes.get('root')!;
    const write = (proc: string, seconds: number, clock: 'monotonic' | 'boottime' = 'monotonic'): [string | null, string] =>
      err(model.apply({ op: 'writeTimeOffsets', proc, target: 'root', offsets: [{ clock, seconds }] }));
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['time'] });
    expect(write('root', 5_000_000_000)).toEqual(['ERANGE', 'timens.offsets-range']);
    expect(write('root', -1_000_000_000_000)).toEqual(['ERANGE', 'timens.offsets-range']);
    expect(write('root', 1000)).toEqual([null, 'timens.offsets-written']);
    expect(write('root', 20, 'boottime')).toEqual([null, 'timens.offsets-written']);
    expect(model.apply({ op: 'readTimeOffsets', proc: 'init', target: 'root' })).toMatchObject({ value: { monotonic: 1000, boottime: 20 } });
    expect(model.apply({ op: 'clockOffset', proc: 'root', clock: 'monotonic' })).toMatchObject({ value: 0 });
    root.handles.set('t', { type: 'ns', ns: root.timeForChildren });
    expect(model.apply({ op: 'setns', proc: 'root', fd: 't', namespaces: [] })).toMatchObject({ ok: true });
    expect(model.apply({ op: 'clockOffset', proc: 'root', clock: 'monotonic' })).toMatchObject({ value: 1000 });
    expect(model.apply({ op: 'clockOffset', proc: 'root', clock: 'boottime' })).toMatchObject({ value: 20 });
    expect(write('root', 5)).toEqual(['EACCES', 'timens.offsets-frozen']);
    expect(write('root', 5_000_000_000)).toEqual(['ERANGE', 'timens.offsets-range']);
    // A writer without CAP_SYS_TIME over the owner: a process with capabilities only in its own user namespace.
    model.apply({ op: 'unshare', proc: 'root', namespaces: ['time'] });
    model.apply({ op: 'unshare', proc: 'init', namespaces: ['user'] });
    expect(write('init', 5)).toEqual(['EPERM', 'timens.offsets-no-cap']);
    // A new time namespace copies the offsets of the creator's time_for_children.
    expect(model.apply({ op: 'readTimeOffsets', proc: 'root', target: 'root' })).toMatchObject({ value: { monotonic: 1000, boottime: 20 } });
  });
});

describe('the catalogue and the rules', () => {
  it('every scenario of the namespace areas names its area and is unique', () => {
    const names = MINE.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of MINE) expect(s.name.startsWith(`${s.area}/`)).toBe(true);
    expect(MINE.length).toBeGreaterThanOrEqual(60);
  });

  it('every scenario of the namespace areas runs on the model without a scenario error', () => {
    for (const scenario of MINE) {
      const results = new Model().run(scenario.steps);
      expect(results).toHaveLength(scenario.steps.length);
      // No step of these areas is refused for the scenario's own sake (a dead caller).
      expect(results.filter((r) => r.rule === 'scenario.caller-cannot-run').map(() => scenario.name)).toEqual([]);
    }
  });

  it('every namespace rule has a reason, and every failure rule an errno the kernel uses', () => {
    const mine = allRules().filter((rule) => /^(create|unshare|setns|userns|timens|nsfs)\./.test(rule.id));
    expect(mine.length).toBeGreaterThan(60);
    for (const rule of mine) expect(rule.reason.length).toBeGreaterThan(20);
  });
});
