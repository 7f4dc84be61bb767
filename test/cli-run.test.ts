/**
 * `nsbridge run` as a real process on the real kernel: namespaces, maps, exit codes, signals,
 * setup failures and usage errors. Every background process is killed and awaited.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constants, hostname, tmpdir, uptime } from 'node:os';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessHandle, cgroupLineOf, findCgroup2Mount, probe } from '../src/index.js';
import { UPTIME_NOT_KERNELS, canBeNobody, hasCommands, isRoot, itWith, procUptimeIsKernels } from './helpers/features.js';
import { NOBODY, PLAIN_ENV, descendants, nodeArgv, repoRoot } from './helpers/processes.js';
import { NODE_ARGS, ended, gone, nsbridge, nsbridgeUntil } from './helpers/cli.js';

const report = probe();
const canDrop = canBeNobody && report.features.unprivilegedUserNamespaces.supported;
const whyNobody = `needs root to drop to uid ${NOBODY}, and unprivileged user namespaces (${report.features.unprivilegedUserNamespaces.detail})`;
const hasTime = report.namespaces.time.supported;

// Every background process a test starts: nsbridge itself (a ChildProcess, which Node will not
// signal after its exit) and its program (through a pidfd, so a recycled pid is never hit).
const children: ChildProcess[] = [];
const programs: ProcessHandle[] = [];
afterEach(async () => {
  for (const handle of programs.splice(0)) {
    try {
      handle.signal('SIGKILL');
    } catch {
      // already exited
    }
    await gone(handle.pid);
    handle.close();
  }
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await ended(child);
  }
});

const mountinfo = (): string => readFileSync('/proc/self/mountinfo', 'utf8');
/** Our mount namespace's mounts on /proc (other test files may mount elsewhere meanwhile). */
const procMounts = (): string[] => mountinfo().split('\n').filter((line) => line.split(' ')[4] === '/proc');

