/**
 * spawn() end to end: every option against the real kernel, with real programs (sh, cat, sleep,
 * env, node) and no mocks. Namespaces are only ever created or joined by the spawned programs;
 * this process reads them from outside (pidfd, /proc/<pid>/...) or the program reports what it sees.
 *
 * Every program started here goes through start(), and afterEach kills and reaps whatever is still
 * running, closes our ends of its stdio and removes the temporary files and cgroups the test made.
 * (The programs a worker or a fixture process spawns are reaped by those tests themselves.)
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { hostname as ourHostname, tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NAMESPACE_TYPES, Namespace, NsChild, ProcessHandle, SpawnError, cgroupLineOf, findCgroup2Mount, probe, spawn, type NamespaceType, type SpawnOptions } from '../src/index.js';
import { explain } from '../src/model/explain.js';
import { TMP_NOEXEC, UPTIME_NOT_KERNELS, isRoot, itWith, procUptimeIsKernels, tmpAllowsExec } from './helpers/features.js';
import { fdTarget, repoRoot } from './helpers/processes.js';

// --- host features --------------------------------------------------------------------------

const { features } = probe();
const ROOT = 'needs root (creating namespaces other than user, choosing pids, changing credentials)';
const hasNsOfChild = features.pidfdNamespaces.supported;
const NS_OF_CHILD = `child.namespace() needs PIDFD_GET_<KIND>_NAMESPACE (Linux 6.11): ${features.pidfdNamespaces.detail}`;
const hasTimeNs = features.timeNamespaces.supported;
const TIME_NS = `needs time namespaces (Linux 5.6): ${features.timeNamespaces.detail}`;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

const cgroup2 = findCgroup2Mount();
const hasCgroup2 = cgroup2 !== null && features.cloneIntoCgroup.supported;
const CGROUP2 = `needs a cgroup2 mount and CLONE_INTO_CGROUP (Linux 5.7): ${features.cloneIntoCgroup.detail}`;

// --- bookkeeping: every process reaped, every stream closed, every temp file removed ----------

const live = new Set<NsChild>();
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const child of live) {
    child.kill('SIGKILL');
    await child.exited.catch(() => {});
    for (const stream of child.stdio) stream?.destroy();
  }
  live.clear();
  // After the processes: a cgroup can only be removed once it is empty.
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** spawn(), remembered for afterEach. */
function start(file: string, args: readonly string[], options?: SpawnOptions): NsChild {
  const child = spawn(file, args, options);
  live.add(child);
  return child;
}

/** Everything a stream yields until its end, as text ('' for a slot without a stream). */
function text(stream: Socket | null | undefined): Promise<string> {
  if (stream == null) return Promise.resolve('');
  stream.setEncoding('utf8');
  let data = '';
  stream.on('data', (chunk: string) => {
    data += chunk;
  });
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve(data));
    stream.once('error', reject);
  });
}

/** The first `count` lines a (still running) program writes. */
function firstLines(stream: Socket | null, count: number): Promise<string[]> {
  if (stream === null) throw new Error('no stream to read lines from');
  stream.setEncoding('utf8');
  let data = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: string): void => {
      data += chunk;
      const lines = data.split('\n');
      if (lines.length > count) {
        stream.off('data', onData);
        resolve(lines.slice(0, count));
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`the program ended its output after ${JSON.stringify(data)}`)));
  });
}

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Run a program to its end; its stdout and stderr as text. A setup failure rejects. */
async function run(file: string, args: readonly string[], options?: SpawnOptions): Promise<Outcome> {
  const child = start(file, args, options);
  const [stdout, stderr] = [text(child.stdout), text(child.stderr)];
  const exit = await child.exited;
  return { ...exit, stdout: await stdout, stderr: await stderr };
}

const sh = (script: string, options?: SpawnOptions): Promise<Outcome> => run('sh', ['-c', script], options);

/** A program that runs until its stdin ends, then exits 0. Prints `script`'s output first. */
const parkAfter = (script: string): [string, string[]] => ['sh', ['-c', `${script}\nread line\nexit 0`]];

/** End a parked program's stdin and check it exited 0. */
async function release(child: NsChild): Promise<void> {
  child.stdin!.end();
  expect(await child.exited).toEqual({ code: 0, signal: null });
}

/** The SpawnError a failed spawn rejects `ready` (and `exited`) with. */
async function setupFailure(child: NsChild): Promise<SpawnError> {
  const error: unknown = await child.ready.then(
    () => new Error('spawn was expected to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpawnError);
  await expect(child.exited).rejects.toBe(error);
  expect(child.pid).toBeUndefined();
  return error as SpawnError;
}

function ourInode(kind: NamespaceType): bigint {
  using ns = Namespace.of('self', kind);
  return ns.inode;
}

function inodeOf(child: NsChild, kind: NamespaceType): bigint {
  using ns = child.namespace(kind);
  return ns.inode;
}

function sameNamespace(a: NsChild, b: NsChild, kind: NamespaceType): boolean {
  using x = a.namespace(kind);
  using y = b.namespace(kind);
  return x.equals(y);
}

/** "net:[4026531840]" as /proc/<pid>/ns/net reads. */
const nsLink = (kind: NamespaceType, inode: bigint): string => `${kind}:[${inode}]`;

/** A uid_map / gid_map / timens_offsets file split into whitespace-separated fields per line. */
function fields(content: string): string[][] {
  return content
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/));
}

const idMapOf = (pid: number, file: 'uid_map' | 'gid_map'): number[][] => fields(readFileSync(`/proc/${pid}/${file}`, 'utf8')).map((line) => line.map(Number));

