/**
 * `nsbridge ls` against util-linux lsns 2.38.1: each lsns flag is run through both tools on the
 * same host state (processes the tests park in namespaces of their own), and what the tests
 * created must agree exactly — rows, tree glyphs, header, raw escaping, JSON. Host processes may
 * come and go between the two runs, so only the tests' own rows are compared, except where a
 * listing holds nothing but the tests' own (-p, <namespace>): there the whole output must agree.
 * Plus the pure parts (escaping, -o parsing, argv handling, layout) without any process.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, namespaceMembers, spawn, type NamespaceEntry, type NsChild } from '../src/index.js';
import { attachTreeValues } from '../src/cli/ls-argv.js';
import { COLUMNS, parseColumns, type Column, type LsRow } from '../src/cli/ls-columns.js';
import { cellWidth, cutToWidth, rawEscape, safeEncode } from '../src/cli/ls-escape.js';
import { renderJson } from '../src/cli/ls-json.js';
import { treeLines } from '../src/cli/ls-lines.js';
import { planLs, UsageError } from '../src/cli/ls-options.js';
import type { LsNode } from '../src/cli/ls-rows.js';
import { renderTable } from '../src/cli/ls-table.js';
import { describeWith, hasCommands, isRoot, itWith } from './helpers/features.js';
import { nsbridge } from './helpers/cli.js';
import { repoRoot, runFixture } from './helpers/processes.js';
import { startNested, type Nested } from './helpers/nested.js';

const HAVE_LSNS = hasCommands('lsns');
const NEEDS = 'needs root and util-linux lsns (2.38.1) on PATH';

/** lsns in a UTF-8 locale (its tree art and escaping depend on it), without the ASan run's preload. */
function lsns(args: readonly string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C.UTF-8' };
  delete env.LD_PRELOAD;
  return spawnSync('lsns', args, { encoding: 'utf8', env });
}

/** Both tools, one after the other, on the same flags; both must succeed without a word on stderr. */
function both(args: readonly string[]): { theirs: string; ours: string } {
  const theirs = lsns(args);
  const ours = nsbridge(['ls', ...args]);
  expect([theirs.status, theirs.stderr], `lsns ${args.join(' ')}`).toEqual([0, '']);
  expect([ours.status, ours.stderr], `nsbridge ls ${args.join(' ')}`).toEqual([0, '']);
  return { theirs: theirs.stdout, ours: ours.stdout };
}

const RIGHT = new Set(COLUMNS.filter((c) => c.right).map((c) => c.name));

/**
 * The cells of an lsns-style table, read back through its header: a left-aligned column starts
 * where its header starts, a right-aligned one ends where its header ends (`tree`: the column
 * holding the tree, left-aligned). Exact, empty cells and cells with spaces included.
 */
function parseTable(text: string, tree?: string): { header: string; names: string[]; rows: string[][] } {
  const [header = '', ...lines] = text.replace(/\n$/, '').split('\n');
  const names = header.trim().split(/ +/);
  let at = 0;
  const spans = names.map((name) => {
    const start = header.indexOf(name, at);
    at = start + name.length;
    return [start, at] as const;
  });
  const right = names.map((n) => RIGHT.has(n) && n !== tree);
  const rows = lines.map((line) => {
    const rightCell = (i: number): string => /(\S*)$/.exec(line.slice(0, spans[i]![1]))![1]!;
    return names.map((_, i) => {
      if (right[i]) return rightCell(i);
      const start = spans[i]![0];
      const end = i + 1 === names.length ? line.length : right[i + 1] ? spans[i + 1]![1] - rightCell(i + 1).length - 1 : spans[i + 1]![0] - 1;
      return line.slice(start, Math.max(start, end)).trimEnd();
    });
  });
  return { header, names, rows };
}

const GLYPHS = /^[│├└─ ]+/;
const bare = (cell: string): string => cell.replace(GLYPHS, '');

interface JsonRow {
  ns?: number;
  pid?: number;
  children?: JsonRow[];
  [column: string]: unknown;
}
/** lsns -J nests rows in its trees: every row, depth first. */
const flatten = (list: JsonRow[]): JsonRow[] => list.flatMap((row) => [row, ...flatten(row.children ?? [])]);
const inodeOf = (pid: number, type: 'pid' | 'net' | 'uts' | 'ipc' | 'user'): number => {
  using ns = Namespace.of(pid, type);
  return Number(ns.inode);
};

/** Waits until the namespace has `count` member processes (a shell's child has started). */
async function members(inode: number, count: number): Promise<void> {
  for (let i = 0; i < 500 && namespaceMembers(BigInt(inode)).length !== count; i++) await new Promise((r) => setTimeout(r, 10));
  expect(namespaceMembers(BigInt(inode)).map((m) => m.pid)).toHaveLength(count);
}

