/**
 * `nsbridge run` flags → spawn() options, with unshare(1)'s implications: --mount-proc implies
 * --mount, the map flags imply --user, --monotonic/--boottime imply --time, --hostname implies
 * --uts. A contradiction is returned as a usage message naming the flags.
 */
import type { NamespaceType } from '../kinds.js';
import type { IdMapEntry, Propagation, SpawnOptions } from '../spawn/options.js';

export interface RunFlags {
  pid?: boolean;
  net?: boolean;
  uts?: boolean;
  ipc?: boolean;
  mount?: boolean;
  user?: boolean;
  cgroup?: boolean;
  time?: boolean;
  fork?: boolean;
  mapRootUser?: boolean;
  mapUser?: number;
  mapGroup?: number;
  mapUsers?: IdMapEntry[];
  mapGroups?: IdMapEntry[];
  setgroups?: 'allow' | 'deny';
  mountProc?: string | true;
  propagation?: Propagation;
  hostname?: string;
  monotonic?: number;
  boottime?: number;
  cgroupPath?: string;
  killChild?: number | true;
  wd?: string;
}

export class UsageError extends Error {}

const SIGKILL = 9;

function conflict(a: string, b: string, why: string): UsageError {
  return new UsageError(`options ${a} and ${b} cannot be used together: ${why}`);
}

/** One id map: an optional single entry for our own id (from -r / --map-user) plus ranges. */
function idMap(own: IdMapEntry | null, ranges: IdMapEntry[] | undefined): IdMapEntry[] | undefined {
  const entries = [...(own === null ? [] : [own]), ...(ranges ?? [])];
  return entries.length === 0 ? undefined : entries;
}

export function runOptions(flags: RunFlags): SpawnOptions {
  const creates = new Set<NamespaceType>();
  const flagKinds: [keyof RunFlags, NamespaceType][] = [
    ['pid', 'pid'], ['net', 'net'], ['uts', 'uts'], ['ipc', 'ipc'], ['mount', 'mnt'], ['user', 'user'], ['cgroup', 'cgroup'], ['time', 'time'],
  ];
  for (const [flag, type] of flagKinds) if (flags[flag] === true) creates.add(type);

  if (flags.mapRootUser && flags.mapUser !== undefined) throw conflict('--map-root-user', '--map-user', '-r already maps root');
  if (flags.mapRootUser && flags.mapGroup !== undefined) throw conflict('--map-root-user', '--map-group', '-r already maps root');
  // Like unshare: mapping our own gid makes setgroups 'deny' - an unprivileged writer may write a
  // gid_map only after that (user_namespaces(7)), and 'allow' would let the program drop groups.
  const mapsOwnGid = flags.mapRootUser === true || flags.mapGroup !== undefined;
  if (mapsOwnGid && flags.setgroups === 'allow') {
    throw conflict('--setgroups allow', flags.mapRootUser ? '--map-root-user' : '--map-group', 'mapping the own gid needs setgroups deny');
  }
  const uidOuter = process.geteuid!();
  const gidOuter = process.getegid!();
  const ownUid = flags.mapRootUser ? 0 : flags.mapUser;
  const ownGid = flags.mapRootUser ? 0 : flags.mapGroup;
  const uidMap = idMap(ownUid === undefined ? null : { inside: ownUid, outside: uidOuter, count: 1 }, flags.mapUsers);
  const gidMap = idMap(ownGid === undefined ? null : { inside: ownGid, outside: gidOuter, count: 1 }, flags.mapGroups);
  if (uidMap !== undefined || gidMap !== undefined) creates.add('user');
  const setgroups = flags.setgroups ?? (mapsOwnGid ? 'deny' : undefined);
  if (setgroups !== undefined && !creates.has('user')) throw new UsageError('option --setgroups needs a new user namespace (--user)');

  if (flags.mountProc !== undefined) {
    if (!creates.has('pid')) throw new UsageError('option --mount-proc needs --pid: a fresh proc shows the pid namespace the program is in');
    creates.add('mnt');
  }
  if (flags.propagation !== undefined && !creates.has('mnt')) throw new UsageError('option --propagation needs a new mount namespace (--mount)');
  if (flags.hostname !== undefined) creates.add('uts');
  const timeOffsets: { monotonic?: number; boottime?: number } = {};
  if (flags.monotonic !== undefined) timeOffsets.monotonic = flags.monotonic;
  if (flags.boottime !== undefined) timeOffsets.boottime = flags.boottime;
  const hasOffsets = Object.keys(timeOffsets).length > 0;
  if (hasOffsets) creates.add('time');

  return {
    namespaces: [...creates],
    ...(uidMap === undefined ? {} : { uidMap }),
    ...(gidMap === undefined ? {} : { gidMap }),
    ...(setgroups === undefined ? {} : { setgroups }),
    ...(flags.mountProc === undefined ? {} : { mountProc: flags.mountProc }),
    ...(flags.propagation === undefined ? {} : { propagation: flags.propagation }),
    ...(flags.hostname === undefined ? {} : { hostname: flags.hostname }),
    ...(hasOffsets ? { timeOffsets } : {}),
    ...(flags.cgroupPath === undefined ? {} : { cgroup: flags.cgroupPath }),
    ...(flags.killChild === undefined ? {} : { killOnParentDeath: flags.killChild === true ? SIGKILL : flags.killChild }),
    ...(flags.wd === undefined ? {} : { cwd: flags.wd }),
  };
}