/** Lines "Key:\tvalue" of a /proc/<pid>/status text, as a map. */
function statusFields(status: string): Map<string, string> {
  return new Map(status.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

/** A temporary directory (real path), removed after the test. */
function tempDir(): string {
  const dir = realpathSync(mkdtempSync(joinPath(tmpdir(), 'nsbridge-spawn-')));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A pid nobody has in our pid namespace: well ahead of the last one handed out (new pids are
 * allocated upwards from there), and with no /proc entry (which also covers thread ids).
 */
function freePid(): number {
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  const last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
  for (let n = 0, pid = last + 5000; n < pidMax; n++, pid++) {
    if (pid >= pidMax) pid = 1000;
    if (!existsSync(`/proc/${pid}`)) return pid;
  }
  throw new Error('no free pid');
}

/** A fresh cgroup v2 directory, removed (rmdir) after the test once its processes are gone. */
function makeCgroup(): { path: string; name: string } {
  const name = `nsbridge-spawn-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const path = joinPath(cgroup2!.mountPoint, name);
  mkdirSync(path);
  cleanups.push(() => rmdirSync(path));
  return { path, name: cgroupLineOf(cgroup2!, path).slice('0::'.length) };
}

/** The "0::<path>" line of a /proc/<pid>/cgroup text (the cgroup v2 one). */
const v2Line = (content: string): string | undefined => content.split('\n').find((line) => line.startsWith('0::'));

// --- namespaces -----------------------------------------------------------------------------

describe('namespaces', () => {
  for (const kind of NAMESPACE_TYPES) {
    itWith(
      isRoot && hasNsOfChild && (kind !== 'time' || hasTimeNs),
      !isRoot ? ROOT : !hasNsOfChild ? NS_OF_CHILD : TIME_NS,
      `namespaces: { ${kind}: true } puts the program in a new ${kind} namespace and leaves every other kind ours`,
      async () => {
        const child = start('sleep', ['1000'], { namespaces: { [kind]: true }, stdio: 'ignore' });
        await child.ready;
        for (const other of NAMESPACE_TYPES) {
          if (other === kind) expect(inodeOf(child, other), other).not.toBe(ourInode(other));
          else expect(inodeOf(child, other), other).toBe(ourInode(other));
        }
        expect(child.kill('SIGKILL')).toBe(true);
        expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
      },
    );
  }

  itWith(
    isRoot && hasNsOfChild && hasTimeNs,
    !isRoot ? ROOT : !hasNsOfChild ? NS_OF_CHILD : TIME_NS,
    'the array form creates every listed kind: /proc/self/ns inside matches child.namespace() outside, and differs from ours',
    async () => {
      const [file, args] = parkAfter(`for kind in ${NAMESPACE_TYPES.join(' ')}; do readlink /proc/self/ns/$kind; done`);
      const child = start(file, args, { namespaces: NAMESPACE_TYPES, stdio: ['pipe', 'pipe', 'inherit'] });
      const inside = await firstLines(child.stdout, NAMESPACE_TYPES.length);
      expect(inside).toEqual(NAMESPACE_TYPES.map((kind) => nsLink(kind, inodeOf(child, kind))));
      for (const kind of NAMESPACE_TYPES) expect(inodeOf(child, kind), kind).not.toBe(ourInode(kind));
      await release(child);
    },
  );

  itWith(isRoot && hasNsOfChild, !isRoot ? ROOT : NS_OF_CHILD, 'the object form creates only the kinds set to true (false and undefined create nothing)', async () => {
    const child = start('sleep', ['1000'], { namespaces: { net: true, uts: false, ipc: undefined, mnt: true }, stdio: 'ignore' });
    await child.ready;
    for (const kind of NAMESPACE_TYPES) {
      if (kind === 'net' || kind === 'mnt') expect(inodeOf(child, kind), kind).not.toBe(ourInode(kind));
      else expect(inodeOf(child, kind), kind).toBe(ourInode(kind));
    }
  });

  itWith(isRoot && hasNsOfChild, !isRoot ? ROOT : NS_OF_CHILD, 'pid: the program is pid 1 inside, nspid() is [hostPid, 1], and its pid namespace is the new one', async () => {
    const [file, args] = parkAfter('echo $$; readlink /proc/self/ns/pid');
    const child = start(file, args, { namespaces: ['pid'], stdio: ['pipe', 'pipe', 'inherit'] });
    const [pidInside, link] = await firstLines(child.stdout, 2);
    expect(pidInside).toBe('1');
    expect(child.nspid()).toEqual([child.pid, 1]);
    using theirs = child.namespace('pid');
    using ours = Namespace.of('self', 'pid');
    expect(link).toBe(nsLink('pid', theirs.inode));
    expect(theirs.equals(ours)).toBe(false);
    // The new pid namespace is a child of ours.
    using parent = theirs.parent();
    expect(parent?.equals(ours)).toBe(true);
    await release(child);
  });

  itWith(isRoot, ROOT, 'uts: the program reads back hostname and domainname; ours stay as they were', async () => {
    const hostBefore = ourHostname();
    const domainBefore = readFileSync('/proc/sys/kernel/domainname', 'utf8');
    expect(hostBefore).not.toBe('nsbridge-box');
    const result = await sh('hostname; cat /proc/sys/kernel/domainname', { namespaces: ['uts'], hostname: 'nsbridge-box', domainname: 'nsbridge.test' });
    expect(result).toEqual({ code: 0, signal: null, stdout: 'nsbridge-box\nnsbridge.test\n', stderr: '' });
    expect(ourHostname()).toBe(hostBefore);
    expect(readFileSync('/proc/sys/kernel/domainname', 'utf8')).toBe(domainBefore);
  });

  itWith(isRoot, ROOT, 'net: a new network namespace has only the loopback interface', async () => {
    const result = await run('cat', ['/proc/self/net/dev'], { namespaces: ['net'] });
    expect(result.code).toBe(0);
    // Two header lines, then "  <name>: <counters>" per interface.
    const names = result.stdout.split('\n').slice(2).filter((l) => l.includes(':')).map((l) => l.split(':')[0]!.trim());
    expect(names).toEqual(['lo']);
  });
});

// --- user namespaces ------------------------------------------------------------------------

describe('user namespaces', () => {
  itWith(isRoot, ROOT, 'mapRootUser: the program is uid 0 / gid 0 inside, and the maps read "0 <our euid|egid> 1"', async () => {
    const [file, args] = parkAfter('id -u; id -g; cat /proc/self/setgroups');
    const child = start(file, args, { namespaces: ['user'], mapRootUser: true, stdio: ['pipe', 'pipe', 'inherit'] });
    expect(await firstLines(child.stdout, 3)).toEqual(['0', '0', 'allow']);
    expect(idMapOf(child.pid!, 'uid_map')).toEqual([[0, process.geteuid!(), 1]]);
    expect(idMapOf(child.pid!, 'gid_map')).toEqual([[0, process.getegid!(), 1]]);
    // We are root: the gid map needs no setgroups 'deny' first.
    expect(readFileSync(`/proc/${child.pid}/setgroups`, 'utf8')).toBe('allow\n');
    await release(child);
  });

  itWith(isRoot, ROOT, 'uidMap / gidMap with several ranges are written as given; our ids appear inside as mapped', async () => {
    const uidMap = [
      { inside: 0, outside: 100_000, count: 1000 },
      { inside: 1000, outside: 0, count: 1 },
      { inside: 2000, outside: 200_000, count: 50 },
    ];
    const gidMap = [
      { inside: 0, outside: 300_000, count: 10 },
      { inside: 500, outside: 0, count: 1 },
    ];
    const [file, args] = parkAfter('id -u; id -g');
    const child = start(file, args, { namespaces: ['user'], uidMap, gidMap, stdio: ['pipe', 'pipe', 'inherit'] });
    // We are uid 0 / gid 0 outside: inside that is 1000 / 500.
    expect(await firstLines(child.stdout, 2)).toEqual(['1000', '500']);
    expect(idMapOf(child.pid!, 'uid_map')).toEqual(uidMap.map((e) => [e.inside, e.outside, e.count]));
    expect(idMapOf(child.pid!, 'gid_map')).toEqual(gidMap.map((e) => [e.inside, e.outside, e.count]));
    await release(child);
  });

  itWith(isRoot, ROOT, 'a map of more than 5 ranges (the kernel sorts those) reads back as the same set of lines', async () => {
    const uidMap = [5, 3, 0, 4, 1, 2].map((i) => ({ inside: i * 10, outside: 100_000 + i * 1000, count: 10 }));
    const child = start('sleep', ['1000'], { namespaces: ['user'], uidMap, stdio: 'ignore' });
    await child.ready;
    const sorted = (rows: number[][]): number[][] => [...rows].sort((a, b) => a[0]! - b[0]!);
    expect(sorted(idMapOf(child.pid!, 'uid_map'))).toEqual(sorted(uidMap.map((e) => [e.inside, e.outside, e.count])));
    // No gid map was given: it stays empty.
    expect(idMapOf(child.pid!, 'gid_map')).toEqual([]);
  });

  itWith(isRoot, ROOT, "setgroups: 'deny' is visible in /proc/<pid>/setgroups, inside and out", async () => {
    const [file, args] = parkAfter('cat /proc/self/setgroups');
    const child = start(file, args, { namespaces: ['user'], mapRootUser: true, setgroups: 'deny', stdio: ['pipe', 'pipe', 'inherit'] });
    expect(await firstLines(child.stdout, 1)).toEqual(['deny']);
    expect(readFileSync(`/proc/${child.pid}/setgroups`, 'utf8')).toBe('deny\n');
    await release(child);
  });

  itWith(isRoot, ROOT, "groups after setgroups 'deny' fail at step 'groups' with EPERM", async () => {
    const error = await setupFailure(start('true', [], { namespaces: ['user'], mapRootUser: true, setgroups: 'deny', groups: [0] }));
    expect(error).toMatchObject({ step: 'groups', code: 'EPERM', errno: -1, syscall: 'setgroups', path: 'true' });
  });

  itWith(isRoot, ROOT, "a uid that is not mapped in the new user namespace fails at step 'setuid' with EINVAL", async () => {
    const error = await setupFailure(start('true', [], { namespaces: ['user'], mapRootUser: true, uid: 5 }));
    expect(error).toMatchObject({ step: 'setuid', code: 'EINVAL', errno: -22, syscall: 'setresuid' });
    expect(error.hint).toBe("the uid is not mapped in the program's user namespace");
  });
});

// --- mountProc ------------------------------------------------------------------------------

describe('mountProc', () => {
  const mountinfo = (): string => readFileSync('/proc/self/mountinfo', 'utf8');

  itWith(isRoot, ROOT, "mountProc: true shows only the new pid namespace's processes, and our /proc mounts stay as they were", async () => {
    const before = mountinfo();
    // echo is a shell builtin: the shell (pid 1) is the only process in the namespace.
    const result = await sh('echo /proc/[0-9]*', { namespaces: ['pid', 'mnt'], mountProc: true });
    expect(result).toEqual({ code: 0, signal: null, stdout: '/proc/1\n', stderr: '' });
    expect(mountinfo()).toBe(before);
  });

  itWith(isRoot, ROOT, 'mountProc: <path> mounts proc there, in the program only', async () => {
    const dir = tempDir();
    const before = mountinfo();
    const result = await sh(`echo "${dir}"/[0-9]*; readlink "${dir}/self"; exit 0`, { namespaces: ['pid', 'mnt'], mountProc: dir });
    // readlink is pid 2: the only other process (the shell) is 1.
    expect(result).toEqual({ code: 0, signal: null, stdout: `${dir}/1\n2\n`, stderr: '' });
    expect(readdirSync(dir)).toEqual([]);
    expect(mountinfo()).toBe(before);
  });

  itWith(isRoot, ROOT, 'with a user namespace too (mapRootUser), the proc mount still works', async () => {
    const result = await sh('echo /proc/[0-9]*; id -u', { namespaces: ['user', 'pid', 'mnt'], mapRootUser: true, mountProc: true });
    expect(result).toEqual({ code: 0, signal: null, stdout: '/proc/1\n0\n', stderr: '' });
  });

  itWith(isRoot, ROOT, "a mount point that does not exist fails at step 'mount:<path>' with ENOENT", async () => {
    const error = await setupFailure(start('true', [], { namespaces: ['pid', 'mnt'], mountProc: '/nonexistent-nsbridge-dir' }));
    expect(error).toMatchObject({ step: 'mount:/nonexistent-nsbridge-dir', code: 'ENOENT', errno: -2, syscall: 'mount' });
  });
});

// --- timeOffsets ----------------------------------------------------------------------------

describe('timeOffsets', () => {
  const DAY = 86_400n;
  const NS = 1_000_000_000n;
  const uptime = (content: string): number => Number(content.split(' ')[0]);
  const TOLERANCE = 5; // seconds: readings are bracketed; this only absorbs rounding and clock steps

  itWith(isRoot && hasTimeNs && procUptimeIsKernels, !isRoot ? ROOT : !hasTimeNs ? TIME_NS : UPTIME_NOT_KERNELS, 'monotonic and boottime are shifted inside by the offsets; realtime is not', async () => {
    const script =
      'const fs = require("node:fs");' +
      'console.log(JSON.stringify({ monotonic: String(process.hrtime.bigint()), uptime: fs.readFileSync("/proc/uptime", "utf8"), realtime: Date.now() }))';
    const before = { monotonic: process.hrtime.bigint(), uptime: uptime(readFileSync('/proc/uptime', 'utf8')), realtime: Date.now() };
    const result = await run(process.execPath, ['-e', script], { namespaces: ['time'], timeOffsets: { monotonic: 1000, boottime: 10n * DAY * NS }, env: {} });
    const after = { monotonic: process.hrtime.bigint(), uptime: uptime(readFileSync('/proc/uptime', 'utf8')), realtime: Date.now() };
    expect(result.code).toBe(0);
    const inside = JSON.parse(result.stdout) as { monotonic: string; uptime: string; realtime: number };

    const monotonic = Number(BigInt(inside.monotonic) - 1000n * NS) / 1e9;
    expect(monotonic).toBeGreaterThanOrEqual(Number(before.monotonic) / 1e9 - TOLERANCE);
    expect(monotonic).toBeLessThanOrEqual(Number(after.monotonic) / 1e9 + TOLERANCE);

    const boottime = uptime(inside.uptime) - Number(10n * DAY);
    expect(boottime).toBeGreaterThanOrEqual(before.uptime - TOLERANCE);
    expect(boottime).toBeLessThanOrEqual(after.uptime + TOLERANCE);

    expect(inside.realtime).toBeGreaterThanOrEqual(before.realtime - TOLERANCE * 1000);
    expect(inside.realtime).toBeLessThanOrEqual(after.realtime + TOLERANCE * 1000);
  });

  itWith(isRoot && hasTimeNs && hasNsOfChild, !isRoot ? ROOT : !hasTimeNs ? TIME_NS : NS_OF_CHILD, '/proc/<pid>/timens_offsets of the running program holds the exact offsets', async () => {
    const child = start('sleep', ['1000'], { namespaces: ['time'], timeOffsets: { monotonic: 1000, boottime: 10n * DAY * NS }, stdio: 'ignore' });
    await child.ready;
    expect(fields(readFileSync(`/proc/${child.pid}/timens_offsets`, 'utf8'))).toEqual([
      ['monotonic', '1000', '0'],
      ['boottime', '864000', '0'],
    ]);
    expect(inodeOf(child, 'time')).not.toBe(ourInode('time'));
  });

  itWith(isRoot && hasTimeNs, !isRoot ? ROOT : TIME_NS, 'fractional and negative offsets become (seconds, nanoseconds) like a timespec', async () => {
    const child = start('sleep', ['1000'], { namespaces: ['time'], timeOffsets: { monotonic: -1.5, boottime: 1_500_000_001n }, stdio: 'ignore' });
    await child.ready;
    expect(fields(readFileSync(`/proc/${child.pid}/timens_offsets`, 'utf8'))).toEqual([
      ['monotonic', '-2', '500000000'],
      ['boottime', '1', '500000001'],
    ]);
  });

  itWith(isRoot && hasTimeNs, !isRoot ? ROOT : TIME_NS, "an offset that moves a clock below zero fails at step 'timens_offsets' with ERANGE", async () => {
    const error = await setupFailure(start('true', [], { namespaces: ['time'], timeOffsets: { boottime: -1e9 } }));
    expect(error).toMatchObject({ step: 'timens_offsets', code: 'ERANGE', errno: -34, syscall: 'write' });
  });
});

// --- setTid ---------------------------------------------------------------------------------

describe('setTid', () => {
  itWith(isRoot, ROOT, 'setTid: [1, X] with a new pid namespace: the program is X here and 1 inside', async () => {
    const pid = freePid();
    const child = start('sleep', ['1000'], { namespaces: ['pid'], setTid: [1, pid], stdio: 'ignore' });
    await child.ready;
    expect(child.pid).toBe(pid);
    expect(child.nspid()).toEqual([pid, 1]);
  });

  itWith(isRoot, ROOT, 'setTid: [X] without a new pid namespace: the program is pid X', async () => {
    const pid = freePid();
    const result = await sh('echo $$', { setTid: [pid] });
    expect(result).toEqual({ code: 0, signal: null, stdout: `${pid}\n`, stderr: '' });
  });

  itWith(isRoot, ROOT, "a pid that is taken fails at step 'set_tid' with EEXIST", async () => {
    const error = await setupFailure(start('true', [], { setTid: [process.pid] }));
    expect(error).toMatchObject({ step: 'set_tid', code: 'EEXIST', errno: -17, syscall: 'clone3' });
  });
});

// --- cgroup ---------------------------------------------------------------------------------

describe('cgroup', () => {
  itWith(isRoot && hasCgroup2, !isRoot ? ROOT : CGROUP2, 'cgroup: the program starts in the given cgroup v2 directory', async () => {
    const cgroup = makeCgroup();
    const child = start('sleep', ['1000'], { cgroup: cgroup.path, stdio: 'ignore' });
    await child.ready;
    expect(v2Line(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'))).toBe(`0::${cgroup.name}`);
    expect(readFileSync(joinPath(cgroup.path, 'cgroup.procs'), 'utf8')).toBe(`${child.pid}\n`);
    child.kill('SIGKILL');
    await child.exited;
    expect(readFileSync(joinPath(cgroup.path, 'cgroup.procs'), 'utf8')).toBe('');
  });

  itWith(isRoot && hasCgroup2, !isRoot ? ROOT : CGROUP2, 'with a new cgroup namespace, that cgroup is the root the program sees', async () => {
    const cgroup = makeCgroup();
    const [file, args] = parkAfter('grep "^0::" /proc/self/cgroup');
    const child = start(file, args, { cgroup: cgroup.path, namespaces: ['cgroup'], stdio: ['pipe', 'pipe', 'inherit'] });
    expect(await firstLines(child.stdout, 1)).toEqual(['0::/']);
    expect(v2Line(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'))).toBe(`0::${cgroup.name}`);
    await release(child);
  });

  itWith(features.cloneIntoCgroup.supported, CGROUP2, "a cgroup directory that does not exist fails at step 'cgroup' with ENOENT", async () => {
    const error = await setupFailure(start('true', [], { cgroup: '/nonexistent-nsbridge-cgroup' }));
    expect(error).toMatchObject({ step: 'cgroup', code: 'ENOENT', errno: -2, syscall: 'open' });
  });

  itWith(features.cloneIntoCgroup.supported, CGROUP2, "a directory that is not a cgroup v2 fails at step 'cgroup' with EBADF", async () => {
    const error = await setupFailure(start('true', [], { cgroup: tempDir() }));
    expect(error).toMatchObject({ step: 'cgroup', code: 'EBADF', errno: -9, syscall: 'clone3' });
    expect(error.hint).toBe('the cgroup path is not an open cgroup v2 directory');
  });
});

// --- join -----------------------------------------------------------------------------------

describe('join', () => {
  const TARGET_KINDS = ['pid', 'uts', 'net', 'ipc', 'mnt', 'user'] as const satisfies readonly NamespaceType[];
  const OTHER_KINDS = NAMESPACE_TYPES.filter((k) => !(TARGET_KINDS as readonly string[]).includes(k));
  const gate = isRoot && hasNsOfChild;
  const reason = !isRoot ? ROOT : NS_OF_CHILD;

  /** A parked process in new pid/uts/net/ipc/mnt/user namespaces, root inside. */
  async function startTarget(namespaces: readonly NamespaceType[] = TARGET_KINDS): Promise<NsChild> {
    const target = start('sleep', ['1000'], { namespaces, mapRootUser: true, hostname: 'nsbridge-target', stdio: 'ignore' });
    await target.ready;
    for (const kind of namespaces) expect(inodeOf(target, kind), kind).not.toBe(ourInode(kind));
    return target;
  }

  /** What a joined program reports: hostname, its pid inside, cwd, the uid map it sees. */
  const REPORT = 'hostname; echo $$; pwd -P; cat /proc/self/uid_map';

  async function expectJoined(child: NsChild, target: NsChild, joined: readonly NamespaceType[], exitCode: number): Promise<void> {
    const lines = await firstLines(child.stdout, 4);
    for (const kind of NAMESPACE_TYPES) {
      if (joined.includes(kind)) expect(sameNamespace(child, target, kind), kind).toBe(true);
      else expect(inodeOf(child, kind), kind).toBe(ourInode(kind));
    }
    const nspid = child.nspid();
    expect(nspid).toHaveLength(2);
    expect(nspid[0]).toBe(child.pid);
    expect(lines.slice(0, 2)).toEqual(['nsbridge-target', String(nspid[1])]);
    // setns(mnt) puts the program at the root of the joined mount namespace.
    expect(lines[2]).toBe(joined.includes('mnt') ? '/' : realpathSync(process.cwd()));
    // Entering the target's user namespace makes the program root in it (its map: 0 -> our uid).
    expect(fields(lines[3]!)).toEqual(joined.includes('user') ? [['0', String(process.geteuid!()), '1']] : fields(readFileSync('/proc/self/uid_map', 'utf8')));
    child.stdin!.end();
    // Still our child: we reap it and get its real exit status.
    expect(await child.exited).toEqual({ code: exitCode, signal: null });
  }

  itWith(gate, reason, 'join { target: ProcessHandle, kinds }: the program is in exactly those namespaces of the target', async () => {
    const target = await startTarget();
    const child = start('sh', ['-c', `${REPORT}; read line; exit 7`], { join: { target: target.process!, kinds: TARGET_KINDS }, stdio: ['pipe', 'pipe', 'inherit'] });
    await expectJoined(child, target, TARGET_KINDS, 7);
  });

  itWith(gate, reason, 'join { target: pid }: the same, through a pid', async () => {
    const target = await startTarget();
    const child = start('sh', ['-c', `${REPORT}; read line; exit 9`], { join: { target: target.pid!, kinds: TARGET_KINDS }, stdio: ['pipe', 'pipe', 'inherit'] });
    await expectJoined(child, target, TARGET_KINDS, 9);
  });

  itWith(gate, reason, 'join { <kind>: Namespace }: per-kind handles', async () => {
    const target = await startTarget();
    const handles = Object.fromEntries(TARGET_KINDS.map((kind) => [kind, target.namespace(kind)]));
    try {
      const child = start('sh', ['-c', `${REPORT}; read line; exit 3`], { join: handles, stdio: ['pipe', 'pipe', 'inherit'] });
      await expectJoined(child, target, TARGET_KINDS, 3);
    } finally {
      for (const ns of Object.values(handles)) ns.close();
    }
  });

  itWith(gate, reason, 'join only some kinds: the rest stay ours (here: uts and pid, not mnt or user)', async () => {
    const target = await startTarget();
    const child = start('sh', ['-c', `${REPORT}; read line; exit 0`], { join: { target: target.process!, kinds: ['uts', 'pid'] }, stdio: ['pipe', 'pipe', 'inherit'] });
    await expectJoined(child, target, ['uts', 'pid'], 0);
  });

  itWith(gate && hasTimeNs, !gate ? reason : TIME_NS, "kinds: 'all' joins every kind, time and cgroup included", async () => {
    const target = await startTarget(NAMESPACE_TYPES);
    const child = start('sh', ['-c', `${REPORT}; read line; exit 5`], { join: { target: target.process!, kinds: 'all' }, stdio: ['pipe', 'pipe', 'inherit'] });
    await expectJoined(child, target, NAMESPACE_TYPES, 5);
  });

  itWith(gate, reason, 'without kinds, every kind of the target that is not ours is joined', async () => {
    const target = await startTarget();
    const child = start('sh', ['-c', `${REPORT}; read line; exit 0`], { join: { target: target.process! }, stdio: ['pipe', 'pipe', 'inherit'] });
    // The target's cgroup and time namespaces are ours: joining them is skipped, the result is the same.
    for (const kind of OTHER_KINDS) expect(inodeOf(target, kind), kind).toBe(ourInode(kind));
    await expectJoined(child, target, TARGET_KINDS, 0);
  });

  itWith(gate, reason, 'join our own process: nothing changes (same namespaces, same pid namespace, our cwd)', async () => {
    const [file, args] = parkAfter('pwd -P');
    const child = start(file, args, { join: { target: process.pid }, stdio: ['pipe', 'pipe', 'inherit'] });
    expect(await firstLines(child.stdout, 1)).toEqual([realpathSync(process.cwd())]);
    expect(child.nspid()).toEqual([child.pid]);
    for (const kind of NAMESPACE_TYPES) expect(inodeOf(child, kind), kind).toBe(ourInode(kind));
    await release(child);
  });

  itWith(gate, reason, "join a user namespace and create a net namespace: the new one is owned by the target's user namespace", async () => {
    const target = await startTarget();
    const child = start('sleep', ['1000'], { join: { target: target.process!, kinds: ['user'] }, namespaces: ['net'], stdio: 'ignore' });
    await child.ready;
    using net = child.namespace('net');
    using targetNet = target.namespace('net');
    using owner = net.owner();
    using targetUser = target.namespace('user');
    expect(net.inode).not.toBe(ourInode('net'));
    expect(net.equals(targetNet)).toBe(false);
    expect(owner?.equals(targetUser)).toBe(true);
    expect(sameNamespace(child, target, 'user')).toBe(true);
  });

  itWith(gate, reason, "join a pid namespace with a new mnt and mountProc: /proc shows the target's namespace", async () => {
    const target = await startTarget();
    const [file, args] = parkAfter('echo /proc/[0-9]*');
    const child = start(file, args, { join: { target: target.process!, kinds: ['pid'] }, namespaces: ['mnt'], mountProc: true, stdio: ['pipe', 'pipe', 'inherit'] });
    const [listing] = await firstLines(child.stdout, 1);
    // The target (1) and the program's shell: nothing else lives in that pid namespace.
    expect(listing).toBe(`/proc/1 /proc/${child.nspid()[1]}`);
    await release(child);
  });

  itWith(gate, reason, 'setTid into a joined pid namespace: [pid inside, pid here]', async () => {
    const target = await startTarget();
    const pid = freePid();
    const child = start('sleep', ['1000'], { join: { target: target.process!, kinds: ['pid'] }, setTid: [77, pid], stdio: 'ignore' });
    await child.ready;
    expect(child.nspid()).toEqual([pid, 77]);
    expect(sameNamespace(child, target, 'pid')).toBe(true);
  });

  itWith(gate, reason, "a target that has exited fails at step 'setns' with ESRCH", async () => {
    const target = await startTarget();
    target.kill('SIGKILL');
    await target.exited;
    const error = await setupFailure(start('true', [], { join: { target: target.process! } }));
    expect(error).toMatchObject({ step: 'setns', code: 'ESRCH', errno: -3 });
    expect(error.hint).toBe(explain({ syscall: 'setns', code: 'ESRCH' }));
    expect(error.hint).toMatch(/^setns\(pidfd\): the process has been reaped/);
  });

  itWith(gate, reason, "a pid namespace whose init has exited fails at step 'clone3:pid' with ENOMEM", async () => {
    const target = await startTarget();
    using pid = target.namespace('pid');
    target.kill('SIGKILL');
    await target.exited;
    const error = await setupFailure(start('true', [], { join: { pid } }));
    expect(error).toMatchObject({ step: 'clone3:pid', code: 'ENOMEM', errno: -12, syscall: 'clone3' });
  });
});

// --- process attributes ---------------------------------------------------------------------

describe('process attributes', () => {
  it('cwd: a string and a file: URL', async () => {
    const dir = tempDir();
    expect(await sh('pwd -P', { cwd: dir })).toEqual({ code: 0, signal: null, stdout: `${dir}\n`, stderr: '' });
    expect(await sh('pwd -P', { cwd: pathToFileURL(dir) })).toEqual({ code: 0, signal: null, stdout: `${dir}\n`, stderr: '' });
    // Default: ours.
    expect((await sh('pwd -P')).stdout).toBe(`${realpathSync(process.cwd())}\n`);
  });

  it("a cwd that does not exist fails at step 'chdir' with ENOENT", async () => {
    const error = await setupFailure(start('true', [], { cwd: '/nonexistent-nsbridge-dir' }));
    expect(error).toMatchObject({ step: 'chdir', code: 'ENOENT', errno: -2, syscall: 'chdir' });
  });

  it('env: the program gets exactly the given variables (undefined ones left out)', async () => {
    const result = await run('env', [], { env: { A: '1', B: 'two words', EMPTY: '', SKIPPED: undefined } });
    expect(result).toEqual({ code: 0, signal: null, stdout: 'A=1\nB=two words\nEMPTY=\n', stderr: '' });
  });

  it("default env: process.env as it is at spawn time (a variable set and one deleted just before)", async () => {
    process.env.NSBRIDGE_SPAWN_SET = 'set before spawning';
    process.env.NSBRIDGE_SPAWN_DELETED = 'deleted before spawning';
    delete process.env.NSBRIDGE_SPAWN_DELETED;
    try {
      const result = await run('env', ['-0']);
      expect(result.code).toBe(0);
      const theirs = result.stdout.split('\0').filter((entry) => entry !== '');
      expect(theirs).toContain('NSBRIDGE_SPAWN_SET=set before spawning');
      expect(theirs.filter((entry) => entry.startsWith('NSBRIDGE_SPAWN_DELETED='))).toEqual([]);
      const ours = Object.entries(process.env).map(([key, value]) => `${key}=${value}`);
      expect([...theirs].sort()).toEqual([...ours].sort());
    } finally {
      delete process.env.NSBRIDGE_SPAWN_SET;
    }
  });

  it('spawn(file, options) without args', async () => {
    const dir = tempDir();
    const child = spawn('pwd', { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    live.add(child);
    const stdout = text(child.stdout);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(await stdout).toBe(`${dir}\n`);
  });

  it('argv0: what the program sees as argv[0] (default: the file as given)', async () => {
    expect((await sh('echo $0', { argv0: 'nsbridge-argv0' })).stdout).toBe('nsbridge-argv0\n');
    expect((await sh('echo $0')).stdout).toBe('sh\n');
  });

  it("PATH search uses options.env.PATH, not ours; without it the program is not found (step 'execve', ENOENT)", async () => {
    const dir = tempDir();
    const program = joinPath(dir, 'nsbridge-spawn-hello');
    writeFileSync(program, '#!/bin/sh\necho "hello from $0"\n');
    chmodSync(program, 0o755);
    expect(process.env.PATH?.split(':')).not.toContain(dir);
    const result = await run('nsbridge-spawn-hello', [], { env: { PATH: `/nonexistent-nsbridge-dir:${dir}` } });
    expect(result).toEqual({ code: 0, signal: null, stdout: `hello from ${program}\n`, stderr: '' });

    const error = await setupFailure(start('nsbridge-spawn-hello', [], { env: { PATH: '/nonexistent-nsbridge-dir' } }));
    expect(error).toMatchObject({ step: 'execve', code: 'ENOENT', errno: -2, syscall: 'execve', path: 'nsbridge-spawn-hello' });
    expect(error.hint).toMatch(/^no such program/);
  });

  itWith(tmpAllowsExec, TMP_NOEXEC, "no shell retry: a script without #! fails at step 'execve' with ENOEXEC; a file without x with EACCES", async () => {
    const dir = tempDir();
    writeFileSync(joinPath(dir, 'no-shebang'), 'echo hi\n');
    chmodSync(joinPath(dir, 'no-shebang'), 0o755);
    writeFileSync(joinPath(dir, 'not-executable'), '#!/bin/sh\necho hi\n');
    chmodSync(joinPath(dir, 'not-executable'), 0o644);
    const noExec = await setupFailure(start(joinPath(dir, 'no-shebang'), []));
    expect(noExec).toMatchObject({ step: 'execve', code: 'ENOEXEC', errno: -8, syscall: 'execve' });
    const denied = await setupFailure(start(joinPath(dir, 'not-executable'), []));
    expect(denied).toMatchObject({ step: 'execve', code: 'EACCES', errno: -13, syscall: 'execve' });
    // Like execvp: EACCES from one PATH entry is reported when no later entry has the program.
    const searched = await setupFailure(start('not-executable', [], { env: { PATH: `${dir}:/nonexistent-nsbridge-dir` } }));
    expect(searched).toMatchObject({ step: 'execve', code: 'EACCES' });
  });

  // The errno name comes from the C library (libuv's list lacks ENOEXEC, and calls 95 ENOTSUP).
  itWith(tmpAllowsExec, TMP_NOEXEC, "a script without #! is reported as code 'ENOEXEC', with the execve:ENOEXEC hint", async () => {
    const dir = tempDir();
    writeFileSync(joinPath(dir, 'no-shebang'), 'echo hi\n');
    chmodSync(joinPath(dir, 'no-shebang'), 0o755);
    const error = await setupFailure(start(joinPath(dir, 'no-shebang'), []));
    expect(error).toMatchObject({ step: 'execve', code: 'ENOEXEC', errno: -8, syscall: 'execve' });
    expect(error.hint).toBe(`${joinPath(dir, 'no-shebang')}: ENOEXEC, not a binary or script the kernel can run (no shell is used to retry it)`);
  });

  itWith(tmpAllowsExec, TMP_NOEXEC, 'PATH search with the default env uses process.env.PATH', async () => {
    const dir = tempDir();
    const program = joinPath(dir, 'nsbridge-spawn-hello');
    writeFileSync(program, '#!/bin/sh\necho "hello from $0"\n');
    chmodSync(program, 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved ?? ''}`;
    let child: NsChild;
    try {
      child = start('nsbridge-spawn-hello', []);
    } finally {
      process.env.PATH = saved;
    }
    const stdout = text(child.stdout);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(await stdout).toBe(`hello from ${program}\n`);
  });

  itWith(isRoot, ROOT, 'uid, gid and groups: set exactly (from /proc/self/status of the program)', async () => {
    const result = await run('cat', ['/proc/self/status'], { uid: 1234, gid: 2345, groups: [3456, 4567] });
    expect(result.code).toBe(0);
    const status = statusFields(result.stdout);
    expect(status.get('Uid')!.split(/\s+/)).toEqual(['1234', '1234', '1234', '1234']);
    expect(status.get('Gid')!.split(/\s+/)).toEqual(['2345', '2345', '2345', '2345']);
    expect(status.get('Groups')).toBe('3456 4567');
    expect((await sh('id -u; id -g; id -G', { uid: 1234, gid: 2345, groups: [3456, 4567] })).stdout).toBe('1234\n2345\n2345 3456 4567\n');
  });

  itWith(isRoot && hasSetpriv, !isRoot ? ROOT : 'needs setpriv (util-linux)', 'uid / gid without groups drop the supplementary groups of the spawning process (like child_process)', () => {
    // We have no supplementary groups ourselves: a node started by setpriv with two does the spawns.
    const result = spawnSync('setpriv', ['--groups=3456,4567', '--', process.execPath, 'test/fixtures/spawn-options-groups.mjs'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ default: '3456 4567', uidAndGid: '', gidOnly: '', uidOnly: '', explicit: '11 22' });
  });
});

