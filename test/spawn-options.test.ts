/**
 * spawn() option validation and the plans it builds. Nothing here needs root or starts a process:
 * joins use this process itself, whose namespaces are all identical to ours, so they are skipped.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Namespace, ProcessHandle } from '../src/index.js';
import { NAMESPACE_KINDS, kindOf } from '../src/kinds.js';
import { readNsPid } from '../src/proc.js';
import { PreparationFailure, normalizeSpawn, type SpawnRequest } from '../src/spawn/options.js';
import { fdTarget, openFds } from './helpers/processes.js';
import { addon } from '../src/native/addon.js';

const flag = (type: Parameters<typeof kindOf>[0]): number => kindOf(type).flag;
/** Whether this process has CAP_SETGID in its effective set (bit 6 of CapEff). */
const hasCapSetgid = (): boolean => {
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return (BigInt(`0x${capEff}`) & (1n << 6n)) !== 0n;
};
const ourPidLevels = readNsPid('self').length;

const netNs = Namespace.of('self', 'net');
const closedNs = Namespace.of('self', 'net');
closedNs.close();
const closedHandle = ProcessHandle.open(process.pid);
closedHandle.close();
afterAll(() => netNs.close());

/** normalizeSpawn with the options in third place; args are [] unless given. */
const spawnWith = (options: unknown, args: unknown = []): SpawnRequest => normalizeSpawn('prog', args, options);

type Case = [label: string, call: () => unknown, error: typeof TypeError | typeof RangeError, message: RegExp];

const idMap = [{ inside: 0, outside: 1000, count: 1 }];