describeWith(isRoot && HAVE_LSNS, NEEDS, 'nsbridge ls against lsns, flag by flag', () => {
  const children: NsChild[] = [];
  let spacey: NsChild;
  let nested: Nested;
  /** Inodes of every namespace the tests created (stable between the two runs). */
  const ours = new Set<string>();
  const SPACEY_COMMAND = 'sh -c sleep 1000; : "a\\b c"';

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const child = spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { namespaces: ['pid', 'uts', 'ipc', 'net'], stdio: 'ignore' });
      await child.ready;
      children.push(child);
    }
    // A command line with spaces and a backslash, for the escaping (pid 1 of its own pid
    // namespace, so that its child sleep dies with it).
    spacey = spawn('sh', ['-c', 'sleep 1000; : "a\\b c"'], { namespaces: ['pid', 'uts', 'ipc'], stdio: 'ignore' });
    await spacey.ready;
    nested = await startNested();
    for (const child of children) await members(inodeOf(child.pid!, 'pid'), 2); // the background sleep
    await members(inodeOf(spacey.pid!, 'uts'), 2);
    for (const child of children) for (const type of ['pid', 'uts', 'ipc', 'net'] as const) ours.add(String(inodeOf(child.pid!, type)));
    for (const type of ['pid', 'uts', 'ipc'] as const) ours.add(String(inodeOf(spacey.pid!, type)));
    for (const pid of [nested.outerPid, nested.innerPid]) for (const type of ['pid', 'user'] as const) ours.add(String(inodeOf(pid, type)));
  });
  afterAll(async () => {
    for (const child of [...children, spacey]) {
      child.kill('SIGKILL'); // the background sleep of a pid namespace dies with its pid 1
      await child.exited;
    }
    await nested.stop();
  });

  /** The tests' own rows of a table, by "NS TYPE" (NS without tree art). */
  function ownRows(table: ReturnType<typeof parseTable>): Map<string, string[]> {
    const ns = table.names.indexOf('NS');
    const type = table.names.indexOf('TYPE');
    return new Map(table.rows.filter((r) => ours.has(bare(r[ns]!))).map((r) => [`${bare(r[ns]!)} ${r[type]}`, r]));
  }
  /** Both tables list the same tests' rows (all of them), cell for cell. */
  function expectSameOwnRows(theirs: ReturnType<typeof parseTable>, mine: ReturnType<typeof parseTable>): Map<string, string[]> {
    expect(mine.names).toEqual(theirs.names);
    const a = ownRows(theirs);
    const b = ownRows(mine);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBe(ours.size);
    for (const [key, row] of a) expect(b.get(key), key).toEqual(row);
    return b;
  }

  it('no flags: the default columns and lsns\'s process tree in COMMAND, row for row', () => {
    const { theirs, ours: mine } = both([]);
    const rows = expectSameOwnRows(parseTable(theirs, 'COMMAND'), parseTable(mine, 'COMMAND'));
    expect(parseTable(mine).names).toEqual(['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND']);
    // pid B's lowest pid (inner) is the child of user B's (middle): its row hangs in the tree.
    expect(rows.get(`${inodeOf(nested.innerPid, 'pid')} pid`)![5]).toMatch(/^[│ ]*[├└]─sleep 1000$/);
    expect(rows.get(`${inodeOf(spacey.pid!, 'uts')} uts`)).toEqual([String(inodeOf(spacey.pid!, 'uts')), 'uts', '2', String(spacey.pid), 'root', SPACEY_COMMAND]);
    // Numbers right-aligned: NPROCS and PID end where their headers end.
    const header = mine.split('\n')[0]!;
    const line = mine.split('\n').find((l) => l.startsWith(`${inodeOf(spacey.pid!, 'uts')} `))!;
    for (const name of ['NPROCS', 'PID']) expect(line[header.indexOf(name) + name.length - 1]).toMatch(/\d/);
  });

  it('-l / --list: a flat list, no tree art, the same rows', () => {
    for (const flag of ['-l', '--list']) {
      const { theirs, ours: mine } = both([flag]);
      const rows = expectSameOwnRows(parseTable(theirs), parseTable(mine));
      expect([...rows.values()].map((r) => r[5] ?? '').filter((c) => GLYPHS.test(c))).toEqual([]);
    }
  });

  it('-J / --json: the process tree nests "children" (the last member); the same objects', () => {
    for (const flag of ['-J', '--json']) {
      const { theirs, ours: mine } = both([flag]);
      const a = flatten(JSON.parse(theirs).namespaces);
      const b = flatten(JSON.parse(mine).namespaces);
      const own = (list: JsonRow[]) => new Map(list.filter((r) => ours.has(String(r.ns))).map((r) => [`${r.ns} ${String(r.type)}`, r]));
      expect(own(b)).toEqual(own(a));
      expect(own(a).size).toBe(ours.size);
      for (const row of b) expect(Object.keys(row).indexOf('children')).toBeOneOf([-1, Object.keys(row).length - 1]);
      // pid B is a child of user B in both.
      const userB = b.find((r) => r.ns === inodeOf(nested.middlePid, 'user'))!;
      expect(userB.children?.map((c) => c.ns)).toContain(inodeOf(nested.innerPid, 'pid'));
      expect(mine).toMatch(/^\{\n {3}"namespaces": \[\n {6}\{\n {9}"ns": \d+,\n {9}"type": "\w+",\n/);
    }
  });

  it('-J -l: a flat array, no "children" anywhere', () => {
    const { theirs, ours: mine } = both(['-J', '-l']);
    for (const text of [theirs, mine]) expect(JSON.parse(text).namespaces.filter((r: JsonRow) => 'children' in r)).toEqual([]);
    const own = (text: string) => new Map((JSON.parse(text).namespaces as JsonRow[]).filter((r) => ours.has(String(r.ns))).map((r) => [`${r.ns} ${String(r.type)}`, r]));
    expect(own(mine)).toEqual(own(theirs));
    expect(own(mine).size).toBe(ours.size);
  });

  it('-r / --raw: one space between cells, blanks and backslashes as \\x20 / \\x5c, tree art byte by byte', () => {
    for (const flag of ['-r', '--raw']) {
      const { theirs, ours: mine } = both([flag]);
      const own = (text: string) => new Map(text.split('\n').filter((l) => ours.has(l.split(' ')[0]!)).map((l) => [l.split(' ').slice(0, 2).join(' '), l]));
      expect(mine.split('\n')[0]).toBe('NS TYPE NPROCS PID USER COMMAND');
      expect(theirs.split('\n')[0]).toBe(mine.split('\n')[0]);
      expect(own(mine)).toEqual(own(theirs));
      const uts = inodeOf(spacey.pid!, 'uts');
      expect(own(mine).get(`${uts} uts`)).toBe(`${uts} uts 2 ${spacey.pid} root sh\\x20-c\\x20sleep\\x201000;\\x20:\\x20"a\\x5cb\\x20c"`);
      expect(own(mine).get(`${inodeOf(nested.innerPid, 'pid')} pid`)).toMatch(/ root (\\xe2\\x94\\x82\\x20|\\x20\\x20)*\\xe2\\x94\\x(94|9c)\\xe2\\x94\\x80sleep\\x201000$/);
    }
  });

  it('-n / --noheadings: no header line, in tables and raw', () => {
    for (const args of [['-n', '-l', '-o', 'NS,TYPE,NPROCS,PID'], ['--noheadings', '-r']]) {
      const { theirs, ours: mine } = both(args);
      for (const text of [theirs, mine]) expect(text.split('\n').filter((l) => /^ *NS +TYPE/.test(l))).toEqual([]);
      const own = (text: string) => new Map(text.split('\n').map((l) => l.trim().split(/ +/)).filter((c) => ours.has(c[0]!)).map((c) => [c.slice(0, 2).join(' '), c]));
      expect(own(mine)).toEqual(own(theirs));
      expect(own(mine).size).toBe(ours.size);
    }
  });

  it('-o +LIST appends to the default columns (and keeps the tree); -o LIST replaces them, names in any case', () => {
    const plus = both(['-o', '+PATH,PPID']);
    const table = parseTable(plus.ours, 'COMMAND');
    expect(table.names).toEqual(['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND', 'PATH', 'PPID']);
    const rows = expectSameOwnRows(parseTable(plus.theirs, 'COMMAND'), table);
    expect(rows.get(`${inodeOf(nested.innerPid, 'pid')} pid`)!.slice(5)).toEqual([expect.stringMatching(/[├└]─sleep 1000$/), `/proc/${nested.innerPid}/ns/pid`, String(nested.middlePid)]);
    const replaced = both(['--output', 'ns,Type,pid']);
    expect(parseTable(replaced.ours).names).toEqual(['NS', 'TYPE', 'PID']);
    expectSameOwnRows(parseTable(replaced.theirs), parseTable(replaced.ours));
  });

  it("--output-all: lsns's columns in lsns's order, then nsbridge's own; a list, not a tree", () => {
    const { theirs, ours: mine } = both(['--output-all']);
    const a = parseTable(theirs);
    const b = parseTable(mine);
    expect(a.names).toEqual(['NS', 'TYPE', 'PATH', 'NPROCS', 'PID', 'PPID', 'COMMAND', 'UID', 'USER', 'NETNSID', 'NSFS', 'PNS', 'ONS']);
    expect(b.names).toEqual([...a.names, 'OUID', 'ID', 'HOLDER']);
    const trimmed = { ...b, names: a.names, rows: b.rows.map((r) => r.slice(0, a.names.length)) };
    const rows = expectSameOwnRows(a, trimmed);
    expect([...rows.values()].filter((r) => GLYPHS.test(r[6]!))).toEqual([]);
    // A later -o replaces the list, -o + appends to it.
    expect(parseTable(both(['--output-all', '-o', '+PATH']).ours).names).toEqual([...b.names, 'PATH']);
    expect(parseTable(both(['--output-all', '-o', 'NS']).ours).names).toEqual(['NS']);
  });

  it('-t net: the default columns gain NETNSID and NSFS; -t takes several types; --type', () => {
    const net = both(['-t', 'net']);
    expect(parseTable(net.ours).names).toEqual(['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'NETNSID', 'NSFS', 'COMMAND']);
    const a = parseTable(net.theirs, 'COMMAND');
    const b = parseTable(net.ours, 'COMMAND');
    expect(b.names).toEqual(a.names);
    for (const child of children) {
      const find = (t: typeof a) => t.rows.find((r) => r[0] === String(inodeOf(child.pid!, 'net')));
      expect(find(b)).toEqual(find(a));
      expect(find(b)).toEqual([String(inodeOf(child.pid!, 'net')), 'net', '2', String(child.pid), 'root', 'unassigned', '', 'sleep 1000']);
    }
    const two = both(['--type', 'pid', '-t', 'uts', '-l']);
    expect(new Set(parseTable(two.ours).rows.map((r) => r[1]))).toEqual(new Set(['pid', 'uts']));
  });

  it('-p / --task PID: exactly that process\'s namespaces — the whole output agrees', () => {
    const child = children[1]!;
    for (const args of [
      ['-p', String(child.pid), '-t', 'pid', '-t', 'uts', '-t', 'ipc', '-t', 'net'],
      ['--task', String(nested.innerPid), '-t', 'user', '-t', 'pid', '-o', 'TYPE,NS,PID,PPID,UID'],
      ['-p', String(child.pid), '-J', '-t', 'pid', '-t', 'net'],
    ]) {
      const { theirs, ours: mine } = both(args);
      expect(mine).toBe(theirs);
      expect(mine).not.toBe('');
    }
    // TYPE is padded to its width hint (5) when its widest cell ("user") is as wide as its header.
    expect(both(['-p', String(nested.innerPid), '-t', 'user', '-o', 'TYPE,NS']).ours).toBe(`TYPE          NS\nuser  ${inodeOf(nested.innerPid, 'user')}\n`);
  });

  it('<namespace>: its processes (PID PPID USER COMMAND) in a process tree; -l, -J, -r, -n, -o too', () => {
    // pid namespace A holds outer (sh) and middle (unshare); inner is in B, A's child namespace.
    const pidA = String(inodeOf(nested.outerPid, 'pid'));
    const { theirs, ours: mine } = both([pidA]);
    expect(mine).toBe(theirs);
    const lines = mine.split('\n');
    expect(lines[0]).toMatch(/^ *PID +PPID USER COMMAND$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^ *${nested.outerPid} +${process.pid} root sh -c unshare --user --map-root-user --pid --fork sleep 1000; exit 0$`)),
      expect.stringMatching(new RegExp(`^ *${nested.middlePid} +${nested.outerPid} root └─unshare --user --map-root-user --pid --fork sleep 1000$`)),
      '',
    ]);
    for (const flags of [['-l'], ['-J'], ['-J', '-l'], ['-r'], ['-n'], ['-o', '+NS,TYPE,NPROCS'], ['-o', 'PID,COMMAND,PATH']]) {
      const run = both([...flags, pidA]);
      expect(run.ours, flags.join(' ')).toBe(run.theirs);
    }
  });

  it('<namespace> not found: exit 1, "not found namespace: N"; with -t of another kind too', () => {
    const pidA = String(inodeOf(nested.outerPid, 'pid'));
    for (const args of [['1'], ['-t', 'net', pidA]]) {
      const theirs = lsns(args);
      const mine = nsbridge(['ls', ...args]);
      expect([theirs.status, theirs.stdout]).toEqual([1, '']);
      expect([mine.status, mine.stdout, mine.stderr]).toEqual([1, '', `nsbridge: not found namespace: ${args.at(-1)}\n`]);
      expect(theirs.stderr).toBe(`lsns: not found namespace: ${args.at(-1)}\n`);
    }
  });

  it('-Tparent / -T=parent / --tree=parent: pid and user namespaces under their parents, the tree in NS', () => {
    for (const flag of ['-Tparent', '-T=parent', '--tree=parent']) {
      const { theirs, ours: mine } = both([flag, '-t', 'pid', '-p', String(nested.innerPid)]);
      const a = parseTable(theirs, 'NS');
      const b = parseTable(mine, 'NS');
      // The same tree (the NS cells with their art, in order); lsns adds the owner of our pid
      // namespace's root as a row of its own, with no processes (we show it with its own).
      expect(b.rows.map((r) => r[0])).toEqual(a.rows.map((r) => r[0]));
      const pids = (t: typeof a) => t.rows.filter((r) => r[1] === 'pid').slice(-2);
      expect(pids(b)).toEqual(pids(a));
      expect(pids(b).map((r) => r[0])).toEqual([`└─${inodeOf(nested.outerPid, 'pid')}`, `  └─${inodeOf(nested.innerPid, 'pid')}`]);
    }
  });

  it('-T / --tree (bare: owner) / -Towner: namespaces under the user namespace that owns them', () => {
    const owner = both(['-Towner', '-t', 'pid', '-p', String(nested.innerPid)]);
    const bareFlag = both(['-T', '-t', 'pid', '-p', String(nested.innerPid)]);
    const long = both(['-t', 'pid', '--tree', '-p', String(nested.innerPid)]);
    const a = parseTable(owner.theirs, 'NS');
    for (const text of [owner.ours, bareFlag.ours, long.ours, bareFlag.theirs, long.theirs]) expect(parseTable(text, 'NS').rows.map((r) => r[0])).toEqual(a.rows.map((r) => r[0]));
    expect(a.rows.map((r) => bare(r[0]!)).slice(-3)).toEqual([inodeOf(nested.outerPid, 'user'), inodeOf(nested.innerPid, 'user'), inodeOf(nested.innerPid, 'pid')].map(String));
    // Unfiltered, with -J: user A's subtree (ours only) is the same object in both.
    const full = both(['-J', '-Towner']);
    const find = (text: string) => flatten(JSON.parse(text).namespaces).find((r) => r.ns === inodeOf(nested.outerPid, 'user'));
    expect(find(full.ours)).toEqual(find(full.theirs));
    expect(flatten(find(full.ours)!.children!).map((r) => r.ns).sort()).toEqual([inodeOf(nested.outerPid, 'pid'), inodeOf(nested.innerPid, 'user'), inodeOf(nested.innerPid, 'pid')].sort());
  });

  it('-T parent (a space): "parent" is the <namespace> argument, an invalid one', () => {
    const theirs = lsns(['-T', 'parent']);
    const mine = nsbridge(['ls', '-T', 'parent']);
    expect(theirs.stderr).toBe("lsns: invalid namespace argument: 'parent'\n");
    expect([mine.status, mine.stderr.split('\n')[0]]).toEqual([2, "error: invalid namespace argument: 'parent'"]);
    // A number after a bare --tree is the namespace, listed in the owner tree's format (flat).
    const pidA = String(inodeOf(nested.outerPid, 'pid'));
    const run = both(['--tree', pidA]);
    expect(run.ours).toBe(run.theirs);
  });

  itWith(hasCommands('script', 'stty'), 'needs script(1) and stty(1) for a terminal', '-u / --notruncate: on a terminal COMMAND is cut to its width unless -u; never on a pipe', () => {
    const onTerminal = (command: string): string => {
      const r = spawnSync('script', ['-qec', `stty cols 40 rows 50; ${command}`, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', input: '' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.replace(/\r\n/g, '\n');
    };
    const args = `-p ${spacey.pid} -t uts -t ipc -o NS,TYPE,PID,COMMAND`;
    const node = `NO_COLOR=1 ${process.execPath} dist/cli/main.js ls`;
    for (const flags of ['', '-u', '--notruncate']) {
      const theirs = onTerminal(`LC_ALL=C.UTF-8 lsns ${flags} ${args}`);
      const mine = onTerminal(`${node} ${flags} ${args}`);
      expect(mine).toBe(theirs);
      const [header, row] = mine.split('\n') as [string, string];
      const cell = row.slice(header.indexOf('COMMAND'));
      expect(cell).toBe(flags === '' ? SPACEY_COMMAND.slice(0, 40 - header.indexOf('COMMAND')) : SPACEY_COMMAND);
    }
    // On a pipe nothing is cut.
    expect(both(args.split(' ')).ours).toContain(SPACEY_COMMAND);
  });

  it('usage errors where lsns has them: -J with -r; a bad type; an unknown column (exit 2 for us, naming the flag)', () => {
    for (const [args, theirs, mine] of [
      [['-J', '-r'], 'lsns: mutually exclusive arguments: --json --raw', 'error: mutually exclusive arguments: --json --raw'],
      [['-t', 'nett'], 'lsns: unknown namespace type: nett', "error: unknown namespace type 'nett' for -t"],
      [['-o', 'NS,BOGUS'], 'lsns: unknown column: BOGUS', "error: unknown column 'BOGUS' for -o"],
      [['-p', '1', '4026531836'], 'lsns: --task is mutually exclusive with <namespace>', 'error: --task is mutually exclusive with <namespace>'],
      [['abc'], "lsns: invalid namespace argument: 'abc'", "error: invalid namespace argument: 'abc'"],
    ] as const) {
      const l = lsns(args);
      const n = nsbridge(['ls', ...args]);
      expect([l.status, l.stderr.split('\n')[0]]).toEqual([1, theirs]);
      expect([n.status, n.stdout, n.stderr.split('\n')[0]!.slice(0, mine.length)]).toEqual([2, '', mine]);
    }
  });
});

describeWith(isRoot && HAVE_LSNS && hasCommands('unshare', 'mount', 'touch'), `${NEEDS}; unshare, mount`, 'nsbridge ls against lsns in a private mount namespace', () => {
  it('NSFS: one mount point per line without -W (a continuation line in tables, "\\n" in JSON), joined by "," with -W and -r', () => {
    const sets = [['-t', 'net'], ['-t', 'net', '-W'], ['-t', 'net', '-o', 'NS,NSFS,PID'], ['-t', 'net', '-o', 'NSFS'], ['-t', 'net', '-J', '-o', 'NS,NSFS'], ['-t', 'net', '-J', '--nowrap', '-o', 'NS,NSFS'], ['-t', 'net', '-r'], ['-Towner', '-o', 'NS,NSFS,COMMAND']].map((flags) => [...flags, '-p', 'HOLDER0']);
    const report = runFixture(['unshare', '--mount', '--propagation', 'private'], 'ls-mount-ns.mjs', ['nsfs', JSON.stringify(sets)]);
    for (const run of report.runs) {
      expect(run.lsns, run.args.join(' ')).toMatchObject({ status: 0, stderr: '' });
      expect(run.ours, run.args.join(' ')).toEqual(run.lsns);
    }
    const [table, nowrap, , , json, jsonNowrap, raw] = report.runs.map((r: { ours: { stdout: string } }) => r.ours.stdout);
    const lines = table.split('\n');
    expect(lines[1]).toMatch(/ unassigned \/run\/nsbridge-a sleep 1000$/);
    expect(lines[2]).toBe(`${' '.repeat(lines[1].indexOf('/run/nsbridge-a'))}/run/nsbridge-b `);
    expect(nowrap).toContain(' /run/nsbridge-a,/run/nsbridge-b sleep 1000\n');
    expect(JSON.parse(json).namespaces[0].nsfs).toBe('/run/nsbridge-a\n/run/nsbridge-b');
    expect(JSON.parse(jsonNowrap).namespaces[0].nsfs).toBe('/run/nsbridge-a,/run/nsbridge-b');
    expect(raw.split('\n')[1]).toMatch(/ unassigned \/run\/nsbridge-a,\/run\/nsbridge-b sleep\\x201000$/);
  });

  itWith(hasCommands('ip'), 'needs iproute2 ip', 'NETNSID: the id `ip netns set` gave, "unassigned" without one, empty for other kinds', () => {
    const sets = [
      ['-t', 'net', '-o', 'NS,NETNSID,NSFS,PID', '-p', 'HOLDER0'],
      ['-t', 'net', '-o', 'NS,NETNSID,NSFS,PID', '-p', 'HOLDER1'],
      ['-J', '-l', '-o', 'NS,TYPE,NETNSID', '-p', 'HOLDER0'],
      ['-r', '-l', '-o', 'NS,TYPE,NETNSID', '-p', 'HOLDER1'],
    ];
    const report = runFixture(['unshare', '--mount', '--propagation', 'private'], 'ls-mount-ns.mjs', ['netnsid', JSON.stringify(sets)]);
    for (const run of report.runs) {
      expect(run.lsns, run.args.join(' ')).toMatchObject({ status: 0, stderr: '' });
      expect(run.ours, run.args.join(' ')).toEqual(run.lsns);
    }
    const [a = '', b = '', json = '', raw = ''] = report.runs.map((r: { ours: { stdout: string } }) => r.ours.stdout) as string[];
    expect(a.split('\n')[1]).toMatch(/^\d+ +7 \/run\/netns\/nsbridge-a +\d+$/);
    expect(b.split('\n')[1]).toMatch(/^\d+ unassigned \/run\/netns\/nsbridge-b +\d+$/);
    const rows = JSON.parse(json).namespaces as { type: string; netnsid: string | null }[];
    expect(rows.filter((r) => r.type === 'net')).toEqual([expect.objectContaining({ netnsid: '7' })]);
    expect(rows.filter((r) => r.type !== 'net').map((r) => r.netnsid)).toEqual(Array(7).fill(null));
    expect(raw.split('\n').filter((l) => / net /.test(l))).toEqual([expect.stringMatching(/^\d+ net unassigned$/)]);
    expect(raw.split('\n').filter((l) => / uts /.test(l))).toEqual([expect.stringMatching(/^\d+ uts $/)]);
  });
});

describe('nsbridge ls usage errors: exit 2, naming the bad value', () => {
  const cases: [string[], RegExp][] = [
    [['ls', '-o', 'NS,BOGUS'], /^error: unknown column 'BOGUS' for -o/],
    [['ls', '-o', ''], /^error: unknown column '' for -o/],
    [['ls', '-o', 'NS,,TYPE'], /^error: unknown column '' for -o/],
    [['ls', '-o', '+'], /^error: unknown column '' for -o/],
    [['ls', '-t', 'nett'], /^error: unknown namespace type 'nett' for -t/],
    [['ls', '--tree=sideways'], /^error: unknown tree relation 'sideways' for --tree/],
    [['ls', '-Tsideways'], /^error: unknown tree relation 'sideways' for --tree/],
    [['ls', '-T='], /^error: unknown tree relation '' for --tree/],
    [['ls', '-p', 'abc'], /^error: invalid pid 'abc' for -p/],
    [['ls', '--task', '0'], /^error: invalid pid '0' for -p/],
    [['ls', '-J', '-r'], /^error: mutually exclusive arguments: --json --raw$/],
    // lsns 2.38.1 means to refuse -l with -T but does not (a bug); we refuse it.
    [['ls', '-l', '-T'], /^error: mutually exclusive arguments: --list --tree$/],
    [['ls', '-lTparent'], /^error: mutually exclusive arguments: --list --tree$/],
    [['ls', 'abc'], /^error: invalid namespace argument: 'abc'$/],
    [['ls', '0x10'], /^error: invalid namespace argument: '0x10'$/],
    [['ls', '0'], /^error: invalid namespace argument: '0'$/],
    [['ls', '18446744073709551616'], /^error: invalid namespace argument: '18446744073709551616'$/],
    [['ls', '-p', '1', '4026531836'], /^error: --task is mutually exclusive with <namespace>$/],
    [['ls', '--jsn'], /^error: unknown option '--jsn'/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const result = nsbridge(args);
      expect(result.status).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(message);
      expect(result.stdout).toBe('');
    });
  }

  it('a namespace that is not there: exit 1, "nsbridge: not found namespace: N"', () => {
    expect(nsbridge(['ls', '1'])).toMatchObject({ status: 1, stdout: '', stderr: 'nsbridge: not found namespace: 1\n' });
    expect(nsbridge(['ls', '007'])).toMatchObject({ status: 1, stderr: 'nsbridge: not found namespace: 7\n' });
  });

  it('--help shows the flags, examples and the columns', () => {
    const result = nsbridge(['ls', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n {2}nsbridge ls /);
    for (const flag of ['-J, --json', '-l, --list', '-n, --noheadings', '-o, --output <list>', '--output-all', '-p, --task <pid>', '-r, --raw', '-u, --notruncate', '-W, --nowrap', '-t, --type <name>', '-T, --tree[=relation]']) expect(result.stdout).toContain(flag);
    expect(result.stdout).toMatch(/Columns \(-o\): NS, TYPE, PATH, NPROCS, PID, PPID, COMMAND, UID, USER, NETNSID, NSFS, PNS, ONS, OUID, ID, HOLDER/);
  });
});

describe('nsbridge ls building blocks', () => {
  it('raw escaping: blanks, backslash, controls, DEL and every byte >= 0x80 as \\xHH', () => {
    expect(rawEscape('sh -c a\\b\tc')).toBe('sh\\x20-c\\x20a\\x5cb\\x09c');
    expect(rawEscape('└─kdevtmpfs')).toBe('\\xe2\\x94\\x94\\xe2\\x94\\x80kdevtmpfs');
    expect(rawEscape('\u0001\u007fé\n~!')).toBe('\\x01\\x7f\\xc3\\xa9\\x0a~!');
    expect(rawEscape('')).toBe('');
  });

  it('table encoding: controls as \\xHH, a backslash only before "x", C1 controls byte by byte; widths', () => {
    expect(safeEncode('a\tb\nc')).toBe('a\\x09b\\x0ac');
    expect(safeEncode('a\nb', '\n')).toBe('a\nb');
    expect(safeEncode('C:\\x \\y')).toBe('C:\\x5cx \\y');
    expect(safeEncode('\u0085é└─')).toBe('\\xc2\\x85é└─');
    expect([cellWidth('└─ab'), cellWidth('日本'), cellWidth('e\u0301')]).toEqual([4, 4, 1]);
    expect([cutToWidth('日本語', 5), cutToWidth('abc', 2)]).toEqual(['日本', 'ab']);
  });

  it('-o parsing: replace, "+" appends, case-insensitive, no trimming, empty names unknown', () => {
    const names = (r: ReturnType<typeof parseColumns>) => ('unknown' in r ? { unknown: r.unknown } : r.columns.map((c) => c.name));
    const current = COLUMNS.filter((c) => ['NS', 'TYPE'].includes(c.name));
    expect(names(parseColumns('pid,Command', current))).toEqual(['PID', 'COMMAND']);
    expect(names(parseColumns('+path,NS', current))).toEqual(['NS', 'TYPE', 'PATH', 'NS']);
    for (const [list, unknown] of [['', ''], ['NS,,TYPE', ''], ['+', ''], ['NS, TYPE', ' TYPE'], ['NS,', ''], ['BOGUS', 'BOGUS']]) expect(names(parseColumns(list!, current))).toEqual({ unknown });
  });

  it('-T / --tree take their value only attached (the next word stays an argument)', () => {
    const cases: [string[], string[]][] = [
      [['-T'], ['-Towner']],
      [['--tree'], ['--tree=owner']],
      [['-T', 'parent'], ['-Towner', 'parent']],
      [['--tree', '4026531836'], ['--tree=owner', '4026531836']],
      [['-lT', '-n'], ['-lTowner', '-n']],
      [['-Tparent'], ['-Tparent']],
      [['-T=parent'], ['-T=parent']],
      [['--tree=parent'], ['--tree=parent']],
      [['-o', '-T'], ['-o', '-T']],
      [['-oT'], ['-oT']],
      [['-t', 'net', '-T'], ['-t', 'net', '-Towner']],
      [['--output', '-T', '-T'], ['--output', '-T', '-Towner']],
      [['--', '-T'], ['--', '-T']],
    ];
    for (const [input, output] of cases) expect(attachTreeValues(input), input.join(' ')).toEqual(output);
  });

  it('flags → plan: default tree unless -l or --output-all; defaults per mode; -r implies -W', () => {
    const names = (columns: readonly Column[]) => columns.map((c) => c.name);
    const plan = planLs({}, undefined);
    expect([plan.tree, names(plan.columns), plan.format, plan.headings, plan.truncate, plan.wrap]).toEqual(['process', ['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND'], 'table', true, true, true]);
    expect(names(planLs({ type: ['pid', 'net'] }, undefined).columns)).toEqual(['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'NETNSID', 'NSFS', 'COMMAND']);
    expect(planLs({ list: true }, undefined).tree).toBeNull();
    expect(planLs({ outputAll: true }, undefined).tree).toBeNull();
    expect(planLs({ outputAll: true, output: 'NS' }, undefined).tree).toBeNull();
    expect(planLs({ output: '+PATH' }, undefined).tree).toBe('process');
    expect(planLs({ json: true }, undefined)).toMatchObject({ tree: 'process', format: 'json' });
    expect(planLs({ tree: '=parent' }, undefined).tree).toBe('parent');
    expect(planLs({ raw: true }, undefined)).toMatchObject({ format: 'raw', wrap: false });
    expect(planLs({ nowrap: true, notruncate: true, noheadings: true }, undefined)).toMatchObject({ wrap: false, truncate: false, headings: false });
    const members = planLs({ outputAll: true }, '4026531836');
    expect([members.namespace, members.tree, members.columns.length]).toEqual([4026531836n, 'process', COLUMNS.length]);
    expect(names(planLs({}, '0042').columns)).toEqual(['PID', 'PPID', 'USER', 'COMMAND']);
    expect(planLs({}, '0042').namespace).toBe(42n);
    expect(planLs({ task: '5', pid: '6' }, undefined).pid).toBe(5);
    expect(() => planLs({ list: true, tree: 'owner' }, undefined)).toThrow(new UsageError('mutually exclusive arguments: --list --tree'));
  });

  // A synthetic namespace, for layouts without a kernel.
  const entry = (inode: bigint, over: Partial<NamespaceEntry> = {}): NamespaceEntry => ({
    type: 'net', inode, device: 4n, id: null, processes: 1, lowestPid: 10, ppid: 1, command: 'sleep 1', uid: 0,
    owner: null, parent: null, path: `/proc/10/ns/net`, holders: { mounts: [], fds: [] }, ...over,
  });
  const node = (e: NamespaceEntry, children: LsNode[] = []): LsNode => ({ row: { entry: e, netnsid: null } satisfies LsRow, children });
  const pick = (...names: string[]) => names.map((n) => COLUMNS.find((c) => c.name === n)!);

  it('tables: width hints, right alignment, a multi-line NSFS cell with tree art on its continuation line', () => {
    const forest = [node(entry(1n, { lowestPid: 1234, command: 'a', holders: { mounts: ['/x', '/longer'], fds: [] } }), [node(entry(2n, { command: 'b' }))])];
    const out = renderTable(pick('PID', 'NSFS', 'COMMAND'), treeLines(forest), 2, { headings: true, colour: false, fitWidth: null, context: { nsfsSeparator: '\n' } });
    expect(out).toBe(['  PID NSFS    COMMAND', ' 1234 /x      a', '      /longer │ ', '   10         └─b', ''].join('\n'));
    // Cut to fit 12 columns (PID is 3 wide: its header); COMMAND never below its header's width.
    const cut = (fitWidth: number) => renderTable(pick('PID', 'COMMAND'), treeLines([node(entry(1n, { command: 'abcdefghijkl' }))]), -1, { headings: false, colour: false, fitWidth, context: { nsfsSeparator: '\n' } });
    expect([cut(12), cut(5), cut(80)]).toEqual([' 10 abcdefgh\n', ' 10 abcdefg\n', ' 10 abcdefghijkl\n']);
    expect(renderTable(pick('PID'), [], -1, { headings: true, colour: false, fitWidth: null, context: { nsfsSeparator: '\n' } })).toBe('');
  });

  it('JSON as libsmartcols writes it: "},{" between objects, children last, null for empty, strings quoted like lsns', () => {
    const forest = [node(entry(1n, { command: 'say "hi"\t\\' }), [node(entry(2n, { command: null }))]), node(entry(3n))];
    expect(renderJson(pick('NS', 'PID', 'COMMAND'), forest, { nsfsSeparator: '\n' }).split('\n')).toEqual([
      '{',
      '   "namespaces": [',
      '      {',
      '         "ns": 1,',
      '         "pid": 10,',
      '         "command": "say \\"hi\\"\\t\\\\",',
      '         "children": [',
      '            {',
      '               "ns": 2,',
      '               "pid": 10,',
      '               "command": null',
      '            }',
      '         ]',
      '      },{',
      '         "ns": 3,',
      '         "pid": 10,',
      '         "command": "sleep 1"',
      '      }',
      '   ]',
      '}',
      '',
    ]);
    expect(renderJson(pick('NS'), [], { nsfsSeparator: '\n' })).toBe('{\n   "namespaces": [\n\n   ]\n}\n');
  });
});
