/**
 * Who the program is after its namespaces are set up, on the real kernel, next to util-linux:
 * keepCapabilities (unshare --keep-caps), the ids after joining a user namespace (nsenter's
 * defaults and --preserve-credentials), and pidForChildrenOnly (nsenter --no-fork / unshare -p
 * without --fork).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect } from 'vitest';
import { Namespace, spawn, type NsChild, type SpawnOptions } from '../src/index.js';
import { hasCommands, isRoot, itWith } from './helpers/features.js';

const env = { ...process.env };
delete env.LD_PRELOAD; // sh, grep, id, nsenter, unshare run without the ASan runtime

const started: NsChild[] = [];
afterAll(async () => {
  for (const child of started.splice(0)) {
    child.kill('SIGKILL');
    await child.exited;
    child.process?.close();
  }
});

/** The program's stdout, once it exited 0. */
async function output(file: string, args: readonly string[], options: SpawnOptions): Promise<string> {
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'inherit'], ...options });
  const { stdout, process: handle } = child;
  if (stdout === null || handle === null) throw new Error(`${file} did not start with a stdout pipe`);
  let text = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const closed = new Promise((resolve) => stdout.on('close', resolve));
  expect(await child.exited).toEqual({ code: 0, signal: null });
  await closed;
  handle.close();
  return text;
}

