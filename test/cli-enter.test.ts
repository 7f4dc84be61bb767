/**
 * `nsbridge enter` as a real process: a target started with `nsbridge run` in new uts, pid, net
 * and mount namespaces, entered with --all and with single kinds.
 */
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBeNobody, hasCommands, isRoot, itWith } from './helpers/features.js';
import { NOBODY, PARK, PLAIN_ENV, SETPRIV_NOBODY, park, repoRoot, type Parked } from './helpers/processes.js';
import { probe } from '../src/index.js';
import { NODE_ARGS, nsbridge } from './helpers/cli.js';

let target: Parked | undefined;

beforeAll(async () => {
  if (!isRoot) return;
  target = await park([process.execPath, ...NODE_ARGS, 'dist/cli/main.js', 'run', '--uts', '--hostname', 'nsb-target', '--pid', '--net', '--mount', '--mount-proc', '--', ...PARK]);
});

afterAll(async () => {
  await target?.stop();
});

function pidOf(): number {
  if (target === undefined) throw new Error('no target');
  return target.pid;
}

describe('nsbridge enter', () => {
  itWith(isRoot, 'needs root', "--all: the program sees the target's hostname, network, pid namespace and proc", () => {
    const result = nsbridge(['enter', '-t', String(pidOf()), '--all', '--', 'sh', '-c', 'hostname; cat /proc/net/dev | tail -n +3 | cut -d: -f1; ps -e -o pid=,comm=; exit 0']); // exit: bash would exec ps in place of sh
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [name, netdev, ...ps] = result.stdout.trim().split('\n').map((line) => line.trim());
    expect(name).toBe('nsb-target');
    expect(netdev).toBe('lo');
    // The target (its sleep, pid 1 after exec), then our sh and its ps, numbered in the target's namespace.
    const rows = ps.map((line) => line.split(/\s+/));
    expect(rows[0]).toEqual(['1', 'sleep']);
    expect(rows.map((row) => row[1])).toEqual(['sleep', 'sh', 'ps']);
  });

  itWith(isRoot, 'needs root', "--pid: the program is a member of the target's pid namespace (two NSpid levels)", () => {
    const script = 'echo $$; while read key value; do [ "$key" = NSpid: ] && echo $value; done < /proc/self/status; readlink /proc/self/ns/pid';
    const result = nsbridge(['enter', '-t', String(pidOf()), '--pid', '--', 'sh', '-c', script]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [inner, nspid, pidNs] = result.stdout.trim().split('\n');
    const levels = nspid!.split(' ').map(Number);
    expect(levels).toHaveLength(2);
    expect(levels[1]).toBe(Number(inner));
    expect(levels[0]).not.toBe(Number(inner));
    expect(Number(inner)).toBeGreaterThan(1); // the target is pid 1 there
    expect(pidNs).toBe(readlinkSync(`/proc/${pidOf()}/ns/pid`));
    // Only the pid namespace: the hostname is still ours.
    const uts = nsbridge(['enter', '-t', String(pidOf()), '--pid', '--', 'hostname']);
    expect(uts.stdout).toBe(`${readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()}\n`);
  });

  itWith(isRoot, 'needs root', "--mount --wdns: the program's working directory is in the target's mount namespace", () => {
    // The target's /proc is the fresh proc of its pid namespace, where pid 1 is the target itself.
    const result = nsbridge(['enter', '-t', String(pidOf()), '--mount', '--wdns', '/tmp', 'sh', '-c', 'pwd; cat /proc/1/comm; readlink /proc/1/ns/pid']);
    expect(result.stderr).toBe('');
    // That /proc's pid 1 is the target (in the target's pid namespace), not the host's pid 1.
    expect([result.status, result.stdout]).toEqual([0, `/tmp\nsleep\n${readlinkSync(`/proc/${pidOf()}/ns/pid`)}\n`]);
  });

  itWith(isRoot, 'needs root', "the program's exit code and 128 + signal are nsbridge's", () => {
    expect(nsbridge(['enter', '-t', String(pidOf()), '--uts', '--', 'sh', '-c', 'exit 9']).status).toBe(9);
    expect(nsbridge(['enter', '-t', String(pidOf()), '--all', '--', 'sh', '-c', 'kill -TERM $$']).status).toBe(143);
  });

  itWith(isRoot, 'needs root', 'without a program, $SHELL runs in the joined namespaces on our stdin', () => {
    const result = nsbridge(['enter', '-t', String(pidOf()), '--uts'], { input: 'hostname; exit 6\n', env: { ...process.env, SHELL: '/bin/sh' } });
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([6, 'nsb-target\n']);
  });

  it('a target that has exited and was reaped: the ESRCH setup line, exit 125', () => {
    const gonePid = spawnSync('true').pid;
    const result = nsbridge(['enter', '-t', String(gonePid), '--uts', '--', 'true']);
    expect(result.status).toBe(125);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('nsbridge: setns failed: ESRCH (pidfd_open): there is no process with that pid in this pid namespace: it has exited and been reaped, or never existed\n');
  });

  it('a pid no process can have (PID_MAX_LIMIT): the same line, not "has been reaped"', () => {
    const result = nsbridge(['enter', '-t', '4194304', '--uts', '--', 'true']);
    expect([result.status, result.stdout]).toEqual([125, '']);
    expect(result.stderr).toBe('nsbridge: setns failed: ESRCH (pidfd_open): there is no process with that pid in this pid namespace: it has exited and been reaped, or never existed\n');
  });
});

describe('nsbridge enter -t <a thread id>', () => {
  it('says the pid is a thread, not a process: exit 125', () => {
    // A thread of this test process (V8's and libuv's threads): a task id that is not a process id.
    const tid = readdirSync('/proc/self/task').find((t) => t !== String(process.pid))!;
    const result = nsbridge(['enter', '-t', tid, '--uts', '--', 'true']);
    expect([result.status, result.stdout]).toEqual([125, '']);
    // ENOENT since Linux 6.9 (pidfd_open without PIDFD_THREAD), EINVAL before.
    expect(result.stderr).toMatch(/^nsbridge: setns failed: (ENOENT|EINVAL) \(pidfd_open\): that pid is a thread of a process, not the process itself: give the process id \(the thread group leader, the Tgid of \/proc\/<pid>\/status\)\n$/);
  });
});

describe('nsbridge enter next to nsenter(1)', () => {
  const have = isRoot && hasCommands('nsenter');
  const NEEDS = 'needs root and util-linux nsenter';
  // A second target: its working directory is /usr, and it is uid 5 / root 100000 in its user namespace.
  let other: Parked | undefined;
  beforeAll(async () => {
    if (!have) return;
    other = await park([process.execPath, ...NODE_ARGS, 'dist/cli/main.js', 'run', '--uts', '--pid', '-w', '/usr', '--map-users', '0:100000:1', '--map-users', '5:0:1', '--map-groups', '0:100000:1', '--map-groups', '5:0:1', '--', ...PARK]);
  });
  afterAll(async () => {
    await other?.stop();
  });

  /** `nsbridge enter <flags> -- <program>` and `nsenter <nsenterFlags> <program>`: the same status and stdout. */
  function sameAsNsenter(flags: readonly string[], program: readonly string[], nsenterFlags: readonly string[] = flags): string {
    const ours = nsbridge(['enter', ...flags, '--', ...program]);
    const theirs = spawnSync('nsenter', [...nsenterFlags, ...program], { cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV });
    expect(ours.stderr).toBe('');
    expect(theirs.stderr).toBe('');
    expect([ours.status, ours.stdout]).toEqual([theirs.status, theirs.stdout]);
    return ours.stdout;
  }
  const devices = (text: string): string[] => text.trim().split('\n').slice(2).map((line) => line.split(':')[0]!.trim());

  itWith(have, NEEDS, '--net=FILE joins the namespace in the file, without -t', () => {
    const file = `/proc/${pidOf()}/ns/net`;
    expect(devices(sameAsNsenter([`--net=${file}`], ['cat', '/proc/net/dev']))).toEqual(['lo']);
  });

  itWith(have, NEEDS, "a bare kind flag with -t wins over --kind=FILE of the same kind, as in nsenter", () => {
    const t = String(pidOf());
    expect(sameAsNsenter(['-t', t, '--uts', '--uts=/proc/self/ns/uts'], ['hostname'])).toBe('nsb-target\n');
  });

  itWith(have, NEEDS, '-S / -G set the ids also without a user namespace', () => {
    expect(sameAsNsenter(['-t', String(pidOf()), '--uts', '-S', String(NOBODY), '-G', String(NOBODY)], ['sh', '-c', 'id -u; id -g'])).toBe(`${NOBODY}\n${NOBODY}\n`);
  });

  itWith(have, NEEDS, "--user: root there by default; --preserve-credentials keeps the ids (0 outside is 5 inside)", () => {
    const t = String(other!.pid);
    expect(sameAsNsenter(['-t', t, '--user'], ['sh', '-c', 'id -u; id -g'])).toBe('0\n0\n');
    expect(sameAsNsenter(['-t', t, '--user', '--preserve-credentials'], ['sh', '-c', 'id -u; id -g'])).toBe('5\n5\n');
  });

  itWith(have, NEEDS, "-w: the target's working directory; --wd=DIR: a directory opened before the joins; -r keeps ours", () => {
    const t = String(other!.pid);
    expect(sameAsNsenter(['-t', t, '--uts', '-w'], ['pwd'])).toBe('/usr\n');
    expect(sameAsNsenter(['-t', t, '--uts', '--wd=/etc'], ['pwd'])).toBe('/etc\n');
    expect(sameAsNsenter(['-t', t, '--uts', '-r'], ['pwd'])).toBe(`${repoRoot.replace(/\/$/, '')}\n`);
    expect(sameAsNsenter(['-t', t, '--uts', '-r', '-w'], ['pwd'])).toBe('/usr\n');
  });

  itWith(have, NEEDS, '-W: a working directory inside the joined mount namespace', () => {
    expect(sameAsNsenter(['-t', String(pidOf()), '--mount', '-W', '/etc'], ['pwd'])).toBe('/etc\n');
  });

  itWith(have, NEEDS, '-F with --pid: the program stays in our pid namespace, its children enter the target\'s', () => {
    const links = 'readlink /proc/$$/ns/pid /proc/$$/ns/pid_for_children';
    const [self, forChildren] = sameAsNsenter(['-t', String(pidOf()), '--pid', '-F'], ['sh', '-c', links]).trim().split('\n');
    expect(self).toBe(readlinkSync('/proc/self/ns/pid'));
    expect(forChildren).toBe(readlinkSync(`/proc/${pidOf()}/ns/pid`));
  });
});

describe('nsbridge enter as uid 65534', () => {
  const report = probe();
  const canDrop = canBeNobody && report.features.unprivilegedUserNamespaces.supported;
  let owned: Parked | undefined;
  afterAll(async () => {
    await owned?.stop();
  });

  itWith(canDrop, `needs root to drop to uid ${NOBODY}, and unprivileged user namespaces`, "--all joins the target's user namespace first, so its uts joins; --uts alone is EPERM", async () => {
    owned = await park([...SETPRIV_NOBODY, process.execPath, ...NODE_ARGS, 'dist/cli/main.js', 'run', '-r', '--uts', '--hostname', 'nsb-owned', '--', ...PARK]);
    const target = String(owned.pid);
    const all = nsbridge(['enter', '-t', target, '--all', '--', 'sh', '-c', 'hostname; id -u; cat /proc/self/uid_map'], { asNobody: true });
    expect(all.stderr).toBe('');
    expect(all.status).toBe(0);
    expect(all.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/))).toEqual([['nsb-owned'], ['0'], ['0', String(NOBODY), '1']]);
    const utsOnly = nsbridge(['enter', '-t', target, '--uts', '--', 'hostname'], { asNobody: true });
    expect([utsOnly.status, utsOnly.stdout]).toEqual([125, '']);
    expect(utsOnly.stderr).toMatch(/^nsbridge: setns:uts failed: EPERM \(setns\): .*CAP_SYS_ADMIN.*\n$/);
  });
});