const cases: Case[] = [
  // file, args, the options object
  ['file: empty', () => normalizeSpawn('', [], undefined), RangeError, /file must not be empty/],
  ['file: number', () => normalizeSpawn(42, [], undefined), TypeError, /file must be a string, got 42/],
  ['file: NUL', () => normalizeSpawn('a\0b', [], undefined), RangeError, /file must not contain NUL bytes/],
  ['args: string', () => normalizeSpawn('prog', 'x', undefined), TypeError, /args must be an array of strings, got "x"/],
  ['args: object with options given too', () => normalizeSpawn('prog', {}, {}), TypeError, /args must be an array of strings/],
  ['args: number entry', () => spawnWith({}, ['a', 1]), TypeError, /args\[1\] must be a string, got 1/],
  // eslint-disable-next-line no-sparse-arrays -- the hole is the bad input
  ['args: hole', () => spawnWith({}, [, 'a']), TypeError, /args\[0\] must be a string, got undefined/],
  ['args: NUL', () => spawnWith({}, ['a\0']), RangeError, /args\[0\] must not contain NUL bytes/],
  ['options: null', () => spawnWith(null), TypeError, /options must be a plain object, got null/],
  ['options: string', () => spawnWith('x'), TypeError, /options must be a plain object, got "x"/],
  ['options: Map', () => spawnWith(new Map()), TypeError, /options must be a plain object, got \[object Map\]/],
  ['options: unknown key', () => spawnWith({ hostnme: 'box' }), TypeError, /Unknown spawn option 'hostnme'/],
  ['options: child_process key', () => spawnWith({ detached: true }), TypeError, /Unknown spawn option 'detached'/],

  // namespaces
  ['namespaces: string', () => spawnWith({ namespaces: 'net' }), TypeError, /options\.namespaces must be an array of namespace types or an object of booleans, got "net"/],
  ['namespaces: unknown kind', () => spawnWith({ namespaces: ['net', 'network'] }), TypeError, /options\.namespaces\[1\] namespace type "network"/],
  ['namespaces: duplicate', () => spawnWith({ namespaces: ['net', 'net'] }), RangeError, /options\.namespaces lists "net" twice/],
  ['namespaces: unknown key', () => spawnWith({ namespaces: { network: true } }), TypeError, /options\.namespaces key "network"/],
  ['namespaces: non-boolean', () => spawnWith({ namespaces: { net: 1 } }), TypeError, /options\.namespaces\.net must be a boolean, got 1/],

  // join
  ['join: string', () => spawnWith({ join: 'self' }), TypeError, /options\.join must be a plain object, got "self"/],
  ['join: empty', () => spawnWith({ join: {} }), RangeError, /options\.join needs a target or at least one namespace handle/],
  ['join: unknown key', () => spawnWith({ join: { targt: 1 } }), TypeError, /Unknown options\.join key 'targt'/],
  ['join: target 0', () => spawnWith({ join: { target: 0 } }), RangeError, /options\.join\.target must be an integer from 1 to 4194304, got 0/],
  ['join: target string', () => spawnWith({ join: { target: 'self' } }), TypeError, /options\.join\.target must be a ProcessHandle or a pid, got "self"/],
  ['join: closed target', () => spawnWith({ join: { target: closedHandle } }), RangeError, /options\.join\.target is closed/],
  ['join: kinds without target', () => spawnWith({ join: { kinds: ['uts'], net: netNs } }), RangeError, /options\.join\.kinds requires options\.join\.target/],
  ['join: kinds a string', () => spawnWith({ join: { target: process.pid, kinds: 'net' } }), TypeError, /options\.join\.kinds must be 'all' or an array of namespace types, got "net"/],
  ['join: unknown kind', () => spawnWith({ join: { target: process.pid, kinds: ['bogus'] } }), TypeError, /options\.join\.kinds\[0\] namespace type "bogus"/],
  ['join: duplicate kind', () => spawnWith({ join: { target: process.pid, kinds: ['ipc', 'ipc'] } }), RangeError, /options\.join\.kinds lists "ipc" twice/],
  ['join: handle not a Namespace', () => spawnWith({ join: { net: {} } }), TypeError, /options\.join\.net must be a Namespace, got \[object Object\]/],
  ['join: handle of the wrong kind', () => spawnWith({ join: { uts: netNs } }), TypeError, /options\.join\.uts must be a uts Namespace, got a net namespace/],
  ['join: closed handle', () => spawnWith({ join: { net: closedNs } }), RangeError, /options\.join\.net is closed/],
  ['join: kind by kinds and by handle', () => spawnWith({ join: { target: process.pid, kinds: ['net'], net: netNs } }), RangeError, /options\.join\.kinds includes "net", which options\.join\.net also gives/],
  ["join: 'all' and a handle", () => spawnWith({ join: { target: process.pid, kinds: 'all', net: netNs } }), RangeError, /options\.join\.kinds includes "net", which options\.join\.net also gives/],
  ['join: kinds and created', () => spawnWith({ namespaces: ['ipc'], join: { target: process.pid, kinds: ['ipc'] } }), RangeError, /options\.join\.kinds includes "ipc", which options\.namespaces\.ipc creates/],
  ['join: handle and created', () => spawnWith({ namespaces: { net: true }, join: { net: netNs } }), RangeError, /options\.join\.net conflicts with options\.namespaces\.net/],

  // user namespace
  ['uidMap: without a user namespace', () => spawnWith({ uidMap: idMap }), RangeError, /options\.uidMap requires a new user namespace \(namespaces\.user\)/],
  ['gidMap: without a user namespace', () => spawnWith({ namespaces: ['net'], gidMap: idMap }), RangeError, /options\.gidMap requires a new user namespace/],
  ['uidMap: object', () => spawnWith({ namespaces: ['user'], uidMap: {} }), TypeError, /options\.uidMap must be an array, got \[object Object\]/],
  ['uidMap: empty', () => spawnWith({ namespaces: ['user'], uidMap: [] }), RangeError, /options\.uidMap must have 1 to 340 entries, got 0/],
  ['uidMap: 341 lines', () => spawnWith({ namespaces: ['user'], uidMap: Array.from({ length: 341 }, (_, i) => ({ inside: i, outside: i, count: 1 })) }), RangeError, /options\.uidMap must have 1 to 340 entries, got 341/],
  ['uidMap: entry null', () => spawnWith({ namespaces: ['user'], uidMap: [null] }), TypeError, /options\.uidMap\[0\] must be a plain object, got null/],
  ['uidMap: unknown key', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: 0, outside: 0, count: 1, extra: 1 }] }), TypeError, /Unknown options\.uidMap\[0\] key 'extra'/],
  ['uidMap: count missing', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: 0, outside: 0 }] }), TypeError, /options\.uidMap\[0\]\.count must be an integer, got undefined/],
  ['uidMap: count 0', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: 0, outside: 0, count: 0 }] }), RangeError, /options\.uidMap\[0\]\.count must be an integer from 1 to 4294967295, got 0/],
  ['uidMap: inside -1', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: -1, outside: 0, count: 1 }] }), RangeError, /options\.uidMap\[0\]\.inside must be an integer from 0 to 4294967294, got -1/],
  ['uidMap: outside (uid_t)-1', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: 0, outside: 2 ** 32 - 1, count: 1 }] }), RangeError, /options\.uidMap\[0\]\.outside .* got 4294967295/],
  ['uidMap: inside range wraps', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: 2 ** 32 - 2, outside: 0, count: 2 }] }), RangeError, /options\.uidMap\[0\]: inside \+ count must not exceed 4294967295/],
  ['gidMap: outside range wraps', () => spawnWith({ namespaces: ['user'], gidMap: [{ inside: 0, outside: 1, count: 2 ** 32 - 1 }] }), RangeError, /options\.gidMap\[0\]: outside \+ count must not exceed/],
  ['uidMap: inside ranges overlap', () => spawnWith({ namespaces: ['user'], uidMap: [{ inside: 100, outside: 1000, count: 10 }, { inside: 0, outside: 5000, count: 1 }, { inside: 105, outside: 2000, count: 10 }] }), RangeError, /options\.uidMap\[0\] and options\.uidMap\[2\] overlap in their inside ranges/],
  ['gidMap: outside ranges overlap', () => spawnWith({ namespaces: ['user'], gidMap: [{ inside: 0, outside: 1000, count: 10 }, { inside: 100, outside: 1009, count: 1 }] }), RangeError, /options\.gidMap\[0\] and options\.gidMap\[1\] overlap in their outside ranges/],
  ['mapRootUser: not a boolean', () => spawnWith({ namespaces: ['user'], mapRootUser: 'yes' }), TypeError, /options\.mapRootUser must be a boolean, got "yes"/],
  ['mapRootUser: without a user namespace', () => spawnWith({ mapRootUser: true }), RangeError, /options\.mapRootUser requires a new user namespace/],
  ['mapRootUser: with uidMap', () => spawnWith({ namespaces: ['user'], mapRootUser: true, uidMap: idMap }), RangeError, /options\.mapRootUser conflicts with options\.uidMap/],
  ['mapRootUser: with gidMap', () => spawnWith({ namespaces: ['user'], mapRootUser: true, gidMap: idMap }), RangeError, /options\.mapRootUser conflicts with options\.gidMap/],
  ['setgroups: unknown value', () => spawnWith({ namespaces: ['user'], setgroups: 'maybe' }), TypeError, /options\.setgroups must be 'allow' or 'deny', got "maybe"/],
  ['setgroups: without a user namespace', () => spawnWith({ setgroups: 'deny' }), RangeError, /options\.setgroups requires a new user namespace/],

  // uts
  ['hostname: without a uts namespace', () => spawnWith({ hostname: 'box' }), RangeError, /options\.hostname requires a new uts namespace \(namespaces\.uts\)/],
  ['domainname: without a uts namespace', () => spawnWith({ namespaces: ['net'], domainname: 'example' }), RangeError, /options\.domainname requires a new uts namespace/],
  ['hostname: number', () => spawnWith({ namespaces: ['uts'], hostname: 5 }), TypeError, /options\.hostname must be a string, got 5/],
  ['hostname: empty', () => spawnWith({ namespaces: ['uts'], hostname: '' }), RangeError, /options\.hostname must be 1 to 64 bytes \(UTF-8\), got 0/],
  ['hostname: 65 bytes', () => spawnWith({ namespaces: ['uts'], hostname: 'x'.repeat(65) }), RangeError, /options\.hostname must be 1 to 64 bytes \(UTF-8\), got 65/],
  ['hostname: 33 characters, 66 bytes', () => spawnWith({ namespaces: ['uts'], hostname: 'é'.repeat(33) }), RangeError, /options\.hostname must be 1 to 64 bytes \(UTF-8\), got 66/],
  ['hostname: NUL', () => spawnWith({ namespaces: ['uts'], hostname: 'a\0b' }), RangeError, /options\.hostname must not contain NUL bytes/],
  ['domainname: 65 bytes', () => spawnWith({ namespaces: ['uts'], domainname: 'd'.repeat(65) }), RangeError, /options\.domainname must be 1 to 64 bytes/],

  // mountProc
  ['mountProc: number', () => spawnWith({ namespaces: ['mnt', 'pid'], mountProc: 1 }), TypeError, /options\.mountProc must be a boolean or a path, got 1/],
  ['mountProc: relative path', () => spawnWith({ namespaces: ['mnt', 'pid'], mountProc: 'proc' }), RangeError, /options\.mountProc must be an absolute path, got "proc"/],
  ['mountProc: empty path', () => spawnWith({ namespaces: ['mnt', 'pid'], mountProc: '' }), RangeError, /options\.mountProc must not be empty/],
  ['mountProc: without a mnt namespace', () => spawnWith({ namespaces: ['pid'], mountProc: true }), RangeError, /options\.mountProc requires a new mnt namespace \(namespaces\.mnt\)/],
  ['mountProc: without a pid namespace', () => spawnWith({ namespaces: ['mnt'], mountProc: true }), RangeError, /options\.mountProc requires a new pid namespace \(namespaces\.pid\) or a joined one/],
  ['mountProc: joined kinds without pid', () => spawnWith({ namespaces: ['mnt'], mountProc: true, join: { target: process.pid, kinds: ['net'] } }), RangeError, /options\.mountProc requires a new pid namespace/],

  // timeOffsets
  ['timeOffsets: without a time namespace', () => spawnWith({ timeOffsets: { monotonic: 1 } }), RangeError, /options\.timeOffsets requires a new time namespace \(namespaces\.time\)/],
  ['timeOffsets: string', () => spawnWith({ namespaces: ['time'], timeOffsets: '1' }), TypeError, /options\.timeOffsets must be a plain object, got "1"/],
  ['timeOffsets: empty', () => spawnWith({ namespaces: ['time'], timeOffsets: {} }), RangeError, /options\.timeOffsets must set monotonic and\/or boottime/],
  ['timeOffsets: only undefined', () => spawnWith({ namespaces: ['time'], timeOffsets: { boottime: undefined } }), RangeError, /options\.timeOffsets must set monotonic and\/or boottime/],
  ['timeOffsets: unknown clock', () => spawnWith({ namespaces: ['time'], timeOffsets: { realtime: 1 } }), TypeError, /Unknown options\.timeOffsets key 'realtime'/],
  ['timeOffsets: string value', () => spawnWith({ namespaces: ['time'], timeOffsets: { monotonic: '1' } }), TypeError, /options\.timeOffsets\.monotonic must be a bigint \(nanoseconds\) or a number \(seconds\), got "1"/],
  ['timeOffsets: NaN', () => spawnWith({ namespaces: ['time'], timeOffsets: { boottime: Number.NaN } }), RangeError, /options\.timeOffsets\.boottime must be a finite number of seconds, got NaN/],
  ['timeOffsets: Infinity', () => spawnWith({ namespaces: ['time'], timeOffsets: { monotonic: -Infinity } }), RangeError, /options\.timeOffsets\.monotonic must be a finite number/],
  ['timeOffsets: beyond KTIME_SEC_MAX seconds', () => spawnWith({ namespaces: ['time'], timeOffsets: { monotonic: 1e10 } }), RangeError, /options\.timeOffsets\.monotonic must be within ±9223372036 seconds/],
  ['timeOffsets: beyond KTIME_SEC_MAX nanoseconds', () => spawnWith({ namespaces: ['time'], timeOffsets: { boottime: -(2n ** 63n) } }), RangeError, /options\.timeOffsets\.boottime must be within/],

  // cgroup, setTid
  ['cgroup: number', () => spawnWith({ cgroup: 1 }), TypeError, /options\.cgroup must be a string, got 1/],
  ['cgroup: empty', () => spawnWith({ cgroup: '' }), RangeError, /options\.cgroup must not be empty/],
  ['setTid: number', () => spawnWith({ setTid: 1 }), TypeError, /options\.setTid must be an array, got 1/],
  ['setTid: empty', () => spawnWith({ setTid: [] }), RangeError, /options\.setTid must have 1 to 32 entries, got 0/],
  ['setTid: 33 levels', () => spawnWith({ setTid: Array.from({ length: 33 }, () => 1) }), RangeError, /options\.setTid must have 1 to 32 entries, got 33/],
  ['setTid: pid 0', () => spawnWith({ setTid: [0] }), RangeError, /options\.setTid\[0\] must be an integer from 1 to 4194304, got 0/],
  ['setTid: string', () => spawnWith({ setTid: ['1'] }), TypeError, /options\.setTid\[0\] must be an integer, got "1"/],
  ['setTid: deeper than our pid namespace', () => spawnWith({ setTid: Array.from({ length: ourPidLevels + 1 }, () => 1) }), RangeError, new RegExp(`options\\.setTid has ${ourPidLevels + 1} entries.*at most ${ourPidLevels} allowed`)],
  ['setTid: deeper than a new pid namespace', () => spawnWith({ namespaces: ['pid'], setTid: Array.from({ length: ourPidLevels + 2 }, () => 1) }), RangeError, new RegExp(`at most ${ourPidLevels + 1} allowed`)],

  // propagation, root, cwd { fd }, persist, keepCapabilities, preserveCredentials, pidForChildrenOnly
  ['propagation: unknown mode', () => spawnWith({ namespaces: ['mnt'], propagation: 'rshared' }), TypeError, /options\.propagation must be one of 'private', 'slave', 'shared', 'unchanged', got "rshared"/],
  ['propagation: without a new mnt namespace', () => spawnWith({ propagation: 'private' }), RangeError, /options\.propagation requires a new mnt namespace \(namespaces\.mnt\)/],
  ['propagation: with a joined mnt namespace only', () => spawnWith({ join: { target: process.pid, kinds: ['mnt'] }, propagation: 'slave' }), RangeError, /options\.propagation requires a new mnt namespace/],
  ['root: number', () => spawnWith({ root: 3 }), TypeError, /options\.root must be a path or \{ fd \}, got 3/],
  ['root: empty', () => spawnWith({ root: '' }), RangeError, /options\.root must not be empty/],
  ['root: { fd: -1 }', () => spawnWith({ root: { fd: -1 } }), RangeError, /options\.root\.fd must be an integer from 0 to 2147483647, got -1/],
  ['root: { path }', () => spawnWith({ root: { path: '/' } }), TypeError, /options\.root must be a path or \{ fd \}, got \[object Object\] with keys "path"/],
  ['cwd: { fd: 1.5 }', () => spawnWith({ cwd: { fd: 1.5 } }), RangeError, /options\.cwd\.fd must be an integer from 0 to 2147483647, got 1\.5/],
  ['persist: array', () => spawnWith({ namespaces: ['net'], persist: ['/run/x'] }), TypeError, /options\.persist must be an object of namespace type → path, got array\(1\)/],
  ['persist: unknown kind', () => spawnWith({ namespaces: ['net'], persist: { network: '/run/x' } }), TypeError, /Unknown options\.persist key "network"/],
  ['persist: relative path', () => spawnWith({ namespaces: ['net'], persist: { net: 'run/x' } }), RangeError, /options\.persist\.net must be an absolute path, got "run\/x"/],
  ['persist: a kind not created', () => spawnWith({ namespaces: ['net'], persist: { uts: '/run/x' } }), RangeError, /options\.persist\.uts requires a new uts namespace \(namespaces\.uts\)/],
  ['keepCapabilities: without a new user namespace', () => spawnWith({ keepCapabilities: true }), RangeError, /options\.keepCapabilities requires a new user namespace/],
  ['keepCapabilities: string', () => spawnWith({ namespaces: ['user'], keepCapabilities: 'yes' }), TypeError, /options\.keepCapabilities must be a boolean, got "yes"/],
  ['preserveCredentials: without a user join', () => spawnWith({ preserveCredentials: true }), RangeError, /options\.preserveCredentials applies to joining a user namespace/],
  ['preserveCredentials: a string', () => spawnWith({ join: { target: process.pid, kinds: ['user'] }, preserveCredentials: 'yes' }), TypeError, /options\.preserveCredentials must be a boolean, got "yes"/],
  ['pidForChildrenOnly: without a pid namespace', () => spawnWith({ pidForChildrenOnly: true }), RangeError, /options\.pidForChildrenOnly requires a new pid namespace/],
  ['pidForChildrenOnly: with mountProc', () => spawnWith({ namespaces: ['pid', 'mnt'], mountProc: true, pidForChildrenOnly: true }), RangeError, /options\.pidForChildrenOnly conflicts with options\.mountProc/],
  ['pidForChildrenOnly: with setTid', () => spawnWith({ namespaces: ['pid'], setTid: [1], pidForChildrenOnly: true }), RangeError, /options\.pidForChildrenOnly conflicts with options\.setTid/],

  // cwd, env, argv0
  ['cwd: number', () => spawnWith({ cwd: 1 }), TypeError, /options\.cwd must be a string, a file: URL or \{ fd \}, got 1/],
  ['cwd: empty', () => spawnWith({ cwd: '' }), RangeError, /options\.cwd must not be empty/],
  ['cwd: NUL', () => spawnWith({ cwd: '/tmp\0' }), RangeError, /options\.cwd must not contain NUL bytes/],
  ['cwd: http URL', () => spawnWith({ cwd: new URL('http://example.com/') }), RangeError, /options\.cwd must be a file: URL, got "http:\/\/example\.com\/"/],
  ['cwd: file URL with an encoded slash', () => spawnWith({ cwd: new URL('file:///a%2Fb') }), RangeError, /options\.cwd "file:\/\/\/a%2Fb" is not a valid file path/],
  ['cwd: file URL with an encoded NUL', () => spawnWith({ cwd: new URL('file:///a%00b') }), RangeError, /options\.cwd must not contain NUL bytes/],
  ['env: string', () => spawnWith({ env: 'A=1' }), TypeError, /options\.env must be an object, got "A=1"/],
  ['env: null', () => spawnWith({ env: null }), TypeError, /options\.env must be an object, got null/],
  ['env: empty key', () => spawnWith({ env: { '': 'x' } }), RangeError, /options\.env must not have an empty key/],
  ['env: key with =', () => spawnWith({ env: { 'A=B': 'x' } }), RangeError, /options\.env key "A=B" must not contain '='/],
  ['env: key with NUL', () => spawnWith({ env: { 'A\0': 'x' } }), RangeError, /options\.env key "A\\u0000" must not contain NUL bytes/],
  ['env: null value', () => spawnWith({ env: { A: null } }), TypeError, /options\.env\.A must be a string, got null/],
  ['env: object value', () => spawnWith({ env: { A: {} } }), TypeError, /options\.env\.A must be a string, got \[object Object\]/],
  ['env: value with NUL', () => spawnWith({ env: { A: 'x\0y' } }), RangeError, /options\.env\.A must not contain NUL bytes/],
  ['argv0: number', () => spawnWith({ argv0: 0 }), TypeError, /options\.argv0 must be a string, got 0/],
  ['argv0: NUL', () => spawnWith({ argv0: 'a\0' }), RangeError, /options\.argv0 must not contain NUL bytes/],

  // credentials
  ['uid: -1', () => spawnWith({ uid: -1 }), RangeError, /options\.uid must be an integer from 0 to 4294967294, got -1/],
  ['uid: string', () => spawnWith({ uid: '0' }), TypeError, /options\.uid must be an integer, got "0"/],
  ['gid: (gid_t)-1', () => spawnWith({ gid: 2 ** 32 - 1 }), RangeError, /options\.gid must be an integer from 0 to 4294967294, got 4294967295/],
  ['groups: string', () => spawnWith({ groups: '0' }), TypeError, /options\.groups must be an array, got "0"/],
  ['groups: fraction', () => spawnWith({ groups: [0, 1.5] }), RangeError, /options\.groups\[1\] must be an integer from 0 to 4294967294, got 1\.5/],
  ['groups: beyond NGROUPS_MAX', () => spawnWith({ groups: new Array<number>(65537).fill(0) }), RangeError, /options\.groups must have 0 to 65536 entries, got 65537/],

  // stdio
  ['stdio: ipc', () => spawnWith({ stdio: 'ipc' }), TypeError, /options\.stdio must be 'pipe', 'inherit', 'ignore' or an array, got "ipc"/],
  ['stdio: number', () => spawnWith({ stdio: 1 }), TypeError, /options\.stdio must be .* got 1/],
  ['stdio: ipc slot', () => spawnWith({ stdio: ['pipe', 'pipe', 'pipe', 'ipc'] }), TypeError, /options\.stdio\[3\] must be 'pipe', 'inherit', 'ignore', null, an fd number or an object with an fd, got "ipc"/],
  ['stdio: overlapped slot', () => spawnWith({ stdio: ['overlapped'] }), TypeError, /options\.stdio\[0\] must be/],
  ['stdio: object without an fd', () => spawnWith({ stdio: ['pipe', {}] }), TypeError, /options\.stdio\[1\] must be .* got \[object Object\]/],
  ['stdio: negative fd', () => spawnWith({ stdio: ['pipe', 'pipe', -1] }), RangeError, /options\.stdio\[2\] must be an integer from 0 to 2147483647, got -1/],
  ['stdio: object with fd -1', () => spawnWith({ stdio: [{ fd: -1 }] }), RangeError, /options\.stdio\[0\]\.fd must be an integer from 0/],
  ['stdio: handle with fd -1', () => spawnWith({ stdio: [{ _handle: { fd: -1 } }] }), RangeError, /options\.stdio\[0\]\._handle\.fd must be an integer from 0/],
  ['stdio: 1025 slots', () => spawnWith({ stdio: new Array<string>(1025).fill('pipe') }), RangeError, /options\.stdio must have at most 1024 slots, got 1025/],

  // signals
  ['killOnParentDeath: 0', () => spawnWith({ killOnParentDeath: 0 }), RangeError, /options\.killOnParentDeath must be a signal from 1 to 64/],
  ['killOnParentDeath: unknown name', () => spawnWith({ killOnParentDeath: 'SIGNOPE' }), TypeError, /Unknown options\.killOnParentDeath "SIGNOPE"/],
  ['killOnParentDeath: 65', () => spawnWith({ killOnParentDeath: 65 }), RangeError, /options\.killOnParentDeath must be an integer from 0 to 64, got 65/],
  ['killOnParentDeath: object', () => spawnWith({ killOnParentDeath: {} }), TypeError, /options\.killOnParentDeath must be a boolean or a signal/],
  ['signal: not an AbortSignal', () => spawnWith({ signal: {} }), TypeError, /options\.signal must be an AbortSignal, got \[object Object\]/],
  ['killSignal: unknown name', () => spawnWith({ killSignal: 'SIGNOPE' }), TypeError, /Unknown options\.killSignal "SIGNOPE"/],
  ['killSignal: -1', () => spawnWith({ killSignal: -1 }), RangeError, /options\.killSignal must be an integer from 0 to 64, got -1/],
];

