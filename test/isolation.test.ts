/**
 * What a spawned program gets from us, and nothing more: only fds 0–2 plus the slots asked for,
 * only the environment given, default signal dispositions and an empty mask; no shell anywhere;
 * and, unprivileged, the gid map written after setgroups "deny". Checked from outside through
 * /proc/<pid> while the program blocks, and with strace on the spawning node process — never by
 * trusting the program's own report. The spawning happens in fixture processes started with
 * non-close-on-exec fds and signal handlers of their own (test/fixtures/isolation-*.mjs).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probe } from '../src/index.js';
import { canBeNobody, itWith, userNamespacesForUs } from './helpers/features.js';
import { NOBODY, SETPRIV_NOBODY, repoRoot } from './helpers/processes.js';

const { features } = probe();
const userNs = userNamespacesForUs(features);
const hasUserNs = userNs.supported;
const USER_NS = `needs user namespaces (${userNs.detail})`;
// Not just installed: able to trace a child (kernel.yama.ptrace_scope 3, or a seccomp policy, forbid it).
const hasStrace = spawnSync('strace', ['-f', '-o', '/dev/null', 'true']).status === 0;
const STRACE = 'needs strace';
const canDrop = canBeNobody && features.unprivilegedUserNamespaces.supported;
const DROP = `needs root to drop to uid ${NOBODY}, and unprivileged user namespaces (${features.unprivilegedUserNamespaces.detail})`;

const tmp = mkdtempSync(join(tmpdir(), 'nsbridge-isolation-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `argv` from the repository root; asserts it exited 0 with nothing on stderr; its JSON. */
function runJson(argv: readonly string[], stdio: (number | 'ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe'], env: NodeJS.ProcessEnv = process.env): any {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: repoRoot, encoding: 'utf8', stdio, env, timeout: 60_000, killSignal: 'SIGKILL' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

// Bits of /proc/<pid>/status signal masks: bit (N - 1) is signal N.
const bit = (signal: number): bigint => 1n << BigInt(signal - 1);
const [SIGHUP, SIGINT, SIGPIPE, SIGUSR2, SIGXFSZ] = [1, 2, 13, 12, 25];
const ZERO = '0000000000000000';
const NO_SIGNALS = { SigPnd: ZERO, SigBlk: ZERO, SigIgn: ZERO, SigCgt: ZERO };
const KILLED = { code: null, signal: 'SIGKILL' };

describe('isolation of the program: fds, environment, signals', () => {
  // One run of the fixture serves every check below: it takes a few hundred ms.
  let report: any;
  let file: string;
  const fixtureReport = (): any => {
    if (report !== undefined) return report;
    file = join(tmp, 'inherited-file');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    try {
      // child_process hands our file to the fixture as fd 40 and a socket (its 'pipe') as fd 41,
      // neither close-on-exec there. (Node marks some low fds close-on-exec at start-up.)
      const stdio: (number | 'ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(37).fill('ignore'), fd, 'pipe'];
      const args = [process.execPath, 'test/fixtures/isolation-parent.mjs', ...(hasUserNs ? ['pidns'] : [])];
      report = runJson(args, stdio, { ...process.env, NSBRIDGE_ISOLATION_SECRET: 'not for the program' });
    } finally {
      closeSync(fd);
    }
    return report;
  };

  it('the spawning process really holds a file and a socket that are not close-on-exec', () => {
    const { own } = fixtureReport();
    expect(own.file).toBe(file);
    expect(own.socket).toMatch(/^socket:\[\d+\]$/);
    expect(own.notCloexec).toEqual(expect.arrayContaining([`40>${file}`, `41>${own.socket}`]));
  });

  it('/proc/<pid>/fd of the program: exactly 0, 1, 2 — plus the slots asked for, as those fds', () => {
    const { own, fds } = fixtureReport();
    const stdioPair = (targets: string[]) => targets.slice(0, 2).map((target) => target.replace(/\[\d+\]$/, '[N]'));
    expect(fds.plain.targets.map((t: string) => t.split('>')[0])).toEqual(['0', '1', '2']);
    expect(stdioPair(fds.plain.targets)).toEqual(['0>socket:[N]', '1>socket:[N]']);
    expect(fds.plain.targets[2]).toBe('2>/dev/null');
    // 'inherit': the fixture's own stderr (a child_process socket), nothing else.
    expect(fds.inherit.targets.map((t: string) => t.split('>')[0])).toEqual(['0', '1', '2']);
    // Asked for as slots 3 and 4: the very socket and file the fixture holds, and only those.
    expect(fds.extra.targets.slice(2)).toEqual(['2>/dev/null', `3>${own.socket}`, `4>${file}`]);
    expect(fds.extra.targets).toHaveLength(5);
    for (const name of ['plain', 'inherit', 'extra']) expect(fds[name].exit, name).toEqual(KILLED);
  });

  itWith(hasUserNs, USER_NS, 'the same for a program cloned by an intermediate process into new user + pid namespaces', () => {
    const { fds } = fixtureReport();
    expect(fds.pidns.targets.map((t: string) => t.split('>')[0])).toEqual(['0', '1', '2']);
    expect(fds.pidns.exit).toEqual(KILLED);
  });

  it('/proc/<pid>/environ: byte for byte the env given, empty for env: {}, ours only by default', () => {
    const { env } = fixtureReport();
    expect(env.given.environ).toBe('A=1\0B=two words\0C=x=y\0EMPTY=\0');
    expect(env.empty.environ).toBe('');
    // The control: the secret was there to leak.
    expect(env.byDefault.environ.split('\0')).toContain('NSBRIDGE_ISOLATION_SECRET=not for the program');
    for (const name of ['given', 'empty', 'byDefault']) expect(env[name].exit, name).toEqual(KILLED);
  });

  it('signals: no ignored, blocked, pending or caught signals in the program, though the spawner ignores and catches some', () => {
    const { own, signals } = fixtureReport();
    // node ignores SIGPIPE and SIGXFSZ (ignored dispositions survive execve), and the fixture
    // has handlers for SIGINT, SIGHUP and SIGUSR2. A blocked mask cannot be set from JavaScript
    // (node clears the one it inherits), but the engine itself blocks every signal across the
    // clone: an empty SigBlk in the program shows that the child unblocked them before exec.
    const ignored = BigInt(`0x${own.signals.SigIgn}`);
    const caught = BigInt(`0x${own.signals.SigCgt}`);
    expect(ignored & (bit(SIGPIPE) | bit(SIGXFSZ))).toBe(bit(SIGPIPE) | bit(SIGXFSZ));
    expect(caught & (bit(SIGINT) | bit(SIGHUP) | bit(SIGUSR2))).toBe(bit(SIGINT) | bit(SIGHUP) | bit(SIGUSR2));
    expect(signals.plain).toEqual({ state: NO_SIGNALS, exit: KILLED });
  });

  itWith(hasUserNs, USER_NS, 'signals: the same for the two-step spawn into new user + pid namespaces', () => {
    expect(fixtureReport().signals.pidns).toEqual({ state: NO_SIGNALS, exit: KILLED });
  });
});

// --- no shell ---------------------------------------------------------------------------------

/** The execve calls in an strace log (lines "<pid> execve(…) = …", the pid padded): [path, argv, result]. */
function execves(log: string): [string, string[], string][] {
  return log
    .split('\n')
    .filter((line) => line.includes('execve('))
    .map((line) => {
      const match = /^\d+\s+execve\("((?:[^"\\]|\\.)*)", \[(.*)\], .*\) = (-?\d+)(?: (E[A-Z0-9]+))?/.exec(line);
      if (match === null) throw new Error(`unexpected strace line: ${line}`);
      return [match[1]!, JSON.parse(`[${match[2]}]`) as string[], match[4] ?? match[3]!];
    });
}

