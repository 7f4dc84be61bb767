/**
 * `nsbridge enter` as a real process: a target started with `nsbridge run` in new uts, pid, net
 * and mount namespaces, entered with --all and with single kinds.
 */
import { readlinkSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, itWith } from './helpers/features.js';
import { NOBODY, PARK, SETPRIV_NOBODY, park, type Parked } from './helpers/processes.js';
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
    const result = nsbridge(['enter', '-t', String(pidOf()), '--all', '--', 'sh', '-c', 'hostname; cat /proc/net/dev | tail -n +3 | cut -d: -f1; ps -e -o pid=,comm=']);
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

  itWith(isRoot, 'needs root', "--mount --wd: the program's working directory is in the target's mount namespace", () => {
    // The target's /proc is the fresh proc of its pid namespace, where pid 1 is the target itself.
    const result = nsbridge(['enter', '-t', String(pidOf()), '--mount', '--wd', '/tmp', 'sh', '-c', 'pwd; cat /proc/1/comm']);
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([0, '/tmp\nsleep\n']);
    expect(readFileSync('/proc/1/comm', 'utf8')).not.toBe('sleep\n');
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
    const gonePid = spawnSync('true').pid!;
    const result = nsbridge(['enter', '-t', String(gonePid), '--uts', '--', 'true']);
    expect(result.status).toBe(125);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^nsbridge: setns failed: ESRCH \(pidfd_open\): .*reaped.*\n$/);
  });
});

describe('nsbridge enter as uid 65534', () => {
  const report = probe();
  const canDrop = isRoot && report.features.unprivilegedUserNamespaces.supported;
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
    [['--all'], /required option '-t, --target <pid>' not specified/],
    [['-t', '1'], /give --all or at least one namespace flag/],
    [['-t', '1', '--all', '--pid'], /option '-a, --all' cannot be used with option '-p, --pid'/],
    [['-t', '1', '--all', '--wd', ''], /option '--wd <dir>' argument '' is invalid/],
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