describe('spawn option validation', () => {
  it.each(cases)('%s', (_label, call, errorType, message) => {
    const before = openFds();
    let thrown: unknown;
    try {
      (call() as SpawnRequest | undefined)?.release();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(errorType);
    expect((thrown as Error).message).toMatch(message);
    // Validation fails before anything is opened, or closes what it opened.
    expect(openFds()).toEqual(before);
  });

  it('a failure after opening closes what was opened (target pidfd), tagged with its step', () => {
    const before = openFds();
    let thrown: unknown;
    try {
      spawnWith({ join: { target: process.pid }, stdio: 'ignore', cgroup: '/nonexistent/nsbridge-test-cgroup' }).release();
    } catch (error) {
      thrown = error;
    }
    // A setup failure while preparing: spawn() makes an NsChild with these pipe slots of it.
    expect(thrown).toBeInstanceOf(PreparationFailure);
    expect(thrown).toMatchObject({ failure: { code: 'ENOENT', path: '/nonexistent/nsbridge-test-cgroup', step: 'cgroup' }, pipeSlots: [false, false, false] });
    expect(openFds()).toEqual(before);
  });
});

describe('spawn plans', () => {
  /** Run `body` on a request and release it afterwards; asserts no fd outlives release(). */
  function withRequest(options: unknown, body: (request: SpawnRequest) => void, args: unknown = []): void {
    const before = openFds();
    const request = spawnWith(options, args);
    try {
      body(request);
    } finally {
      request.release();
    }
    expect(openFds()).toEqual(before);
  }

  it('defaults', () => {
    withRequest(undefined, (request) => {
      expect(request.file).toBe('prog');
      expect(request.args).toEqual([]);
      expect(request.stdioKinds).toEqual(['pipe', 'pipe', 'pipe']);
      expect(request.signal).toBeUndefined();
      expect(request.killSignal).toBe(15);
      expect(request.plan).toEqual({
        paths: (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').map((dir) => `${dir || '.'}/prog`).filter((p, i, all) => all.indexOf(p) === i),
        argv: ['prog'],
        // This process's environment, read through process.env (under Node's lock).
        envp: Object.entries(process.env).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`])),
        // The program inherits our cwd.
        cwd: null,
        cloneFlags: 0,
        unshareFlags: 0,
        joinPidfd: -1,
        joinMask: 0,
        joinFds: [],
        joinTypes: [],
        shareMemory: true,
        setTid: [],
        cgroupFd: -1,
        uidMap: null,
        gidMap: null,
        setgroups: null,
        timeOffsets: null,
        hostname: null,
        domainname: null,
        mountProc: null,
        uid: -1,
        gid: -1,
        groups: null,
        stdio: [-1, -1, -1],
        pdeathSignal: 0,
        propagation: 0,
        root: null,
        rootFd: -1,
        cwdFd: -1,
        keepCapabilities: false,
        persistKinds: [],
        persistPaths: [],
        pidForChildrenOnly: false,
        loopbackUp: false,
      });
    });
  });

  it("propagation: 'private' by default for a new mount namespace, the mount(2) flags of each mode, none without one", () => {
    const MS_REC = 0x4000;
    withRequest({ namespaces: ['mnt'] }, (r) => expect(r.plan.propagation).toBe(MS_REC | (1 << 18)));
    withRequest({ namespaces: ['mnt'], propagation: 'private' }, (r) => expect(r.plan.propagation).toBe(MS_REC | (1 << 18)));
    withRequest({ namespaces: ['mnt'], propagation: 'slave' }, (r) => expect(r.plan.propagation).toBe(MS_REC | (1 << 19)));
    withRequest({ namespaces: ['mnt'], propagation: 'shared' }, (r) => expect(r.plan.propagation).toBe(MS_REC | (1 << 20)));
    withRequest({ namespaces: ['mnt'], propagation: 'unchanged' }, (r) => expect(r.plan.propagation).toBe(0));
    withRequest({ namespaces: ['net'] }, (r) => expect(r.plan.propagation).toBe(0));
  });

  it('root and cwd as paths or { fd }; keepCapabilities; persist in the kinds table order', () => {
    withRequest({ root: '/srv/root', cwd: { fd: 7 } }, (r) => {
      expect([r.plan.root, r.plan.rootFd, r.plan.cwd, r.plan.cwdFd]).toEqual(['/srv/root', -1, null, 7]);
    });
    withRequest({ root: { fd: 9 }, cwd: '/tmp' }, (r) => {
      expect([r.plan.root, r.plan.rootFd, r.plan.cwd, r.plan.cwdFd]).toEqual([null, 9, '/tmp', -1]);
    });
    withRequest({ namespaces: ['user'], keepCapabilities: true }, (r) => expect(r.plan.keepCapabilities).toBe(true));
    withRequest({ namespaces: ['uts', 'net', 'pid'], persist: { uts: '/run/u', net: '/run/n', pid: '/run/p' } }, (r) => {
      expect(r.plan.persistKinds).toEqual([flag('net'), flag('pid'), flag('uts')]);
      expect(r.plan.persistPaths).toEqual(['/run/n', '/run/p', '/run/u']);
    });
  });

  it('pidForChildrenOnly: the namespaces are unshared by the child (clone3 would make the program pid 1)', () => {
    withRequest({ namespaces: ['pid', 'uts'], pidForChildrenOnly: true }, (r) => {
      expect([r.plan.cloneFlags, r.plan.unshareFlags, r.plan.pidForChildrenOnly]).toEqual([0, flag('pid') | flag('uts'), true]);
    });
  });

  it('spawn(file, options): an object in place of args is the options', () => {
    const request = normalizeSpawn('prog', { argv0: 'name', namespaces: ['uts'], hostname: 'box' }, undefined);
    request.release();
    expect(request.args).toEqual([]);
    expect(request.plan.argv).toEqual(['name']);
    expect(request.plan.hostname).toBe('box');
    expect(() => normalizeSpawn('prog', { hostname: 'box' }, undefined)).toThrow(/options\.hostname requires a new uts namespace/);
  });

  it('PATH candidates come from the PATH of the program’s env', () => {
    withRequest({ env: { PATH: '/a::/b:/a:' } }, (r) => expect(r.plan.paths).toEqual(['/a/prog', './prog', '/b/prog']));
    // env given without PATH: the default, not this process's PATH
    withRequest({ env: { HOME: '/root' } }, (r) => expect(r.plan.paths).toEqual(['/usr/local/bin/prog', '/usr/bin/prog', '/bin/prog']));
    withRequest({ env: { PATH: undefined } }, (r) => expect(r.plan.paths).toEqual(['/usr/local/bin/prog', '/usr/bin/prog', '/bin/prog']));
    withRequest({ env: { PATH: '' } }, (r) => expect(r.plan.paths).toEqual(['./prog']));
    // a file with a slash is not searched
    const direct = normalizeSpawn('./bin/prog', ['x'], { env: { PATH: '/a' } });
    direct.release();
    expect(direct.plan.paths).toEqual(['./bin/prog']);
    expect(direct.plan.argv).toEqual(['./bin/prog', 'x']);
  });

  it('env rendering: undefined skipped, numbers and booleans coerced', () => {
    withRequest({ env: { A: 'x', EMPTY: '', N: 1, B: true, U: undefined, EQ: 'a=b' }, argv0: '' }, (r) => {
      expect(r.plan.envp).toEqual(['A=x', 'EMPTY=', 'N=1', 'B=true', 'EQ=a=b']);
      expect(r.plan.argv).toEqual(['']);
    }, undefined);
  });

  it('uid/gid map rendering', () => {
    withRequest(
      {
        namespaces: { user: true, net: false },
        uidMap: [{ inside: 0, outside: 100000, count: 65536 }, { inside: 65536, outside: 1000, count: 1 }],
        gidMap: [{ inside: 0, outside: 0, count: 2 ** 32 - 1 }],
        setgroups: 'deny',
      },
      (r) => {
        expect(r.plan.uidMap).toBe('0 100000 65536\n65536 1000 1\n');
        expect(r.plan.gidMap).toBe('0 0 4294967295\n');
        expect(r.plan.setgroups).toBe('deny');
        expect(r.plan.cloneFlags).toBe(flag('user'));
      },
    );
    withRequest({ namespaces: ['user'], mapRootUser: true }, (r) => {
      expect(r.plan.uidMap).toBe(`0 ${process.geteuid!()} 1\n`);
      expect(r.plan.gidMap).toBe(`0 ${process.getegid!()} 1\n`);
      // user_namespaces(7): without CAP_SETGID the gid map may be written only after 'deny'.
      expect(r.plan.setgroups).toBe(hasCapSetgid() ? null : 'deny');
    });
  });

  it('time offset rendering: seconds as numbers (floored like a timespec) or nanoseconds as bigints', () => {
    const render = (offsets: object): string | null => {
      const request = spawnWith({ namespaces: ['time'], timeOffsets: offsets });
      request.release();
      return request.plan.timeOffsets;
    };
    expect(render({ monotonic: -1.5 })).toBe('monotonic -2 500000000\n');
    expect(render({ boottime: 86400, monotonic: 0.25 })).toBe('monotonic 0 250000000\nboottime 86400 0\n');
    expect(render({ monotonic: -1n })).toBe('monotonic -1 999999999\n');
    expect(render({ boottime: 3_000_000_005n })).toBe('boottime 3 5\n');
    expect(render({ boottime: -3_000_000_000n })).toBe('boottime -3 0\n');
    expect(render({ monotonic: 1e-10 })).toBe('monotonic 0 0\n');
    expect(render({ monotonic: -9_223_372_036 })).toBe('monotonic -9223372036 0\n');
  });

  it('uts names, mountProc, setTid, credentials, signals', () => {
    const controller = new AbortController();
    withRequest(
      {
        namespaces: ['uts', 'mnt', 'pid'],
        hostname: 'h'.repeat(64),
        domainname: 'é'.repeat(32),
        mountProc: '/mnt/proc',
        setTid: Array.from({ length: ourPidLevels + 1 }, (_, i) => i + 1),
        uid: 1000,
        gid: 0,
        groups: [],
        killOnParentDeath: 'SIGUSR1',
        signal: controller.signal,
        killSignal: 'KILL',
      },
      (r) => {
        expect(r.plan.hostname).toBe('h'.repeat(64));
        expect(r.plan.domainname).toBe('é'.repeat(32));
        expect(r.plan.mountProc).toBe('/mnt/proc');
        expect(r.plan.setTid).toEqual(Array.from({ length: ourPidLevels + 1 }, (_, i) => i + 1));
        expect([r.plan.uid, r.plan.gid, r.plan.groups]).toEqual([1000, 0, []]);
        expect(r.plan.pdeathSignal).toBe(10);
        expect(r.signal).toBe(controller.signal);
        expect(r.killSignal).toBe(9);
        expect(r.plan.cloneFlags).toBe(flag('uts') | flag('mnt') | flag('pid'));
        expect(r.plan.unshareFlags).toBe(0);
      },
    );
    withRequest({ namespaces: ['mnt', 'pid'], mountProc: true, killOnParentDeath: true }, (r) => {
      expect(r.plan.mountProc).toBe('/proc');
      expect(r.plan.pdeathSignal).toBe(9);
    });
    withRequest({ namespaces: ['mnt'], mountProc: false, killOnParentDeath: false }, (r) => {
      expect(r.plan.mountProc).toBeNull();
      expect(r.plan.pdeathSignal).toBe(0);
    });
  });

  it('cwd: a path or a file: URL', () => {
    withRequest({ cwd: '/tmp' }, (r) => expect(r.plan.cwd).toBe('/tmp'));
    withRequest({ cwd: 'relative/dir' }, (r) => expect(r.plan.cwd).toBe('relative/dir'));
    withRequest({ cwd: new URL('file:///srv/a%20b') }, (r) => expect(r.plan.cwd).toBe('/srv/a b'));
  });

  it('stdio slots: pipes, inherited fds, fd objects; ignore is /dev/null (-2) for 0-2 and closed (-3) beyond', () => {
    withRequest({ stdio: ['ignore', 'inherit', 5, { fd: 7 }, { _handle: { fd: 8 } }, null, undefined, 'pipe'] }, (r) => {
      // 'ignore' (and null/undefined) beyond slot 2 is a closed fd, like child_process.
      expect(r.plan.stdio).toEqual([-2, 1, 5, 7, 8, -3, -3, -1]);
      expect(r.stdioKinds).toEqual(['fd', 'fd', 'fd', 'fd', 'fd', 'fd', 'fd', 'pipe']);
    });
    // Short arrays are filled up to three slots; null/undefined are pipes among 0-2.
    withRequest({ stdio: ['inherit'] }, (r) => {
      expect(r.plan.stdio).toEqual([0, -1, -1]);
      expect(r.stdioKinds).toEqual(['fd', 'pipe', 'pipe']);
    });
    withRequest({ stdio: [null, undefined, 'ignore'] }, (r) => expect(r.plan.stdio).toEqual([-1, -1, -2]));
    withRequest({ stdio: 'inherit' }, (r) => expect(r.plan.stdio).toEqual([0, 1, 2]));
    withRequest({ stdio: 'pipe' }, (r) => expect(r.plan.stdio).toEqual([-1, -1, -1]));
    withRequest({ stdio: 'ignore' }, (r) => expect(r.plan.stdio).toEqual([-2, -2, -2]));
  });

  it('cgroup: the directory is opened into cgroupFd and closed by release()', () => {
    const request = spawnWith({ cgroup: '/' });
    const fd = request.plan.cgroupFd;
    expect(fd).toBeGreaterThan(2);
    expect(fdTarget(fd)).toBe('/');
    request.release();
    expect(fdTarget(fd)).toBeUndefined();
  });
});

describe('joins', () => {
  const createMask = flag('net') | flag('uts');

  it('without joins the new namespaces go to clone3 itself', () => {
    withPlan({ namespaces: ['net', 'uts'] }, (plan) => {
      expect(plan.cloneFlags).toBe(createMask);
      expect(plan.unshareFlags).toBe(0);
    });
  });

  it('joining this very process: every kind is identical, so nothing is joined', () => {
    for (const kinds of [undefined, 'all', ['user', 'time', 'pid', 'mnt']] as const) {
      withPlan({ join: { target: process.pid, kinds } }, (plan) => {
        expect(plan.joinPidfd).toBe(-1);
        expect(plan.joinMask).toBe(0);
        expect(plan.joinFds).toEqual([]);
        expect(plan.shareMemory).toBe(true);
        // no user namespace entered: no uid/gid 0 default; no mnt namespace entered: our cwd
        expect([plan.uid, plan.gid]).toEqual([-1, -1]);
        expect(plan.cwd).toBeNull();
      });
    }
    // Created kinds are left out of the defaulted target kinds, and with no joins left they go to clone3.
    withPlan({ namespaces: ['net', 'uts'], join: { target: process.pid } }, (plan) => {
      expect(plan.cloneFlags).toBe(createMask);
      expect(plan.unshareFlags).toBe(0);
      expect(plan.joinPidfd).toBe(-1);
    });
  });

  it('a target given as a pid is opened (a pidfd) and closed by release(); a ProcessHandle is left open', () => {
    const before = openFds();
    const request = spawnWith({ join: { target: process.pid } });
    expect(openFds()).toHaveLength(before.length + 1);
    request.release();
    expect(openFds()).toEqual(before);

    using self = ProcessHandle.open(process.pid);
    const withHandle = spawnWith({ join: { target: self }, setTid: [process.pid] });
    withHandle.release();
    expect(self.closed).toBe(false);
    expect(withHandle.plan.setTid).toEqual([process.pid]);
  });

  it('namespace handles identical to ours are skipped too (pid and time compared with *_for_children)', () => {
    const handles = Object.fromEntries(NAMESPACE_KINDS.map((k) => [k.type, Namespace.of('self', k.type)]));
    try {
      withPlan({ join: handles }, (plan) => {
        expect([plan.joinFds, plan.joinPidfd, plan.uid, plan.cwd]).toEqual([[], -1, -1, null]);
      });
      withPlan({ join: { ...handles, mnt: undefined }, namespaces: ['mnt'], mountProc: true }, (plan) => {
        expect(plan.joinFds).toEqual([]);
        expect(plan.joinTypes).toEqual([]);
        expect(plan.cloneFlags).toBe(flag('mnt'));
        expect(plan.unshareFlags).toBe(0);
        expect(plan.shareMemory).toBe(true);
        expect(plan.mountProc).toBe('/proc');
      });
    } finally {
      for (const ns of Object.values(handles)) ns.close();
    }
  });
});

/** The plan for `options` (released at once; handles given by the caller stay open). */
function withPlan(options: unknown, body: (plan: SpawnRequest['plan']) => void): void {
  const before = openFds();
  const request = spawnWith(options);
  request.release();
  expect(openFds()).toEqual(before);
  body(request.plan);
}


// The addon re-checks the plan it gets, whatever calls it (native/spawn/spawn_plan_parser.h).
// Each case is a bug the native fuzzer found (native/fuzz/corpus/regression-*): before the fix a
// sparse array aborted the process (bad_alloc), NaN / out-of-range numbers were undefined
// behaviour, uid 2**32 reached setresuid as 0, and non-CLONE_NEW* bits reached clone3.
describe('the native spawn plan re-checks (raw binding)', () => {
  const plan = (): Record<string, unknown> => ({
    paths: ['/bin/true'], argv: ['true'], envp: [], cwd: null, cloneFlags: 0, unshareFlags: 0,
    joinPidfd: -1, joinMask: 0, joinFds: [], joinTypes: [], shareMemory: true, setTid: [], cgroupFd: -1,
    uidMap: null, gidMap: null, setgroups: null, timeOffsets: null, hostname: null, domainname: null,
    mountProc: null, uid: -1, gid: -1, groups: null, stdio: [-2, -2, -2], pdeathSignal: 0,
  });
  const sparse = (): unknown[] => {
    const a: unknown[] = [];
    a.length = 2 ** 32 - 1;
    return a;
  };
  const cases: [label: string, field: string, value: () => unknown, message: RegExp][] = [
    ['uid 2**32', 'uid', () => 2 ** 32, /"uid" must be -1 or an id from 0 to 4294967294/],
    ['gid NaN', 'gid', () => Number.NaN, /"gid" must be -1 or an id/],
    ['cloneFlags CLONE_FS', 'cloneFlags', () => 0x200, /"cloneFlags" must be a mask of CLONE_NEW\* flags/],
    ['joinMask CLONE_VM', 'joinMask', () => 0x100, /"joinMask" must be a mask of CLONE_NEW\* flags/],
    ['cgroupFd 2**31', 'cgroupFd', () => 2 ** 31, /"cgroupFd" must be a 32-bit integer/],
    ['joinPidfd Infinity', 'joinPidfd', () => Number.POSITIVE_INFINITY, /"joinPidfd" must be a 32-bit integer/],
    ['setTid [NaN]', 'setTid', () => [Number.NaN], /"setTid" must be an array of in-range integers/],
    ['paths sparse, length 2**32-1', 'paths', sparse, /"paths" must be a string/],
    // null once meant "copy the C environ", which raced with setenv on other threads.
    ['envp null', 'envp', () => null, /"envp" must be an array of strings/],
    ['stdio sparse, length 2**32-1', 'stdio', sparse, /"stdio" must be an array of integers/],
  ];
  it.each(cases)('%s: a TypeError naming the field, not a crash', (_label, field, value, message) => {
    const call = (): unknown => addon().spawn({ ...plan(), [field]: value() } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});