describe('no shell anywhere', () => {
  // Arguments a shell would split, expand or run.
  const BAIT = ['a b', '$HOME', '*', ';', 'x|y', '`id`'];

  itWith(hasStrace, STRACE, 'strace -f: one execve per PATH entry tried, with the argv exactly as given; never /bin/sh', () => {
    const log = join(tmp, 'execve.log');
    const args = [process.execPath, 'test/fixtures/isolation-exec.mjs', JSON.stringify(BAIT), ...(hasUserNs ? ['pidns'] : [])];
    const observed = runJson(['strace', '-f', '-qq', '-s', '256', '-e', 'trace=execve', '-e', 'signal=none', '-o', log, '--', ...args]);
    expect(observed.searched).toEqual({ exit: { code: 0, signal: null }, out: `${BAIT.join(' ')}\n` });
    expect(execves(readFileSync(log, 'utf8'))).toEqual([
      [process.execPath, args, '0'], // strace starting node
      ['/nonexistent-nsbridge-dir/echo', ['echo', ...BAIT], 'ENOENT'],
      ['/bin/echo', ['echo', ...BAIT], '0'],
      ...(hasUserNs ? [['/bin/echo', ['/bin/echo', 'pidns'], '0']] : []),
    ]);
    if (hasUserNs) expect(observed.pidns).toEqual({ exit: { code: 0, signal: null }, out: 'pidns\n' });
  });

  it('the source never starts a shell: no child_process in src/, no system/popen/exec*p in native/', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(repoRoot, dir)).flatMap((name) => (statSync(join(repoRoot, dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
    const offences: string[] = [];
    for (const path of files('src').filter((name) => name.endsWith('.ts'))) {
      readFileSync(join(repoRoot, path), 'utf8').split('\n').forEach((line, i) => {
        if (/(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"](?:node:)?child_process['"]|\bshell\s*:\s*true\b/.test(line)) offences.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
    // execvp / execlp / posix_spawnp fall back to /bin/sh on ENOEXEC; system and popen are a shell.
    for (const path of files('native').filter((name) => /\.(cc|h|c|cpp)$/.test(name))) {
      readFileSync(join(repoRoot, path), 'utf8').split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        if (/\b(?:system|popen|execvp|execvpe|execlp|execl|execle|posix_spawnp?)\s*\(|"\/bin\/sh"/.test(code)) offences.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offences).toEqual([]);
  });
});

// --- unprivileged id maps -----------------------------------------------------------------------

/** The writes of the spawning process to a child's setgroups / uid_map / gid_map: [file, data, result]. */
function mapWrites(log: string, pid: number): [string, string, string][] {
  const writes: [string, string, string][] = [];
  for (const line of log.split('\n')) {
    const match = /^\d+\s+write\(\d+<\/proc\/(\d+)\/(setgroups|uid_map|gid_map)>, "(.*)", \d+\) = (-?\d+)(?: (E[A-Z]+))?/.exec(line);
    if (match !== null && Number(match[1]) === pid) writes.push([match[2]!, match[3]!, match[5] ?? match[4]!]);
  }
  return writes;
}

/** The fixture as uid 65534 under strace: the program's report and the map writes. */
function straceIdMaps(options: object): { observed: any; writes: [string, string, string][] } {
  const log = join(tmp, `idmaps-${Math.random().toString(36).slice(2)}.log`);
  const observed = runJson(['strace', '-f', '-qq', '-y', '-e', 'trace=openat,write', '-e', 'signal=none', '-o', log, '--', ...SETPRIV_NOBODY, process.execPath, 'test/fixtures/isolation-idmaps.mjs', JSON.stringify(options)]);
  return { observed, writes: mapWrites(readFileSync(log, 'utf8'), observed.pid) };
}

describe(`unprivileged gid maps (uid ${NOBODY}): setgroups "deny" first`, () => {
  const own = [{ inside: 0, outside: NOBODY, count: 1 }];
  const ownMaps = { namespaces: ['user'], uidMap: own, gidMap: own };
  const line = `0 ${NOBODY} 1\\n`;
  const denyFirst: [string, string, string][] = [
    ['setgroups', 'deny\\n', '5'],
    ['uid_map', line, '10'],
    ['gid_map', line, '10'],
  ];
  const readsDeny = { pid: expect.any(Number), exit: { code: 0, signal: null }, lines: ['deny', `0 ${NOBODY} 1`] };

  itWith(canDrop && hasStrace, `${DROP}; ${STRACE}`, "setgroups: 'deny' given: deny, then uid_map, then gid_map, each written once; the program reads deny", () => {
    const { observed, writes } = straceIdMaps({ ...ownMaps, setgroups: 'deny' });
    expect(observed).toEqual(readsDeny);
    expect(writes).toEqual(denyFirst);
  });

  // The caller lacks CAP_SETGID, so spawn() itself asks for 'deny' (src/spawn/options/user.ts).
  itWith(canDrop && hasStrace, `${DROP}; ${STRACE}`, 'gid map without setgroups, and mapRootUser: deny is written first, then each map once; the program reads deny', () => {
    for (const options of [ownMaps, { namespaces: ['user'], mapRootUser: true }]) {
      const { observed, writes } = straceIdMaps(options);
      expect(observed).toEqual(readsDeny);
      expect(writes).toEqual(denyFirst);
    }
  });
});