/** The host pid of nsbridge's program (its only child), once it exists; cleaned up after the test. */
async function programOf(nsbridgePid: number): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const [pid] = descendants(nsbridgePid);
    if (pid !== undefined) {
      programs.push(ProcessHandle.open(pid));
      return pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nsbridge ${nsbridgePid} started no program`);
}

/** Polls `condition` every 10 ms (up to 10 s). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

/** startRun, and the program's output so far. */
async function startRunWithOutput(args: readonly string[]): Promise<{ child: ChildProcess; program: number; output: () => string }> {
  const { child, output } = await nsbridgeUntil(['run', ...args], 'ready');
  children.push(child);
  const program = await programOf(child.pid!);
  await until(() => forwardsSignals(child.pid!));
  return { child, program, output };
}

/**
 * Whether nsbridge has its forwarding handlers in (SigCgt of its status): they go in just after
 * spawn() returns, all four in one go, and the program can print its first line before that; a
 * signal sent earlier still has its default action (nsbridge ends, by design: program-runner.ts).
 * SIGHUP and SIGQUIT tell: Node itself catches SIGINT and SIGTERM from its start (to restore the
 * terminal before it dies of them), but not these two.
 */
function forwardsSignals(pid: number): boolean {
  const caught = BigInt(`0x${/^SigCgt:\s*(\w+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? '0'}`);
  return [constants.signals.SIGHUP, constants.signals.SIGQUIT].every((signal) => (caught >> BigInt(signal - 1)) & 1n);
}

/** `nsbridge run …` in the background until its program printed 'ready'. */
async function startRun(args: readonly string[]): Promise<{ child: ChildProcess; program: number }> {
  const { child } = await nsbridgeUntil(['run', ...args], 'ready');
  children.push(child);
  const program = await programOf(child.pid!);
  await until(() => forwardsSignals(child.pid!));
  return { child, program };
}

describe('nsbridge run: namespaces', () => {
  itWith(isRoot, 'needs root', "--pid --mount-proc: the program is pid 1 and ps -e shows only the new namespace's processes", () => {
    const before = procMounts();
    const result = nsbridge(['run', '--pid', '--mount-proc', '--', 'sh', '-c', 'echo $$; ps -e -o pid=,comm=; exit 0']); // exit: bash would exec ps in place of sh
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [first, ...ps] = result.stdout.trim().split('\n');
    expect(first).toBe('1');
    expect(ps.map((line) => line.trim().split(/\s+/))).toEqual([
      ['1', 'sh'],
      ['2', 'ps'],
    ]);
    expect(procMounts()).toEqual(before); // the new proc mount stayed in the program's mount namespace
  });

  itWith(canDrop, whyNobody, '--user -r as uid 65534: the program is root of the new user namespace, setgroups deny', () => {
    const result = nsbridge(['run', '--user', '-r', '--', 'sh', '-c', 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'], { asNobody: true });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      ['0'],
      ['0'],
      ['0', String(NOBODY), '1'],
      ['0', String(NOBODY), '1'],
      ['deny'],
    ]);
  });

  itWith(canDrop, whyNobody, '-r alone (without --user) implies the user namespace', () => {
    const result = nsbridge(['run', '-r', 'id', '-u'], { asNobody: true });
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([0, '0\n']);
  });

  itWith(isRoot, 'needs root', '--uts --hostname: the program sees the new name, ours is unchanged', () => {
    const ours = hostname();
    const result = nsbridge(['run', '--uts', '--hostname', 'nsb-run-x', '--', 'hostname']);
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([0, 'nsb-run-x\n']);
    expect(hostname()).toBe(ours);
  });

  itWith(isRoot, 'needs root', '--net: the new network namespace has only lo', () => {
    // /proc/net/dev shows the reader's network namespace (/sys/class/net would show the one
    // sysfs was mounted in, the host's, unless sysfs is remounted).
    const result = nsbridge(['run', '--net', '--', 'cat', '/proc/net/dev']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const interfaces = result.stdout.trim().split('\n').slice(2).map((line) => line.split(':')[0]!.trim());
    expect(interfaces).toEqual(['lo']);
  });

  itWith(isRoot, 'needs root', '--map-users / --map-groups (repeatable) write exactly those uid_map / gid_map lines', () => {
    const result = nsbridge([
      'run', '--map-users', '0:100000:1000', '--map-users', '1000:0:1', '--map-groups', '0:200000:10',
      '--', 'cat', '/proc/self/uid_map', '/proc/self/gid_map',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number))).toEqual([
      [0, 100000, 1000],
      [1000, 0, 1],
      [0, 200000, 10],
    ]);
  });

  // The first user of /etc/passwd other than root, by name, and its uid there (nobody is 65534
  // on Debian, 99 on older RHEL; any name will do).
  const someone = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')).find((f) => f.length > 2 && f[0] !== 'root' && /^\d+$/.test(f[2]!));
  itWith(isRoot && someone !== undefined, 'needs root and a user besides root in /etc/passwd', '--map-user / --map-group take names from /etc/passwd and /etc/group', () => {
    const result = nsbridge(['run', '--map-user', someone![0]!, '--map-group', 'root', '--', 'cat', '/proc/self/uid_map', '/proc/self/gid_map', '/proc/self/setgroups']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      [someone![2]!, '0', '1'],
      ['0', '0', '1'],
      ['deny'],
    ]);
  });

  // The kernel refuses an offset that would put the clock below 0 now (ERANGE), so negative
  // offsets are derived from CLOCK_MONOTONIC at the time of the test (process.hrtime reads it):
  // a machine booted a minute ago must pass too.
  const monotonicSeconds = (): number => Number(process.hrtime.bigint() / 1_000_000n) / 1000;

  itWith(isRoot && hasTime && procUptimeIsKernels, `needs root, time namespaces and ${UPTIME_NOT_KERNELS.replace(/^needs /, '')}`, '--boottime shifts /proc/uptime; a negative --monotonic lands in timens_offsets', () => {
    // Half the current clock value, at most 1000 s, plus half a second: always within range.
    const whole = Math.min(1000, Math.floor(monotonicSeconds() / 2));
    const before = uptime();
    const result = nsbridge(['run', '--boottime', '100000', '--monotonic', `-${whole}.5`, '--', 'sh', '-c', 'cat /proc/uptime /proc/self/timens_offsets']);
    const after = uptime();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [uptimeLine, ...offsets] = result.stdout.trim().split('\n');
    const inner = Number(uptimeLine!.split(' ')[0]);
    expect(inner).toBeGreaterThanOrEqual(Math.floor(before) + 100000);
    expect(inner).toBeLessThanOrEqual(Math.ceil(after) + 100000 + 1);
    // A negative offset is floored to a timespec: -N.5 s = -(N + 1) s + 500000000 ns.
    expect(offsets.map((line) => line.trim().split(/\s+/))).toEqual([
      ['monotonic', String(-(whole + 1)), '500000000'],
      ['boottime', '100000', '0'],
    ]);
  });

  itWith(isRoot && hasTime, 'needs root and time namespaces', '--monotonic just below minus the current clock value is ERANGE; just above it runs', () => {
    // proc_timens_set_offset: now + offset must have tv_sec >= 0. One second of margin each way.
    const now = monotonicSeconds();
    // The kernel checks when nsbridge writes the offset, some time after `now` (Node's start,
    // more under ASan): the clock only grows, so a margin of 30 s keeps the refused case refused.
    const refused = nsbridge(['run', '--monotonic', String(-(Math.ceil(now) + 30)), '--', 'true']);
    expect([refused.status, refused.stdout]).toEqual([125, '']);
    expect(refused.stderr).toBe('nsbridge: timens_offsets failed: ERANGE (write): timens_offsets: the offset would put the clock below 0 or above KTIME_SEC_MAX / 2 seconds\n');
    const accepted = nsbridge(['run', '--monotonic', String(-(Math.floor(now) - 1)), '--', 'cat', '/proc/self/timens_offsets']);
    expect(accepted.stderr).toBe('');
    expect(accepted.status).toBe(0);
    expect(accepted.stdout.split('\n')[0]!.trim().split(/\s+/)).toEqual(['monotonic', String(-(Math.floor(now) - 1)), '0']);
  });

  it('--wd sets the working directory; options after the program are its own', () => {
    const result = nsbridge(['run', '--wd', '/etc', 'sh', '-c', 'pwd; echo "$0" "$1"', 'a', '-b']);
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([0, '/etc\na -b\n']);
  });

  it('the program gets exactly fds 0, 1, 2: our stdio, nothing else of nsbridge', () => {
    // ls runs as the shell's child and lists the shell's fds (no command substitution: its pipe
    // would be one more).
    const result = nsbridge(['run', '--', 'sh', '-c', 'ls /proc/$$/fd; exit 0']); // exit: bash would exec ls in place of sh
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([0, '0\n1\n2\n']);
  });

  it('without a program, $SHELL runs on our stdin', () => {
    const result = nsbridge(['run'], { input: 'echo from-stdin; exit 5\n', env: { ...process.env, SHELL: '/bin/sh' } });
    expect(result.stderr).toBe('');
    expect([result.status, result.stdout]).toEqual([5, 'from-stdin\n']);
  });
});

// --- next to util-linux: the same flags, the same results ------------------------------------

/** A command line other than node to completion (without the ASan runtime): [status, stdout, stderr]. */
function runCommand(argv: readonly string[]): [number | null, string, string] {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: repoRoot, encoding: 'utf8', env: PLAIN_ENV, timeout: 30_000, killSignal: 'SIGKILL' });
  return [result.status, result.stdout, result.stderr];
}

/** `nsbridge run <flags> -- <program>` and `unshare --fork <flags> <program>`: the same status and stdout. */
function sameAsUnshare(flags: readonly string[], program: readonly string[], unshareFlags: readonly string[] = flags): string {
  const ours = nsbridge(['run', ...flags, '--', ...program]);
  const theirs = runCommand(['unshare', '--fork', ...unshareFlags, '--', ...program]);
  expect(ours.stderr).toBe('');
  expect(theirs[2]).toBe('');
  expect([ours.status, ours.stdout]).toEqual([theirs[0], theirs[1]]);
  return ours.stdout;
}

const UNSHARE = 'needs root and util-linux unshare';
const haveUnshare = isRoot && hasCommands('unshare');

describe('nsbridge run next to unshare(1)', () => {
  itWith(haveUnshare, UNSHARE, '-S / -G: the uid and gid the program runs as', () => {
    expect(sameAsUnshare(['-S', String(NOBODY), '-G', String(NOBODY)], ['sh', '-c', 'id -u; id -g'])).toBe(`${NOBODY}\n${NOBODY}\n`);
  });

  itWith(haveUnshare, UNSHARE, '-R / -w: root and working directory (-w after -R, inside it)', () => {
    expect(sameAsUnshare(['-R', '/', '-w', '/etc'], ['pwd'])).toBe('/etc\n');
    expect(sameAsUnshare(['--root', '/usr'], ['/bin/sh', '-c', 'pwd; test -d /lib && echo has-lib'], ['--root', '/usr'])).toBe('/\nhas-lib\n');
  });

  itWith(isRoot, 'needs root', "-R to a directory that does not exist: step 'root', ENOENT (chroot), exit 125", () => {
    const result = nsbridge(['run', '-R', '/nonexistent-nsbridge-root', '--', 'true']);
    expect([result.status, result.stdout]).toEqual([125, '']);
    expect(result.stderr).toBe("nsbridge: root failed: ENOENT (chroot): the new root does not exist (in the program's mount namespace)\n");
  });

  itWith(haveUnshare, UNSHARE, '-c / --map-current-user: the own ids mapped to themselves, setgroups deny', () => {
    expect(sameAsUnshare(['-c'], ['cat', '/proc/self/uid_map', '/proc/self/gid_map', '/proc/self/setgroups'])).toMatch(/^\s+0\s+0\s+1\n\s+0\s+0\s+1\ndeny\n$/);
  });

  itWith(haveUnshare, UNSHARE, '--keep-caps: a program that is not root in its user namespace keeps the capabilities in the ambient set', () => {
    const caps = 'grep ^Cap /proc/self/status';
    const kept = sameAsUnshare(['--user', '--map-user=1000', '--keep-caps'], ['sh', '-c', caps]);
    expect(kept).toMatch(/^CapAmb:\t0*1f+$/m);
    const dropped = sameAsUnshare(['--user', '--map-user=1000'], ['sh', '-c', caps]);
    expect(dropped).toMatch(/^CapAmb:\t0{16}$/m);
  });

  itWith(haveUnshare, UNSHARE, '--propagation: the new mount namespace\'s / as unshare leaves it', () => {
    // Field 7 of mountinfo: shared:N / master:N, or nothing for private (mount_namespaces(7)).
    const propagation = "awk '$5 == \"/\" { print ($7 ~ /^(shared|master)/) ? \"propagates\" : \"private\" }' /proc/self/mountinfo";
    for (const mode of ['private', 'slave', 'shared', 'unchanged']) sameAsUnshare(['--mount', '--propagation', mode], ['sh', '-c', propagation]);
    expect(sameAsUnshare(['--mount'], ['sh', '-c', propagation])).toBe('private\n');
  });

  itWith(haveUnshare, UNSHARE, 'short flags cluster as in getopt, and a bare kind flag takes no value: -pf runs the next word as the program', () => {
    expect(sameAsUnshare(['-pfm', '--mount-proc'], ['sh', '-c', 'echo $$'])).toBe('1\n');
    const result = nsbridge(['run', '--net', 'cat', '/proc/net/dev']);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout.trim().split('\n').slice(2).map((line) => line.split(':')[0]!.trim())).toEqual(['lo']);
  });

  itWith(haveUnshare && hasCommands('mount', 'sh', 'awk'), `${UNSHARE}, mount, sh, awk`, '--net=FILE / --uts=FILE / --pid=FILE persist the namespaces as unshare does (in a mount namespace of the test)', () => {
    // Both in one private mount namespace, so the bind mounts vanish with it.
    const dir = mkdtempSync(join(tmpdir(), 'nsb-persist-'));
    const script = [
      'set -e',
      'for who in ours theirs; do for kind in net uts pid; do : > "$1/$who-$kind"; done; done',
      'd="$1"; shift',
      '"$@" dist/cli/main.js run --net="$d/ours-net" --uts="$d/ours-uts" --pid="$d/ours-pid" -- true',
      'unshare --fork --net="$d/theirs-net" --uts="$d/theirs-uts" --pid="$d/theirs-pid" true',
      // fstype and the kind of each nsfs mount (root field "<kind>:[inode]")
      'awk -v d="$d/" \'index($5, d) == 1 { split($0, p, " - "); split(p[2], f, " "); sub(/:.*/, "", $4); sub(d, "", $5); print $5, f[1], $4 }\' /proc/self/mountinfo | sort',
    ].join('\n');
    try {
      const [status, stdout, stderr] = runCommand(['unshare', '-m', 'sh', '-c', script, 'sh', dir, ...nodeArgv(...NODE_ARGS)]);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(stdout).toBe(['ours-net nsfs net', 'ours-pid nsfs pid', 'ours-uts nsfs uts', 'theirs-net nsfs net', 'theirs-pid nsfs pid', 'theirs-uts nsfs uts', ''].join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itWith(isRoot && hasCommands('unshare', 'mount'), 'needs root, unshare and mount', '--map-auto and --map-users auto: the first /etc/subuid and /etc/subgid ranges of the user, from 0', () => {
    // The test's own /etc/subuid and /etc/subgid: an overlay on /etc in a private mount namespace.
    const dir = mkdtempSync(join(tmpdir(), 'nsb-subid-'));
    mkdirSync(join(dir, 'up'));
    mkdirSync(join(dir, 'work'));
    const script = [
      'set -e',
      'd="$1"; shift',
      'mount -t overlay overlay -o lowerdir=/etc,upperdir="$d/up",workdir="$d/work" /etc',
      "printf 'someone:50000:10\\nroot:100000:65536\\nroot:300000:5\\n' > /etc/subuid",
      "printf '0:200000:1000\\n' > /etc/subgid",
      '"$@" dist/cli/main.js run --map-auto -- cat /proc/self/uid_map /proc/self/gid_map',
      '"$@" dist/cli/main.js run --map-users auto --map-groups 0:7:1 -- cat /proc/self/uid_map /proc/self/gid_map',
    ].join('\n');
    try {
      const [status, stdout, stderr] = runCommand(['unshare', '-m', 'sh', '-c', script, 'sh', dir, ...nodeArgv(...NODE_ARGS)]);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number))).toEqual([
        [0, 100000, 65536], [0, 200000, 1000], // by user name, by uid
        [0, 100000, 65536], [0, 7, 1],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itWith(isRoot, 'needs root', '--map-users in util-linux 2.38\'s outer,inner,count form and 2.39\'s inner:outer:count form', () => {
    const result = nsbridge(['run', '--map-users', '100000,0,10', '--map-users', '10:0:1', '--', 'cat', '/proc/self/uid_map']);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number))).toEqual([[0, 100000, 10], [10, 0, 1]]);
  });

  it('-V / --version, for nsbridge and each command', () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    for (const args of [['-V'], ['--version'], ['run', '-V'], ['enter', '--version'], ['ls', '-V'], ['probe', '-V'], ['verify', '-V']]) {
      const result = nsbridge(args);
      expect([args, result.status, result.stdout, result.stderr]).toEqual([args, 0, `nsbridge ${version}\n`, '']);
    }
  });
});

describe('nsbridge run: exit codes and signals', () => {
  it("the program's exit code is nsbridge's", () => {
    expect(nsbridge(['run', '--', 'sh', '-c', 'exit 7']).status).toBe(7);
    expect(nsbridge(['run', '--', 'true']).status).toBe(0);
  });

  it('a program killed by a signal gives 128 + the signal number', () => {
    // Not pid 1 (no --pid): a namespace's init would ignore its own SIGTERM.
    const result = nsbridge(['run', '--', 'sh', '-c', 'kill -TERM $$']);
    expect([result.status, result.signal]).toEqual([143, null]);
    expect(nsbridge(['run', '--', 'sh', '-c', 'kill -KILL $$']).status).toBe(137);
    expect(nsbridge(['run', '--', 'sh', '-c', 'kill -s 40 $$']).status).toBe(168); // a real-time signal
  });

  itWith(isRoot, 'needs root', 'as pid 1 too: the exit code propagates', () => {
    expect(nsbridge(['run', '--pid', '--', 'sh', '-c', 'exit 9']).status).toBe(9);
  });

  it('SIGTERM sent to nsbridge reaches the program, whose exit code is ours', async () => {
    const { child } = await startRun(['--', 'sh', '-c', 'trap "exit 3" TERM; echo ready; while :; do sleep 0.05; done']);
    child.kill('SIGTERM');
    expect(await ended(child)).toEqual({ code: 3, signal: null });
  });

  it('a second SIGTERM kills a program that ignores the first: 137', async () => {
    // The program traps TERM and carries on; "ready2" says the trap ran, so the first one arrived.
    const { child, output } = await startRunWithOutput(['--', 'sh', '-c', 'trap "echo ready2" TERM; echo ready; while :; do sleep 0.05; done']);
    child.kill('SIGTERM');
    await until(() => output().includes('ready2'));
    child.kill('SIGTERM');
    expect(await ended(child)).toEqual({ code: 137, signal: null });
  });

  it('a second SIGINT is passed on too, not escalated: a program that handles Ctrl-C keeps running', async () => {
    const { child, output } = await startRunWithOutput(['--', 'sh', '-c', 'trap "echo int" INT; trap "exit 4" TERM; echo ready; while :; do sleep 0.05; done']);
    child.kill('SIGINT');
    await until(() => output().split('int').length - 1 >= 1);
    child.kill('SIGINT');
    await until(() => output().split('int').length - 1 >= 2);
    child.kill('SIGTERM');
    expect(await ended(child)).toEqual({ code: 4, signal: null });
  });

  const cgroup2ForFreeze = findCgroup2Mount();
  itWith(isRoot && cgroup2ForFreeze !== null && hasCommands('timeout'), 'needs root, cgroup2 (cgroup.freeze) and timeout', 'a setup that hangs (a frozen cgroup: the child never reaches exec) is ended by SIGTERM, as timeout(1) sends it; thawed later, the half-made child does not run the program', () => {
    const frozen = join(cgroup2ForFreeze!.mountPoint, `nsbridge-frozen-${process.pid}`);
    const marker = join(mkdtempSync(join(tmpdir(), 'nsbridge-frozen-')), 'ran');
    mkdirSync(frozen);
    writeFileSync(join(frozen, 'cgroup.freeze'), '1');
    try {
      // timeout's own status when it had to end the command: 124. Before, SIGTERM only queued
      // while spawn() waited for the frozen child, and timeout waited for ever.
      const result = spawnSync('timeout', ['-s', 'TERM', '2', ...nodeArgv(...NODE_ARGS, 'dist/cli/main.js'), 'run', '--cgroup-path', frozen, '--', 'touch', marker], {
        // No pipes: the frozen child holds whatever nsbridge had open until it is thawed.
        cwd: repoRoot, stdio: 'ignore', env: PLAIN_ENV, timeout: 30_000, killSignal: 'SIGKILL',
      });
      expect([result.status, result.signal]).toEqual([124, null]);
      expect(readFileSync(join(frozen, 'cgroup.procs'), 'utf8')).not.toBe(''); // the child, still frozen
    } finally {
      // Thawed, the half-made child finds its spawner gone and exits before exec; then the cgroup can go.
      writeFileSync(join(frozen, 'cgroup.freeze'), '0');
      for (let i = 0; i < 500 && readFileSync(join(frozen, 'cgroup.procs'), 'utf8') !== ''; i++) spawnSync('sleep', ['0.01']);
      rmdirSync(frozen);
    }
    expect(existsSync(marker)).toBe(false);
    rmSync(dirname(marker), { recursive: true, force: true });
  });

  it('SIGINT sent to nsbridge reaches a program without a handler: 130', async () => {
    const { child, program } = await startRun(['--', 'sh', '-c', 'echo ready; exec sleep 1000']);
    child.kill('SIGINT');
    expect(await ended(child)).toEqual({ code: 130, signal: null });
    expect(await gone(program)).toBe(true);
  });

  itWith(isRoot, 'needs root', 'a pid-1 program without a handler, which the kernel would spare, is ended with SIGKILL: 137', async () => {
    const { child, program } = await startRun(['--pid', '--', 'sh', '-c', 'echo ready; exec sleep 1000']);
    child.kill('SIGTERM');
    expect(await ended(child)).toEqual({ code: 137, signal: null });
    expect(await gone(program)).toBe(true);
  });

  itWith(isRoot, 'needs root', '--init: the handler-less program is pid 2 behind nsbridge-init, which passes SIGTERM on: 143, the program ended by it; its exit status is ours', async () => {
    const { child, program } = await startRun(['--pid', '--init', '--', 'sh', '-c', 'echo ready; exec sleep 1000']);
    expect(readFileSync(`/proc/${program}/comm`, 'utf8')).toBe('nsbridge-init\n');
    child.kill('SIGTERM');
    expect(await ended(child)).toEqual({ code: 143, signal: null });
    expect(await gone(program)).toBe(true);
    const result = nsbridge(['run', '--pid', '--init', '--', 'sh', '-c', 'echo $$; exit 3']);
    expect([result.status, result.stdout, result.stderr]).toEqual([3, '2\n', '']);
    const usage = nsbridge(['run', '--init', '--', 'true']);
    expect([usage.status, usage.stderr]).toEqual([2, 'error: option --init needs --pid: the init runs as pid 1 of the new pid namespace\n(run with --help for usage)\n']);
  });

  itWith(isRoot, 'needs root', 'a pid-1 program with a handler gets the signal itself', async () => {
    const { child } = await startRun(['--pid', '--', 'sh', '-c', 'trap "exit 4" INT; echo ready; while :; do sleep 0.05; done']);
    child.kill('SIGINT');
    expect(await ended(child)).toEqual({ code: 4, signal: null });
  });

  itWith(isRoot, 'needs root', '--kill-child: SIGKILL to nsbridge kills the program too (pid 1 of a new pid namespace)', async () => {
    const { child, program } = await startRun(['--pid', '--kill-child', '--', 'sh', '-c', 'echo ready; exec sleep 1000']);
    child.kill('SIGKILL');
    expect(await ended(child)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await gone(program)).toBe(true);
  });

  it('--kill-child=TERM: the program gets SIGTERM when nsbridge dies; without --kill-child it lives on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsb-kill-child-'));
    try {
      const note = join(dir, 'signal');
      // The note's path is an argument ($1): TMPDIR may hold spaces or glob characters.
      const withFlag = await startRun(['--kill-child=TERM', '--', 'sh', '-c', `trap 'echo TERM > "$1"; exit 0' TERM; echo ready; while :; do sleep 0.05; done`, 'sh', note]);
      const without = await startRun(['--', 'sh', '-c', 'echo ready; exec sleep 1000']);
      const [killed, spared] = [withFlag.program, without.program];
      withFlag.child.kill('SIGKILL');
      without.child.kill('SIGKILL');
      await ended(withFlag.child);
      await ended(without.child);
      expect(await gone(killed)).toBe(true);
      expect(readFileSync(note, 'utf8')).toBe('TERM\n');
      expect(await gone(spared, 500)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const cgroup2 = findCgroup2Mount();

describe('nsbridge run: cgroup', () => {
  itWith(isRoot && cgroup2 !== null && report.features.cloneIntoCgroup.supported, 'needs root, a cgroup2 mount and CLONE_INTO_CGROUP', '--cgroup-path starts the program in that cgroup', () => {
    const dir = join(cgroup2!.mountPoint, `nsbridge-cli-run-${process.pid}`);
    mkdirSync(dir);
    try {
      const result = nsbridge(['run', '--cgroup-path', dir, '--', 'cat', '/proc/self/cgroup']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout.split('\n').filter((line) => line.startsWith('0::'))).toEqual([cgroupLineOf(cgroup2!, dir)]);
    } finally {
      rmdirSync(dir); // empty again: the program has exited and was reaped
    }
  });
});

describe('nsbridge run: setup failures', () => {
  it('a cgroup that does not exist: one line with step, errno, hint; exit 125', () => {
    const result = nsbridge(['run', '--cgroup-path', '/nonexistent', '--', 'true']);
    expect(result.status).toBe(125);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('nsbridge: cgroup failed: ENOENT (open): the --cgroup-path directory does not exist (a cgroup v2 directory, e.g. under /sys/fs/cgroup)\n');
  });

  itWith(canBeNobody, 'needs root and setpriv to drop privileges', 'unprivileged --net without --user: EPERM with the hint, exit 125', () => {
    const result = nsbridge(['run', '--net', '--', 'true'], { asNobody: true });
    expect(result.status).toBe(125);
    expect(result.stderr).toMatch(/^nsbridge: unshare:net failed: EPERM \(clone3\): .*CAP_SYS_ADMIN.*\n$/);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  itWith(canDrop, whyNobody, 'as uid 65534, a uid map beyond the own uid: uid_map EPERM with the hint, exit 125', () => {
    const result = nsbridge(['run', '--map-users', '0:0:10', '--', 'true'], { asNobody: true });
    expect([result.status, result.stdout]).toEqual([125, '']);
    expect(result.stderr).toMatch(/^nsbridge: uid_map failed: EPERM \(write\): .+\n$/);
  });

  it('a program that is not on PATH: 127; one that cannot be executed: 126', () => {
    const missing = nsbridge(['run', '--', 'nsbridge-no-such-program']);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/^nsbridge: execve failed: ENOENT \(execve\): no such program.*\n$/);
    const notExecutable = nsbridge(['run', '--', '/etc/passwd']);
    expect(notExecutable.status).toBe(126);
    expect(notExecutable.stderr).toMatch(/^nsbridge: execve failed: EACCES \(execve\): .+\n$/);
  });
});

describe('nsbridge run: usage errors (exit 2, the flag named, nothing run)', () => {
  const cases: [string[], RegExp][] = [
    [['--setgroups', 'bogus'], /option '--setgroups <mode>' argument 'bogus' is invalid/],
    [['--map-users', '1:2'], /option '--map-users <inner:outer:count>' argument '1:2' is invalid/],
    [['--map-users', '0:0:0'], /option '--map-users <inner:outer:count>' argument '0:0:0' is invalid/],
    [['--map-user', 'no-such-user-here'], /option '--map-user <uid\|name>' argument 'no-such-user-here' is invalid/],
    [['--map-group', '-1'], /option '--map-group <gid\|name>' argument '-1' is invalid/],
    [['--monotonic', 'abc'], /option '--monotonic <seconds>' argument 'abc' is invalid/],
    [['--boottime', ''], /option '--boottime <seconds>' argument '' is invalid/],
    [['--kill-child=NOPE'], /option '--kill-child \[signal\]' argument 'NOPE' is invalid/],
    [['--kill-child=0'], /option '--kill-child \[signal\]' argument '0' is invalid/],
    [['--mount-proc=relative'], /option '--mount-proc \[dir\]' argument 'relative' is invalid/],
    [['--hostname', 'x'.repeat(65)], /option '--hostname <name>' argument '.*' is invalid. must be 1 to 64 bytes, got 65/],
    [['--mount-proc'], /option --mount-proc needs --pid/],
    [['-r', '--map-user', '0'], /options --map-root-user and --map-user\/--map-group cannot be used together: each maps your own ids/],
    [['-r', '-c'], /options --map-root-user and --map-current-user cannot be used together/],
    [['--map-auto', '-r'], /options --map-auto and --map-root-user cannot be used together/],
    [['--keep-caps'], /option --keep-caps needs a new user namespace \(--user\)/],
    [['--propagation', 'slave'], /option --propagation needs a new mount namespace \(--mount\)/],
    [['--mount', '--propagation', 'rslave'], /option '--propagation <mode>' argument 'rslave' is invalid/],
    [['--net=relative'], /option '-n, --net \[file\]' argument 'relative' is invalid\. must be an absolute path/],
    [['-S', 'nobody'], /option '-S, --setuid <uid>' argument 'nobody' is invalid/],
    [['--map-users', '1,2'], /option '--map-users <inner:outer:count>' argument '1,2' is invalid/],
    [['-r', '--setgroups', 'allow'], /options --setgroups allow and --map-root-user cannot be used together/],
    [['--setgroups', 'deny'], /option --setgroups needs a new user namespace \(--user\)/],
    [['--map-users', '0:0:10', '--map-users', '5:100:10'], /uid map line 1 and uid map line 2 overlap in their inside ranges \(the uid map is .*--map-users\)/],
    [['--bogus'], /unknown option '--bogus'/],
  ];
  for (const [flags, message] of cases) {
    it(`run ${flags.join(' ')}`, () => {
      const result = nsbridge(['run', ...flags, '--', 'sh', '-c', 'echo ran']);
      expect(result.stderr).toMatch(message);
      expect([result.status, result.stdout]).toEqual([2, '']);
    });
  }

  it('--help ends with examples and documents the exit codes', () => {
    const result = nsbridge(['run', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/125 +nsbridge could not set up/);
    expect(result.stdout).toMatch(/\nExamples:\n( {2}nsbridge run .+\n)+$/);
  });
});
