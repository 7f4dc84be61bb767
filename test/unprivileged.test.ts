/**
 * The public API as uid 65534 without capabilities, in child processes started with setpriv (the
 * test runner itself stays root): what works with user namespaces only, and for what needs root,
 * the exact errno, step and a hint that says what is needed. README "What needs root" is this file.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { NAMESPACE_TYPES, findCgroup2Mount, probe } from '../src/index.js';
import { nsbridge } from './helpers/cli.js';
import { canBeNobody, itWith } from './helpers/features.js';
import { NOBODY, PARK, SETPRIV_NOBODY, park, repoRoot, runFixture, statInode, type Parked } from './helpers/processes.js';

const canDrop = canBeNobody;
const report = probe();
const NEEDS = `needs root to drop to uid ${NOBODY}, and unprivileged user namespaces (${report.features.unprivilegedUserNamespaces.detail})`;
const canRun = canDrop && report.features.unprivilegedUserNamespaces.supported;

describe('unprivileged (uid 65534)', () => {
  itWith(
    canRun,
    NEEDS,
    'identity, parent/owner chains, exited() and error codes hold without privilege',
    () => {
      const observed = runFixture(SETPRIV_NOBODY, 'unprivileged-checks.mjs');
      expect(observed.uid).toBe(NOBODY);
      for (const [type, [ours, stats]] of Object.entries(observed.identity as Record<string, [string, string]>)) {
        expect(ours, type).toBe(stats);
      }
      expect(observed.chains).toEqual({
        pidParentIsOurs: true,
        ourPidParent: null,
        userParentIsOurs: true,
        ownerOfInnerPidIsInnerUser: true,
        innerUserOwnerUid: NOBODY,
        nspid: [observed.chains.expectedOuterPid, 1],
        expectedOuterPid: observed.chains.expectedOuterPid,
        pidInInner: 1,
      });
      expect(observed.childExit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(observed.errors).toEqual({
        setnsRegularFile: { code: 'EINVAL', syscall: 'setns' },
        setnsClosedFd: { code: 'EBADF', syscall: 'setns' },
        setnsKindMismatch: { code: 'EINVAL', syscall: 'setns' },
        setnsOwnNetUnprivileged: { code: 'EPERM', syscall: 'setns' },
        unshareNetUnprivileged: { code: 'EPERM', syscall: 'unshare' },
        pidfdOpenDead: { code: 'ESRCH', syscall: 'pidfd_open' },
      });
    },
  );
});

const cgroup2 = findCgroup2Mount()?.mountPoint;
const hasCgroup2 = cgroup2 !== undefined && report.features.cloneIntoCgroup.supported;

// The hint every creation without a user namespace carries.
const NEEDS_CAP_SYS_ADMIN = "creating a namespace other than a user namespace needs CAP_SYS_ADMIN in the caller's user namespace — or in the user namespace the same call creates (add CLONE_NEWUSER)";
/** The hint of an EACCES on another process's namespaces, for a caller without CAP_SYS_PTRACE. */
const needsPtrace = (who: string): string =>
  `seeing the namespaces of ${who} needs ptrace read access to it (PTRACE_MODE_READ_FSCREDS): the same uid as the target while it is dumpable, ` +
  "or CAP_SYS_PTRACE in the target's user namespace or an ancestor of it; this thread has no CAP_SYS_PTRACE: run as the target's user, or as root";
const NEEDS_PTRACE = needsPtrace('the join target');

/** A failed spawn as the fixture describes it (spawn-err-lib.mjs failure()): nothing left behind. */
const failed = (step: string, code: string, syscall: string, hint: string | RegExp) => ({
  step,
  code,
  errno: expect.any(Number),
  syscall,
  hint: typeof hint === 'string' ? hint : expect.stringMatching(hint),
  spawnError: true,
  systemError: true,
  sameError: true,
  pid: null,
  changed: {},
});