describe('nsbridge enter: usage errors (exit 2, the flag named, nothing run)', () => {
  const cases: [string[], RegExp][] = [
    [['-t', '0', '--all'], /option '-t, --target <pid>' argument '0' is invalid/],
    [['-t', 'abc', '--all'], /option '-t, --target <pid>' argument 'abc' is invalid/],
    [['-t', '-5', '--all'], /option '-t, --target <pid>' argument '-5' is invalid/],
    [['--all'], /neither a file nor a target pid \(-t\) given for --all/],
    [['--net'], /neither a file nor a target pid \(-t\) given for --net/],
    [['--uts=/proc/self/ns/uts', '--root'], /neither a file nor a target pid \(-t\) given for --root/],
    [['-t', '1'], /give --all or at least one namespace flag/],
    [['-t', '1', '--all', '--wd='], /option '-w, --wd \[dir\]' argument '' is invalid\. must be an absolute path/],
    [['-t', '1', '--all', '--wd=/tmp', '--wdns', '/tmp'], /options --wd and --wdns cannot be used together/],
    [['--net=/nonexistent-nsbridge-file'], /--net=\/nonexistent-nsbridge-file: ENOENT/],
    [['--net=/proc/self/ns/uts'], /--net=\/proc\/self\/ns\/uts: that is a uts namespace, not a net namespace/],
    [['--net=/etc/passwd'], /--net=\/etc\/passwd: .*\/etc\/passwd is not a namespace file/],
    [['-t', '1', '--all', '-S', 'root'], /option '-S, --setuid <uid>' argument 'root' is invalid/],
    [['-t', '1', '--bogus'], /unknown option '--bogus'/],
  ];
  for (const [flags, message] of cases) {
    it(`enter ${flags.join(' ')}`, () => {
      const result = nsbridge(['enter', ...flags, '--', 'sh', '-c', 'echo ran']);
      expect(result.stderr).toMatch(message);
      expect([result.status, result.stdout]).toEqual([2, '']);
    });
  }

  it('--help ends with examples and documents the exit codes', () => {
    const result = nsbridge(['enter', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/125 +nsbridge could not set up/);
    expect(result.stdout).toMatch(/\nExamples:\n( {2}nsbridge enter .+\n)+$/);
  });
});
