/**
 * A new mount namespace gets private propagation before anything runs in it, so a program's mounts
 * never reach the parent — on a host whose / is shared (systemd's default), which this VM is not.
 * The test makes one: the fixture runs in a mount namespace of its own (`unshare -m`) whose mounts
 * are then all made shared, as on such a host; nothing of it can reach the real host.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect } from 'vitest';
import { hasCommands, isRoot, itWith } from './helpers/features.js';
import { PLAIN_ENV, nodeArgv, repoRoot } from './helpers/processes.js';

const tools = hasCommands('unshare', 'mount', 'umount', 'sh', 'grep');

/** What crossed: [the program's mount in the parent while it ran, after it exited, ours in the program]. */
type Crossing = [boolean, boolean, boolean];
const NONE: Crossing = [false, false, false];
const INTO_PROGRAM: Crossing = [false, false, true];
const BOTH: Crossing = [true, true, true];

describe('mount propagation of new mount namespaces, on a shared /', () => {
  itWith(isRoot && tools, 'needs root and unshare, mount, umount, sh, grep', 'a program\'s mounts reach the parent only with \'shared\' or \'unchanged\', for every combination that creates a mount namespace, as with unshare(1)', () => {
    const result = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rshared / && exec "$@"', 'sh', ...nodeArgv('test/fixtures/propagation.mjs')], {
      cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV, timeout: 120_000, killSignal: 'SIGKILL',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const observed = JSON.parse(result.stdout) as { rootShared: boolean; cases: Record<string, { exit: number; theirsInParent: boolean; theirsInParentAfterExit: boolean; programSeesOurs: boolean; procMountsUnchanged: boolean }> };
    // The premise: the fixture's / is a shared mount, as on a systemd host.
    expect(observed.rootShared).toBe(true);

    const expected: Record<string, Crossing> = {};
    // util-linux's unshare(1) is the anchor: `nsbridge run --mount` must behave as it does.
    const plain = ['mnt', 'mnt+pid', 'mnt+pid, mountProc', 'mnt, joining uts', 'mnt+pid, joining uts', 'nsbridge run --mount', 'unshare --mount'];
    for (const name of plain) {
      Object.assign(expected, {
        [`${name} / default`]: NONE,
        [`${name} / private`]: NONE,
        [`${name} / slave`]: INTO_PROGRAM,
        [`${name} / shared`]: BOTH,
        [`${name} / unchanged`]: BOTH,
      });
    }
    // A mount namespace owned by a new user namespace is a less privileged copy: the kernel turns
    // its shared mounts into slaves (CL_SHARED_TO_SLAVE), so nothing goes back even when asked to.
    Object.assign(expected, {
      'user+mnt, mapRootUser / default': NONE,
      'user+mnt, mapRootUser / private': NONE,
      'user+mnt, mapRootUser / slave': INTO_PROGRAM,
      'user+mnt, mapRootUser / shared': INTO_PROGRAM,
      'user+mnt, mapRootUser / unchanged': INTO_PROGRAM,
    });
    const crossings = Object.fromEntries(
      Object.entries(observed.cases).map(([name, o]) => [name, [o.theirsInParent, o.theirsInParentAfterExit, o.programSeesOurs]]),
    );
    expect(crossings).toEqual(expected);
    // Every program ran to its end, and a fresh proc never propagated back, whatever the mode.
    for (const [name, o] of Object.entries(observed.cases)) {
      expect([name, o.exit, o.procMountsUnchanged]).toEqual([name, 0, true]);
    }
  }, 150_000);
});