describe('the whole public API as uid 65534', () => {
  // A root-owned process in a net and uts namespace of its own, and an empty root-owned cgroup.
  let rootProcess: Parked | undefined;
  let cgroupDir: string | undefined;
  beforeAll(async () => {
    if (!canRun) return;
    rootProcess = await park(['unshare', '--net', '--uts', ...PARK]);
    if (hasCgroup2) {
      cgroupDir = join(cgroup2, `nsbridge-unprivileged-${process.pid}`);
      mkdirSync(cgroupDir);
    }
  });
  afterAll(async () => {
    await rootProcess?.stop();
    if (cgroupDir !== undefined) rmdirSync(cgroupDir);
  });

  // One run of the fixture serves the tests below.
  let cached: any;
  const fixtureReport = (): any => {
    if (cached !== undefined) return cached;
    const rootPid = rootProcess!.pid;
    const netFd = openSync(`/proc/${rootPid}/ns/net`, 'r');
    try {
      // fd 3 of the fixture: the root process's net namespace, opened here as root.
      const run = spawnSync(SETPRIV_NOBODY[0]!, [...SETPRIV_NOBODY.slice(1), process.execPath, 'test/fixtures/unprivileged-api.mjs', String(rootPid), cgroupDir ?? '-'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, HOME: '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe', netFd],
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      cached = JSON.parse(run.stdout);
    } finally {
      closeSync(netFd);
    }
    return cached;
  };

  itWith(canRun, NEEDS, 'handles, listing, spawn: what works and, for what needs root, the code, step and hint', () => {
    const rootPid = rootProcess!.pid;
    const rootNet = statInode(`/proc/${rootPid}/ns/net`);
    const observed = fixtureReport();
    expect(observed.uid).toBe(NOBODY);
    expect(observed.probe).toEqual({ privileged: false, unprivilegedUserNamespaces: true });

    // Our own namespaces: every constructor and method works.
    expect(observed.namespace).toEqual({
      ofSelf: true,
      ofOwnPid: true,
      open: true,
      fromProcess: true,
      forChildren: true,
      parentOfInitialPid: { value: null },
      parentOfInitialUser: { value: null },
      ownerOfNet: true,
      ownerUidOfInitialUser: { value: 0 },
      idIsBigintOrUndefined: true,
      equals: { value: true },
      // Another user's /proc/<pid>/ns links: ptrace read access is needed.
      ofRootProcess: { code: 'EACCES', syscall: 'open', hint: needsPtrace(`process ${rootPid}`) },
    });
    expect(observed.processHandle).toEqual({
      selfNspid: { value: [expect.any(Number)] },
      selfPidIn: { value: observed.processHandle.selfNspid.value[0] },
      selfNamespace: true,
      // A pidfd needs no permission; signalling and its namespaces do.
      rootOpen: { value: rootPid },
      rootSignal: { code: 'EPERM', syscall: 'pidfd_send_signal', hint: null },
      rootNspid: { value: [rootPid] },
      rootNamespace: { code: 'EACCES', syscall: 'ioctl(PIDFD_GET_NET_NAMESPACE)', hint: needsPtrace(`process ${rootPid}`) },
    });
    // The root process survived the signal attempt.
    expect(readFileSync(`/proc/${rootPid}/stat`, 'latin1')).not.toMatch(/\) Z /);

    // A child of ours in new user + pid + net namespaces.
    const childPid = observed.child.nspid.value[0];
    expect(observed.child).toEqual({
      nspid: { value: [childPid, 1] },
      pidInChild: { value: 1 },
      pidInOurs: { value: childPid },
      parentOfChildPidIsOurs: { value: true },
      ownerUidOfChildUser: { value: NOBODY },
      translateIn: { value: 1 },
      translateOut: { value: childPid },
      translateInvisible: { value: null },
      signal: {},
    });
    expect(observed.parkedExit).toEqual({ code: null, signal: 'SIGKILL' });

    // Listing: exactly what lsns shows to the same uid (our own processes' namespaces); a root
    // process's namespaces are not there, and asking for its pid gives nothing rather than an error.
    expect(observed.listing).toEqual({
      agreesWithLsns: true,
      hasOurs: true,
      hasChilds: true,
      childPidEntry: { processes: 1, lowestPid: childPid, uid: NOBODY, ownerUid: NOBODY, parent: true },
      rootNetStat: 1,
      forRootPid: { value: 0 },
      treeParent: { value: true },
      treeOwner: { value: observed.listing.expectedChildOwned },
      expectedChildOwned: observed.listing.expectedChildOwned,
    });
    expect(observed.listing.expectedChildOwned).toHaveLength(2);

    // spawn() with a user namespace: every other kind with it, root inside, the maps exact.
    const rootInside = ['0', '0', `0 ${NOBODY} 1`, `0 ${NOBODY} 1`, 'deny'];
    const squeeze = (lines: string[]) => lines.map((line) => line.trim().split(/\s+/).join(' '));
    expect(observed.spawnAllKinds.exit).toEqual({ code: 0, signal: null });
    expect(squeeze(observed.spawnAllKinds.lines)).toEqual(rootInside);
    expect(observed.spawnAllKinds.kinds).toEqual([...NAMESPACE_TYPES]);
    expect(observed.spawnAllKinds.sameAsOurs).toEqual([]); // every kind new
    expect(observed.spawnOwnMaps.exit).toEqual({ code: 0, signal: null });
    expect(squeeze(observed.spawnOwnMaps.lines)).toEqual(rootInside);
    // Offsets of a time namespace owned by our new user namespace: a day ahead.
    expect(observed.timeOffsets).toEqual({ exit: { code: 0, signal: null }, shiftedBy: 24 });
    // set_tid [1] for a new pid namespace owned by our new user namespace.
    expect(observed.setTidNewUserNs).toEqual({ exit: { code: 0, signal: null }, lines: ['1'] });

    // What needs privilege: every namespace kind without a user namespace.
    for (const kind of NAMESPACE_TYPES.filter((type) => type !== 'user')) {
      expect(observed.failures[`unshare:${kind}`], kind).toEqual(failed(`unshare:${kind}`, 'EPERM', 'clone3', NEEDS_CAP_SYS_ADMIN));
    }
    expect(observed.failures.timeOffsetsWithoutUser).toEqual(failed('unshare:time', 'EPERM', 'clone3', NEEDS_CAP_SYS_ADMIN));
    expect(observed.failures.uidMapNotOurs).toEqual(failed('uid_map', 'EPERM', 'write', /^uid_map\/gid_map: without CAP_SETUID\/CAP_SETGID in the parent namespace, the namespace's owner may write only one line mapping its own euid/));
    expect(observed.failures.gidMapNotOurs).toEqual(failed('gid_map', 'EPERM', 'write', /^gid_map: without CAP_SETGID in the parent namespace, a process may map only its own gid/));
    // Joining a root process's namespaces: its namespaces cannot even be read through its pidfd.
    expect(observed.failures.joinRootNet).toEqual(failed('setns', 'EACCES', 'ioctl(PIDFD_GET_NET_NAMESPACE)', NEEDS_PTRACE));
    expect(observed.failures.joinRootAll).toEqual(failed('setns', 'EACCES', 'ioctl(PIDFD_GET_CGROUP_NAMESPACE)', NEEDS_PTRACE));
    // Given an fd of it, the namespace opens (owned by the initial user namespace), but setns is EPERM.
    expect(observed.rootNetHandle).toEqual({ inode: String(rootNet), ownerUid: { value: 0 } });
    expect(observed.failures.joinRootNetHandle).toEqual(failed('setns:net', 'EPERM', 'setns', /CAP_SYS_ADMIN/));
    // set_tid in a pid namespace owned by the initial user namespace.
    const setTidHint = 'clone3: set_tid for a pid namespace needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the user namespace that owns it';
    expect(observed.failures.setTidOurPidNs).toEqual(failed('set_tid', 'EPERM', 'clone3', setTidHint));
    expect(observed.failures.setTidOuterLevel).toEqual(failed('set_tid', 'EPERM', 'clone3', setTidHint));
    expect(observed.failures.uidChange).toEqual(failed('setuid', 'EPERM', 'setresuid', 'changing the uid needs CAP_SETUID'));
  });

  itWith(canRun && hasCgroup2, `${NEEDS}; a cgroup2 mount and CLONE_INTO_CGROUP`, "a root-owned cgroup: step 'cgroup', EACCES, with the hint", () => {
    expect(fixtureReport().failures.rootCgroup).toEqual(failed('cgroup', 'EACCES', 'clone3', /cgroup\.procs .*run as root, or use a cgroup delegated to this user$/));
    // Nothing of ours ran in it.
    expect(readFileSync(join(cgroupDir!, 'cgroup.procs'), 'utf8')).toBe('');
  });

  itWith(canRun, NEEDS, 'CLI: ls shows our namespaces only; enter to a root process is 125 with the hint; verify refuses', () => {
    const rootPid = rootProcess!.pid;
    const ls = nsbridge(['ls', '-t', 'net', '--json', '-l'], { asNobody: true }); // -l: a flat array, no tree
    expect([ls.status, ls.stderr]).toEqual([0, '']);
    const listed = (JSON.parse(ls.stdout) as { namespaces: { ns: number }[] }).namespaces.map((ns) => BigInt(ns.ns));
    expect(listed).toContain(statInode('/proc/self/ns/net'));
    expect(listed).not.toContain(statInode(`/proc/${rootPid}/ns/net`));

    const enter = nsbridge(['enter', '-t', String(rootPid), '--net', '--', 'true'], { asNobody: true });
    expect([enter.status, enter.stdout]).toEqual([125, '']);
    expect(enter.stderr).toBe(`nsbridge: setns failed: EACCES (ioctl(PIDFD_GET_NET_NAMESPACE)): ${NEEDS_PTRACE}\n`);

    const verify = nsbridge(['verify'], { asNobody: true });
    expect([verify.status, verify.stdout]).toEqual([1, '']);
    expect(verify.stderr).toMatch(/^nsbridge: verify needs root \(CAP_SYS_ADMIN in the initial user namespace\)/);
  });
});