// --- signals --------------------------------------------------------------------------------

describe('signals', () => {
  const SIGPIPE_BIT = 1n << 12n;
  const masks = (status: string): Record<string, bigint> => {
    const fieldsOf = statusFields(status);
    return Object.fromEntries(['SigPnd', 'SigBlk', 'SigIgn'].map((key) => [key, BigInt(`0x${fieldsOf.get(key)}`)]));
  };

  it('the program starts with no ignored, blocked or pending signals, though we ignore SIGPIPE', async () => {
    expect(masks(readFileSync('/proc/self/status', 'utf8')).SigIgn! & SIGPIPE_BIT).toBe(SIGPIPE_BIT);
    const result = await run('cat', ['/proc/self/status']);
    expect(result.code).toBe(0);
    expect(masks(result.stdout)).toEqual({ SigPnd: 0n, SigBlk: 0n, SigIgn: 0n });
  });

  itWith(isRoot, ROOT, 'the same for a program cloned into a new pid namespace (the two-step spawn)', async () => {
    const result = await run('cat', ['/proc/self/status'], { namespaces: ['pid'] });
    expect(result.code).toBe(0);
    expect(masks(result.stdout)).toEqual({ SigPnd: 0n, SigBlk: 0n, SigIgn: 0n });
  });
});