/** A util-linux tool's stdout (it must exit 0). */
function anchor(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

/** A sleeper in new namespaces, killed after the tests. */
async function target(options: SpawnOptions): Promise<NsChild> {
  const child = spawn('sleep', ['1000'], { env, stdio: 'ignore', ...options });
  started.push(child);
  await child.ready;
  return child;
}

const capLines = (status: string): string[] => status.split('\n').filter((line) => line.startsWith('Cap'));
const CAPS = 'grep ^Cap /proc/self/status';
// Every capability this kernel has, as /proc/<pid>/status prints a set of them.
const ALL_CAPS = ((1n << BigInt(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')) + 1)) - 1n).toString(16).padStart(16, '0');

describe('keepCapabilities', () => {
  itWith(isRoot && hasCommands('unshare', 'grep'), 'needs root (a map of uid 1000 to root) and unshare, grep', 'a program that is uid 1000 in its user namespace keeps the capabilities, in the ambient set, like unshare --keep-caps', async () => {
    // The creator's uid (0 outside) is uid 1000 inside: not root there, so exec would drop them.
    const map = [{ inside: 1000, outside: 0, count: 1 }];
    const kept = capLines(await output('sh', ['-c', CAPS], { namespaces: ['user'], uidMap: map, gidMap: map, keepCapabilities: true }));
    const dropped = capLines(await output('sh', ['-c', CAPS], { namespaces: ['user'], uidMap: map, gidMap: map }));
    expect(kept).toEqual(['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'].map((set) => `${set}:\t${ALL_CAPS}`));
    expect(dropped).toEqual([`CapInh:\t${'0'.repeat(16)}`, `CapPrm:\t${'0'.repeat(16)}`, `CapEff:\t${'0'.repeat(16)}`, `CapBnd:\t${ALL_CAPS}`, `CapAmb:\t${'0'.repeat(16)}`]);
    expect(kept).toEqual(capLines(anchor('unshare', ['--user', '--map-user=1000', '--map-group=1000', '--keep-caps', 'sh', '-c', CAPS])));
    expect(dropped).toEqual(capLines(anchor('unshare', ['--user', '--map-user=1000', '--map-group=1000', 'sh', '-c', CAPS])));
  });
});

describe('credentials after joining a user namespace', () => {
  // Root outside (uid 0) is uid 5 inside; root inside is uid 100000 outside.
  const map = [{ inside: 0, outside: 100_000, count: 1 }, { inside: 5, outside: 0, count: 1 }];
  const IDS = 'echo $(id -u) $(id -g)';

  itWith(isRoot && hasCommands('nsenter', 'id'), 'needs root and nsenter, id', 'root inside by default (uid and gid 0 each unless given), the ids kept with preserveCredentials: as nsenter does', async () => {
    const owner = await target({ namespaces: ['user'], uidMap: map, gidMap: map });
    const join = { target: owner.process!, kinds: ['user'] } as const;
    expect(await output('sh', ['-c', IDS], { join })).toBe('0 0\n');
    expect(await output('sh', ['-c', IDS], { join, preserveCredentials: true })).toBe('5 5\n');
    // Each id defaults to 0 on its own (nsenter -S 5: uid 5, gid 0); with preserveCredentials a
    // given id is still set (nsenter -S 0 --preserve-credentials: uid 0, gid kept).
    expect(await output('sh', ['-c', IDS], { join, uid: 5 })).toBe('5 0\n');
    expect(await output('sh', ['-c', IDS], { join, uid: 0, preserveCredentials: true })).toBe('0 5\n');
    const pid = String(owner.pid);
    expect(anchor('nsenter', ['-t', pid, '-U', 'sh', '-c', IDS])).toBe('0 0\n');
    expect(anchor('nsenter', ['-t', pid, '-U', '--preserve-credentials', 'sh', '-c', IDS])).toBe('5 5\n');
    expect(anchor('nsenter', ['-t', pid, '-U', '-S', '5', 'sh', '-c', IDS])).toBe('5 0\n');
    expect(anchor('nsenter', ['-t', pid, '-U', '-S', '0', '--preserve-credentials', 'sh', '-c', IDS])).toBe('0 5\n');
  });
});

describe('pidForChildrenOnly', () => {
  // The shell's own links ($$ is its pid here), then the pid its child gets.
  const LINKS = 'readlink /proc/$$/ns/pid /proc/$$/ns/pid_for_children; sh -c \'echo $$\'';

  itWith(isRoot && hasCommands('nsenter', 'readlink', 'sh'), 'needs root and nsenter, readlink, sh', "joined: the program stays in our pid namespace, its children are in the target's (nsenter -F)", async () => {
    const owner = await target({ namespaces: ['pid'] });
    using ours = Namespace.of('self', 'pid');
    using theirs = Namespace.of(owner.pid!, 'pid');
    const [self, forChildren, childPid] = (await output('sh', ['-c', LINKS], { join: { target: owner.process!, kinds: ['pid'] }, pidForChildrenOnly: true })).trim().split('\n');
    expect([self, forChildren]).toEqual([`pid:[${ours.inode}]`, `pid:[${theirs.inode}]`]);
    // The target is pid 1 there; the shell's child gets a later pid of that namespace.
    expect(Number(childPid)).toBeGreaterThan(1);
    const viaNsenter = anchor('nsenter', ['-t', String(owner.pid), '-p', '-F', 'sh', '-c', LINKS]).trim().split('\n');
    expect(viaNsenter.slice(0, 2)).toEqual([self, forChildren]);
  });

  itWith(isRoot, 'needs root', 'created: the program unshares the pid namespace; its first child is pid 1 there', async () => {
    // One child only: once a pid namespace's init exits, no process can be forked into it.
    const child = spawn('sh', ['-c', "sh -c 'echo $$; read line'; exit 0"], { namespaces: ['pid'], pidForChildrenOnly: true, env, stdio: ['pipe', 'pipe', 'inherit'] });
    const firstLine = new Promise<string>((resolve) => child.stdout.setEncoding('utf8').once('data', resolve));
    expect(await firstLine).toBe('1\n');
    using ours = Namespace.of('self', 'pid');
    using self = Namespace.of(child.pid!, 'pid');
    using forChildren = Namespace.of(child.pid!, 'pid', { forChildren: true });
    expect(self.equals(ours)).toBe(true);
    expect(forChildren.equals(ours)).toBe(false);
    child.stdin.end('go\n');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    child.process!.close();
  });
});
