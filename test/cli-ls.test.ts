import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, spawn, type NsChild } from '../src/index.js';
import { isRoot } from './helpers/features.js';
import { repoRoot } from './helpers/processes.js';
import { startNested, type Nested } from './helpers/nested.js';

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

interface JsonNs {
  ns: number;
  type: string;
  nprocs: number;
  pid: number | null;
  children?: JsonNs[];
  [column: string]: unknown;
}

/** lsns -J nests namespaces in its process tree: flatten it. */
const flatten = (list: JsonNs[]): JsonNs[] => list.flatMap(({ children, ...ns }) => [ns as JsonNs, ...flatten(children ?? [])]);
const inodeOf = (pid: number, type: 'pid' | 'net' | 'uts' | 'ipc' | 'user'): number => {
  using ns = Namespace.of(pid, type);
  return Number(ns.inode);
};

describe.runIf(isRoot)('nsbridge ls against lsns', () => {
  const children: NsChild[] = [];
  let nested: Nested;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const child = spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { namespaces: ['pid', 'uts', 'ipc', 'net'], stdio: 'ignore' });
      await child.ready;
      children.push(child);
    }
    nested = await startNested();
    await new Promise((r) => setTimeout(r, 100)); // the shells' background sleeps have exec'd
  });
  afterAll(async () => {
    for (const child of children) {
      child.kill('SIGKILL'); // pid 1 of its namespace: the background sleep dies with it
      await child.exited;
    }
    await nested.stop();
  });

  for (const extra of [[], ['-o', 'NS,TYPE,NPROCS,PID']]) {
    it(`ls --json ${extra.join(' ')} agrees with lsns -J ${extra.join(' ')}: same (type, ns), nprocs and pid for the stable namespaces`, () => {
      const ours = JSON.parse(cli('ls', '--json', ...extra).stdout).namespaces as JsonNs[];
      const theirs = flatten(JSON.parse(spawnSync('lsns', ['-J', ...extra], { encoding: 'utf8' }).stdout).namespaces);
      expect(Object.keys(ours[0]!)).toEqual(Object.keys(theirs[0]!));
      // The namespaces we created are stable between the two commands; so is every (type, ns) of
      // lsns except those of processes that came or went in between (none of ours).
      const stable = new Set<number>();
      for (const child of children) for (const type of ['pid', 'uts', 'ipc', 'net'] as const) stable.add(inodeOf(child.pid!, type));
      for (const pid of [nested.outerPid, nested.innerPid]) for (const type of ['pid', 'user'] as const) stable.add(inodeOf(pid, type));
      const key = (n: JsonNs) => `${n.type}:${n.ns}`;
      const ourByKey = new Map(ours.map((n) => [key(n), n]));
      for (const n of theirs.filter((n) => stable.has(n.ns))) expect(ourByKey.get(key(n)), key(n)).toEqual(n);
      expect(theirs.filter((n) => stable.has(n.ns))).toHaveLength(stable.size);
      // Every namespace lsns lists we list too (ours may add fd- and mount-held ones). A host
      // process starting in between can make this racy: allow a few strays, but none of ours.
      const missing = theirs.filter((n) => !ourByKey.has(key(n)));
      expect(missing.length).toBeLessThanOrEqual(2);
      // The pid namespaces we created hold 2 processes each (the shell and its sleep).
      for (const child of children) expect(ourByKey.get(`pid:${inodeOf(child.pid!, 'pid')}`)).toMatchObject({ nprocs: 2, pid: child.pid });
    });
  }

  it('the table is aligned like lsns: numbers right-aligned, default columns, no colour with NO_COLOR', () => {
    const result = cli('ls', '-t', 'pid');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b\[/);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +NS TYPE +NPROCS +PID USER +COMMAND$/);
    const child = children[0]!;
    const row = lines.find((l) => l.startsWith(`${inodeOf(child.pid!, 'pid')} `))!;
    expect(row).toMatch(new RegExp(`^${inodeOf(child.pid!, 'pid')} pid +2 +${child.pid} root +sleep 1000$`));
    // Right alignment: NPROCS and PID end at the header's column ends.
    const end = (s: string, word: string) => lines[0]!.indexOf(word) + word.length;
    expect(row.slice(0, end(row, 'NPROCS')).trimEnd().endsWith('2')).toBe(true);
    expect(row.slice(0, end(row, 'PID')).endsWith(String(child.pid))).toBe(true);
    expect(lines.slice(1).every((l) => / pid /.test(l))).toBe(true);
  });

  it('--tree=parent nests pid namespace B under A under ours, with lsns glyphs in NS', () => {
    const result = cli('ls', '--tree=parent', '-t', 'pid', '-o', 'NS,TYPE,PID');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    const a = inodeOf(nested.outerPid, 'pid');
    const b = inodeOf(nested.innerPid, 'pid');
    const ia = lines.findIndex((l) => l.includes(`─${a} `));
    expect(lines[ia]).toMatch(new RegExp(`^[├└]─${a} +pid +${nested.outerPid}$`));
    expect(lines[ia + 1]).toMatch(new RegExp(`^[│ ] └─${b} +pid +${nested.innerPid}$`));
  });

  it('--tree (process) puts the glyphs in COMMAND: pid B under user B, whose lowest pid is its parent process', () => {
    const result = cli('ls', '--tree', '-o', 'NS,PID,COMMAND');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    const userB = lines.findIndex((l) => l.startsWith(`${inodeOf(nested.middlePid, 'user')} `));
    expect(lines[userB]).toMatch(new RegExp(` ${nested.middlePid} [│ ]*[├└]─unshare --user --map-root-user --pid --fork sleep 1000$`));
    expect(lines[userB + 1]).toMatch(new RegExp(`^${inodeOf(nested.innerPid, 'pid')} +${nested.innerPid} [│ ]*└─sleep 1000$`));
  });

  it('--tree=owner --json nests children under the owning user namespace', () => {
    const result = cli('ls', '--tree=owner', '--json', '-t', 'user', '-t', 'pid', '-o', 'NS,TYPE,ONS');
    const find = (list: JsonNs[], ns: number): JsonNs | undefined => {
      for (const n of list) {
        if (n.ns === ns) return n;
        const below = find(n.children ?? [], ns);
        if (below) return below;
      }
      return undefined;
    };
    const userA = find(JSON.parse(result.stdout).namespaces, inodeOf(nested.outerPid, 'user'))!;
    expect(userA.children).toEqual([
      { ns: inodeOf(nested.innerPid, 'user'), type: 'user', ons: userA.ns, children: [{ ns: inodeOf(nested.innerPid, 'pid'), type: 'pid', ons: inodeOf(nested.innerPid, 'user') }] },
      { ns: inodeOf(nested.outerPid, 'pid'), type: 'pid', ons: userA.ns },
    ]);
  });

  it('-p PID lists exactly that process\'s 8 namespaces; other columns are numbers in JSON', () => {
    const child = children[1]!;
    const result = cli('ls', '-p', String(child.pid), '--json', '-o', 'NS,TYPE,PNS,ONS,UID,PPID,ID,PATH');
    const list = JSON.parse(result.stdout).namespaces as JsonNs[];
    expect(list).toHaveLength(8);
    const pid = list.find((n) => n.type === 'pid')!;
    using ns = Namespace.of(child.pid!, 'pid');
    expect(pid).toEqual({ ns: Number(ns.inode), type: 'pid', pns: inodeOf(process.pid, 'pid'), ons: inodeOf(process.pid, 'user'), uid: 0, ppid: process.pid, id: Number(ns.id), path: `/proc/${child.pid}/ns/pid` });
  });
});

describe('nsbridge ls usage errors: exit 2, naming the bad value', () => {
  const cases: [string[], RegExp][] = [
    [['ls', '-o', 'NS,BOGUS'], /unknown column 'BOGUS' for -o/],
    [['ls', '-t', 'nett'], /unknown namespace type 'nett' for -t/],
    [['ls', '--tree=sideways'], /unknown tree relation 'sideways' for --tree/],
    [['ls', '-p', 'abc'], /invalid pid 'abc' for -p/],
    [['ls', '-p', '0'], /invalid pid '0' for -p/],
    [['ls', '--jsn'], /unknown option '--jsn'/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const result = cli(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });
  }

  it('--help shows examples and the columns', () => {
    const result = cli('ls', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n {2}nsbridge ls /);
    expect(result.stdout).toMatch(/Columns \(-o\): NS, TYPE, PATH, NPROCS, PID, PPID, COMMAND, UID, USER, NSFS, PNS, ONS, OUID, ID, HOLDER/);
  });
});