// --- fds ------------------------------------------------------------------------------------

describe('fds', () => {
  /** The shell's own fds (not those of an ls it forks: `exit 0` keeps dash from exec'ing ls). */
  const LIST_FDS = 'ls /proc/$$/fd; exit 0';

  it('the program gets only fds 0, 1, 2', async () => {
    const result = await sh(LIST_FDS);
    expect(result).toEqual({ code: 0, signal: null, stdout: '0\n1\n2\n', stderr: '' });
  });

  it('an extra stdio slot with an fd of ours: the program has it as fd 3 (and nothing else)', async () => {
    const file = joinPath(tempDir(), 'extra');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    cleanups.push(() => closeSync(fd));
    const result = await sh('ls /proc/$$/fd; readlink /proc/$$/fd/3; exit 0', { stdio: ['ignore', 'pipe', 'pipe', fd] });
    expect(result).toEqual({ code: 0, signal: null, stdout: `0\n1\n2\n3\n${file}\n`, stderr: '' });
  });

  it('fds of ours that are not close-on-exec do not reach the program (a child process with an inherited fd 40)', () => {
    const marker = joinPath(tempDir(), 'inherited');
    writeFileSync(marker, '');
    const fd = openSync(marker, 'r');
    cleanups.push(() => closeSync(fd));
    // child_process hands `fd` to the fixture as its fd 40, without O_CLOEXEC.
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(37).fill('ignore'), fd];
    const result = spawnSync(process.execPath, ['test/fixtures/spawn-options-fds.mjs'], { cwd: repoRoot, encoding: 'utf8', stdio, timeout: 60_000, killSignal: 'SIGKILL' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { notCloexec: string[]; plain: string[]; passed: string[]; ownSlot: string[] };
    expect(report.notCloexec).toContain(`40>${marker}`);
    expect(report.plain).toEqual(['0', '1', '2']);
    // Given as a stdio slot it does reach the program: as slot 3, or in its own slot 40.
    expect(report.passed).toEqual(['0', '1', '2', '3', marker]);
    expect(report.ownSlot).toEqual([marker]);
  });
});

// --- stdio ----------------------------------------------------------------------------------

describe('stdio', () => {
  it("'pipe': what we write to stdin comes back on stdout (cat)", async () => {
    const child = start('cat', []);
    const stdout = text(child.stdout);
    child.stdin!.end('line one\nline two\n');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(await stdout).toBe('line one\nline two\n');
    expect(child.stdio.slice(0, 3)).toEqual([child.stdin, child.stdout, child.stderr]);
  });

  it("'pipe' for stderr", async () => {
    expect(await sh('echo to-stderr >&2')).toEqual({ code: 0, signal: null, stdout: '', stderr: 'to-stderr\n' });
  });

  it("'ignore': the slot is /dev/null", async () => {
    // Read into variables first: dash applies a redirection (>&2) to its own fds while the command runs.
    const result = await sh('in=$(readlink /proc/$$/fd/0); out=$(readlink /proc/$$/fd/1); echo "$in $out" >&2', { stdio: ['ignore', 'ignore', 'pipe'] });
    expect(result).toEqual({ code: 0, signal: null, stdout: '', stderr: '/dev/null /dev/null\n' });
    // The string form: all three (the program can only answer through its exit code).
    const child = start('sh', ['-c', 'test "$(readlink /proc/$$/fd/0)$(readlink /proc/$$/fd/1)$(readlink /proc/$$/fd/2)" = /dev/null/dev/null/dev/null'], { stdio: 'ignore' });
    expect(child.stdio).toEqual([null, null, null]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it("'inherit': the program's slot is our fd of the same number", async () => {
    const result = await sh('readlink /proc/$$/fd/0 /proc/$$/fd/2', { stdio: ['inherit', 'pipe', 'inherit'] });
    expect(result).toEqual({ code: 0, signal: null, stdout: `${fdTarget(0)}\n${fdTarget(2)}\n`, stderr: '' });
    const child = start('sh', ['-c', `test "$(readlink /proc/$$/fd/1)" = "${fdTarget(1)}"`], { stdio: 'inherit' });
    expect(child.stdio).toEqual([null, null, null]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('a number (and { fd }): the program writes into our file', async () => {
    const file = joinPath(tempDir(), 'out');
    const fd = openSync(file, 'w');
    cleanups.push(() => closeSync(fd));
    const child = start('sh', ['-c', 'echo to-stdout; echo to-stderr >&2'], { stdio: ['ignore', fd, { fd }] });
    expect(child.stdio).toEqual([null, null, null]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(readFileSync(file, 'utf8')).toBe('to-stdout\nto-stderr\n');
  });

  it('slots may swap our fds: [ignore, 2, 1] gives the program our stderr as stdout and our stdout as stderr', async () => {
    expect(fdTarget(1)).not.toBe(fdTarget(2));
    const child = start('sh', ['-c', `test "$(readlink /proc/$$/fd/1)" = "${fdTarget(2)}" && test "$(readlink /proc/$$/fd/2)" = "${fdTarget(1)}"`], { stdio: ['ignore', 2, 1] });
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it("extra slots given as 'ignore' or null are closed in the program, like child_process", async () => {
    // Shell builtins only (no pipeline whose fds would show up): of 3, 4 and 5 only 5 is open.
    const script = 'for f in 3 4 5; do [ -e /proc/$$/fd/$f ] && printf "%s " $f; done; true';
    const extra = openSync('/dev/null', 'r');
    try {
      const result = await sh(script, { stdio: ['ignore', 'pipe', 'pipe', 'ignore', null, extra] });
      expect(result.stdout).toBe('5 ');
    } finally {
      closeSync(extra);
    }
  });

  it("an extra 'pipe' slot (3) is a duplex stream: we read what the program writes to fd 3, and it reads what we write", async () => {
    const child = start('sh', ['-c', 'read line <&3; echo "got $line"; echo from-fd-3 >&3'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    expect(child.stdio).toHaveLength(4);
    const [stdout, extra] = [text(child.stdout), text(child.stdio[3])];
    child.stdio[3]!.write('ping\n');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(await stdout).toBe('got ping\n');
    expect(await extra).toBe('from-fd-3\n');
  });
});

// --- killOnParentDeath ----------------------------------------------------------------------

describe('killOnParentDeath', () => {
  // Spawned from a worker thread, which then ends: PR_SET_PDEATHSIG fires when the spawning
  // *thread* exits. The programs are reparented to another thread of this process, so they stay
  // our children: ProcessHandle observes their exit, and the reaper reaps them.
  itWith(isRoot, ROOT, 'fires when the spawning thread exits: armed programs get the signal, an unarmed one lives on', async () => {
    const worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.url).then(async ({ spawn }) => {
        const children = [
          spawn('sleep', ['1000'], { killOnParentDeath: 'SIGUSR1', stdio: 'ignore' }),
          // Pid 1 of a pid namespace ignores signals it has no handler for, except SIGKILL.
          spawn('sleep', ['1000'], { killOnParentDeath: true, namespaces: ['pid'], stdio: 'ignore' }),
          // Credentials change after clone: the death signal is armed after them.
          spawn('sleep', ['1000'], { killOnParentDeath: 'SIGUSR2', uid: 1234, gid: 1234, stdio: 'ignore' }),
          spawn('sleep', ['1000'], { stdio: 'ignore' }),
        ];
        await Promise.all(children.map((child) => child.ready));
        parentPort.postMessage(children.map((child) => child.pid));
      });
      `,
      { eval: true, workerData: { url: new URL('../dist/index.js', import.meta.url).href } },
    );
    const [pids] = (await once(worker, 'message')) as [number[]];
    const handles = pids.map((pid) => ProcessHandle.open(pid));
    // Should the test time out before its finally: at least no sleep outlives the run.
    cleanups.push(() => {
      for (const handle of handles) {
        try {
          if (!handle.closed) handle.signal('SIGKILL');
        } catch {
          /* gone already */
        }
      }
    });
    const [armed, armedInPidNs, armedWithUid, unarmed] = handles as [ProcessHandle, ProcessHandle, ProcessHandle, ProcessHandle];
    try {
      await worker.terminate();
      expect(await armed.exited()).toEqual({ code: null, signal: 'SIGUSR1' });
      expect(await armedInPidNs.exited()).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await armedWithUid.exited()).toEqual({ code: null, signal: 'SIGUSR2' });
      // The others' signals came from the worker thread's exit, which the unarmed one saw too.
      const state = readFileSync(`/proc/${unarmed.pid}/stat`, 'utf8').split(') ')[1]![0];
      expect(state).toBe('S');
    } finally {
      for (const handle of handles) {
        try {
          handle.signal('SIGKILL');
        } catch {
          /* already exited */
        }
        await handle.exited();
        handle.close();
      }
    }
    // The worker that spawned them is gone: the process-wide reaper reaps them (README, "Worker
    // threads"), so none stays a zombie.
    for (let turn = 0; turn < 200 && pids.some((pid) => existsSync(`/proc/${pid}`)); turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const pid of pids) expect(existsSync(`/proc/${pid}`), `pid ${pid} reaped`).toBe(false);
  });
});

// --- setup failures -----------------------------------------------------------------------

describe('setup failures', () => {
  /** "fd>target" for every fd of ours (the one readdir holds is gone by the time it is read). */
  const fdList = (): string[] =>
    readdirSync('/proc/self/fd')
      .flatMap((fd) => {
        const target = fdTarget(Number(fd));
        return target === undefined ? [] : [`${fd}>${target}`];
      })
      .sort();

  /** Our children, from /proc: every process whose parent is us. */
  const ourChildren = (): number[] =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
        } catch {
          return false;
        }
      })
      .map(Number);

  itWith(isRoot && hasTimeNs, !isRoot ? ROOT : TIME_NS, 'leave no fd and no process behind, whichever step fails', async () => {
    const stdio: SpawnOptions['stdio'] = ['pipe', 'pipe', 'pipe', 'pipe', 'ignore'];
    const cases: [string, SpawnOptions, string][] = [
      ['/nonexistent-nsbridge-program', {}, 'execve:ENOENT'],
      ['true', { cwd: '/nonexistent-nsbridge-dir' }, 'chdir:ENOENT'],
      ['true', { cgroup: '/nonexistent-nsbridge-cgroup' }, 'cgroup:ENOENT'],
      ['true', { setTid: [process.pid] }, 'set_tid:EEXIST'],
      ['true', { namespaces: ['time'], timeOffsets: { boottime: -1e9 } }, 'timens_offsets:ERANGE'],
      ['true', { namespaces: ['pid', 'mnt'], mountProc: '/nonexistent-nsbridge-dir' }, 'mount:/nonexistent-nsbridge-dir:ENOENT'],
      ['true', { namespaces: ['user', 'pid'], mapRootUser: true, uid: 5 }, 'setuid:EINVAL'],
      ['true', { join: { target: freePid() } }, 'setns:ESRCH'],
    ];
    const failAll = async (): Promise<void> => {
      for (const [file, options, expected] of cases) {
        const child = start(file, [], { ...options, stdio });
        const spawned: string[] = [];
        child.on('spawn', () => spawned.push(file));
        const error = await setupFailure(child);
        expect(spawned).toEqual([]);
        // Each 'pipe' slot is a destroyed Socket (no fd behind it), the 'ignore' slot null.
        expect(child.stdio.map((socket) => (socket === null ? null : socket.destroyed))).toEqual([true, true, true, true, null]);
        expect(`${error.step}:${error.code}`).toBe(expected);
      }
    };
    await failAll(); // warm-up: whatever Node or the addon opens once, lazily
    const before = fdList();
    for (let round = 0; round < 5; round++) await failAll();
    expect(fdList()).toEqual(before);
    expect(ourChildren()).toEqual([]);
  });
});

// --- NsChild --------------------------------------------------------------------------------

describe('NsChild', () => {
  it("emits 'spawn', then 'exit' (code, signal), then 'close'; sets exitCode / signalCode", async () => {
    const child = start('sh', ['-c', 'echo out; exit 3']);
    const events: unknown[][] = [];
    child.on('spawn', () => events.push(['spawn']));
    child.on('exit', (code, signal) => events.push(['exit', code, signal, child.exitCode, child.signalCode]));
    const closed = new Promise<void>((resolve) => {
      child.once('close', (code, signal) => {
        events.push(['close', code, signal]);
        resolve();
      });
    });
    const stdout = text(child.stdout);
    expect(child.exitCode).toBeNull();
    await child.ready;
    expect(await child.exited).toEqual({ code: 3, signal: null });
    await closed;
    expect(await stdout).toBe('out\n');
    expect(events).toEqual([['spawn'], ['exit', 3, null, 3, null], ['close', 3, null]]);
  });

  it("'close' without stdio streams follows 'exit' at once", async () => {
    const child = start('true', [], { stdio: 'ignore' });
    const events: string[] = [];
    child.on('exit', () => events.push('exit'));
    const closed = once(child, 'close');
    await child.exited;
    expect(await closed).toEqual([0, null]);
    expect(events).toEqual(['exit']);
  });

  it("kill('SIGTERM'): exited resolves { code: null, signal: 'SIGTERM' }; after the exit kill() returns false", async () => {
    const child = start('sleep', ['1000'], { stdio: 'ignore' });
    await child.ready;
    expect(child.kill('SIGTERM')).toBe(true);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect([child.exitCode, child.signalCode]).toEqual([null, 'SIGTERM']);
    expect(child.kill('SIGTERM')).toBe(false);
    expect(child.kill()).toBe(false);
  });

  it('an AbortSignal that aborts sends killSignal and emits an AbortError', async () => {
    const controller = new AbortController();
    const child = start('sleep', ['1000'], { stdio: 'ignore', signal: controller.signal, killSignal: 'SIGUSR1' });
    const errors: Error[] = [];
    child.on('error', (error: Error) => errors.push(error));
    await child.ready;
    controller.abort();
    expect(await child.exited).toEqual({ code: null, signal: 'SIGUSR1' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  });

  it('the default killSignal is SIGTERM; aborting after the exit does nothing', async () => {
    const controller = new AbortController();
    const child = start('sleep', ['1000'], { stdio: 'ignore', signal: controller.signal });
    await child.ready;
    controller.abort();
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });

    const done = new AbortController();
    const quick = start('true', [], { stdio: 'ignore', signal: done.signal });
    const errors: Error[] = [];
    quick.on('error', (error: Error) => errors.push(error));
    expect(await quick.exited).toEqual({ code: 0, signal: null });
    done.abort();
    expect(errors).toEqual([]);
  });

  it("an already-aborted signal: ready rejects with ABORT_ERR and nothing runs", async () => {
    const marker = joinPath(tempDir(), 'ran');
    const signal = AbortSignal.abort();
    const child = start('sh', ['-c', `touch ${marker}`], { signal });
    expect(child.pid).toBeUndefined();
    expect(child.process).toBeNull();
    // stdio defaults to pipes: destroyed Sockets, which read as ended and refuse writes.
    expect(child.stdio.map((socket) => socket?.destroyed)).toEqual([true, true, true]);
    expect(child.stdout!.readableEnded || child.stdout!.destroyed).toBe(true);
    await expect(child.ready).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason });
    await expect(child.exited).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(child.kill()).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it("a setup failure: ready and exited reject with the SpawnError, and 'error' is emitted", async () => {
    const child = start('/nonexistent-nsbridge-program', []);
    const emitted = once(child, 'error');
    const error = await setupFailure(child);
    expect(error).toMatchObject({ name: 'SpawnError', step: 'execve', code: 'ENOENT', errno: -2, syscall: 'execve', path: '/nonexistent-nsbridge-program' });
    expect(await emitted).toEqual([error]);
    expect(child.kill()).toBe(false);
  });

  it('namespace() and nspid() of a program that has exited and been reaped throw (its pidfd is closed), never answer for a recycled pid', async () => {
    const child = start('true', [], { stdio: 'ignore' });
    await child.exited;
    expect(child.process!.closed).toBe(true);
    expect(() => child.nspid()).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED', message: expect.stringMatching(/exited and was reaped/) }));
    expect(() => child.namespace('net')).toThrow(expect.objectContaining({ code: 'ERR_NSBRIDGE_CLOSED' }));
  });
});

