/**
 * `nsbridge run` flags → spawn() options, with unshare(1)'s implications: --mount-proc implies
 * --mount, the map flags imply --user, --monotonic/--boottime imply --time, --hostname implies
 * --uts, --loopback implies --net. A contradiction is returned as a usage message naming the flags.
 */
import { constants as osConstants } from 'node:os';
import type { NamespaceType } from '../kinds.js';
import type { IdMapEntry, Propagation, SpawnOptions } from '../spawn/options.js';
import { subordinateRange, type IdMapSpec } from './arg-parsers.js';
import { KIND_FLAGS, type KindFlagValues } from './kind-flags.js';

export interface RunFlags extends KindFlagValues {
  fork?: boolean;
  mapRootUser?: boolean;
  mapCurrentUser?: boolean;
  mapUser?: number;
  mapGroup?: number;
  mapUsers?: IdMapSpec[];
  mapGroups?: IdMapSpec[];
  mapAuto?: boolean;
  setgroups?: 'allow' | 'deny';
  keepCaps?: boolean;
  propagation?: Propagation;
  mountProc?: string | true;
  hostname?: string;
  loopback?: boolean;
  init?: boolean;
  monotonic?: number;
  boottime?: number;
  cgroupPath?: string;
  killChild?: number | true;
  root?: string;
  wd?: string;
  setuid?: number;
  setgid?: number;
}

export class UsageError extends Error {}

const { SIGKILL } = osConstants.signals;
const SUBUID = '/etc/subuid';
const SUBGID = '/etc/subgid';

function conflict(a: string, b: string, why: string): UsageError {
  return new UsageError(`options ${a} and ${b} cannot be used together: ${why}`);
}

/** The caller's first subordinate range, mapped from 0 (unshare --map-auto / --map-users=auto). */
function autoRange(file: string, id: number): IdMapEntry {
  const range = subordinateRange(file, id);
  if (range === null) throw new UsageError(`no line for user ${id} in ${file} (needed by --map-auto / auto)`);
  return { inside: 0, outside: range.outside, count: range.count };
}

/** One id map: an optional single entry for our own id (from -r, -c, --map-user) plus ranges. */
function idMap(own: IdMapEntry | null, ranges: IdMapSpec[], file: string, id: number): IdMapEntry[] | undefined {
  const entries = [...(own === null ? [] : [own]), ...ranges.map((spec) => (spec === 'auto' ? autoRange(file, id) : spec))];
  return entries.length === 0 ? undefined : entries;
}

/** Which single-id mapping flag is given (at most one of -r, -c, --map-user / --map-group). */
function ownIdFlag(flags: RunFlags): string | null {
  const given = [flags.mapRootUser && '--map-root-user', flags.mapCurrentUser && '--map-current-user', (flags.mapUser !== undefined || flags.mapGroup !== undefined) && '--map-user/--map-group'].filter(
    (name): name is string => typeof name === 'string',
  );
  if (given.length > 1) throw conflict(given[0]!, given[1]!, 'each maps your own ids');
  return given[0] ?? null;
}

export function runOptions(flags: RunFlags): SpawnOptions {
  const creates = new Set<NamespaceType>();
  const persist: Partial<Record<NamespaceType, string>> = {};
  for (const { key, type } of KIND_FLAGS) {
    const value = flags[key];
    if (value === undefined) continue;
    creates.add(type);
    if (typeof value === 'string') persist[type] = value;
  }

  const ownFlag = ownIdFlag(flags);
  const auto = flags.mapAuto === true;
  if (auto && ownFlag !== null) throw conflict('--map-auto', ownFlag, '--map-auto already maps 0 to your subordinate ids');
  // Like unshare: mapping our own gid makes setgroups 'deny' - an unprivileged writer may write a
  // gid_map only after that (user_namespaces(7)), and 'allow' would let the program drop groups.
  const mapsOwnGid = flags.mapRootUser === true || flags.mapCurrentUser === true || flags.mapGroup !== undefined;
  if (mapsOwnGid && flags.setgroups === 'allow') throw conflict('--setgroups allow', ownFlag!, 'mapping the own gid needs setgroups deny');
  const uidOuter = process.geteuid!();
  const gidOuter = process.getegid!();
  const ownUid = flags.mapRootUser ? 0 : flags.mapCurrentUser ? uidOuter : flags.mapUser;
  const ownGid = flags.mapRootUser ? 0 : flags.mapCurrentUser ? gidOuter : flags.mapGroup;
  const uidRanges = [...(auto ? (['auto'] as const) : []), ...(flags.mapUsers ?? [])];
  const gidRanges = [...(auto ? (['auto'] as const) : []), ...(flags.mapGroups ?? [])];
  const uidMap = idMap(ownUid === undefined ? null : { inside: ownUid, outside: uidOuter, count: 1 }, uidRanges, SUBUID, uidOuter);
  const gidMap = idMap(ownGid === undefined ? null : { inside: ownGid, outside: gidOuter, count: 1 }, gidRanges, SUBGID, uidOuter);
  if (uidMap !== undefined || gidMap !== undefined) creates.add('user');
  const setgroups = flags.setgroups ?? (mapsOwnGid ? 'deny' : undefined);
  if (setgroups !== undefined && !creates.has('user')) throw new UsageError('option --setgroups needs a new user namespace (--user)');
  if (flags.keepCaps && !creates.has('user')) throw new UsageError('option --keep-caps needs a new user namespace (--user)');

  if (flags.mountProc !== undefined) {
    if (!creates.has('pid')) throw new UsageError('option --mount-proc needs --pid: a fresh proc shows the pid namespace the program is in');
    creates.add('mnt');
  }
  if (flags.propagation !== undefined && !creates.has('mnt')) throw new UsageError('option --propagation needs a new mount namespace (--mount)');
  if (flags.hostname !== undefined) creates.add('uts');
  if (flags.loopback) creates.add('net');
  if (flags.init && !creates.has('pid')) throw new UsageError('option --init needs --pid: the init runs as pid 1 of the new pid namespace');
  const timeOffsets: { monotonic?: number; boottime?: number } = {};
  if (flags.monotonic !== undefined) timeOffsets.monotonic = flags.monotonic;
  if (flags.boottime !== undefined) timeOffsets.boottime = flags.boottime;
  const hasOffsets = Object.keys(timeOffsets).length > 0;
  if (hasOffsets) creates.add('time');

  return {
    namespaces: [...creates],
    ...(Object.keys(persist).length === 0 ? {} : { persist }),
    ...(uidMap === undefined ? {} : { uidMap }),
    ...(gidMap === undefined ? {} : { gidMap }),
    ...(setgroups === undefined ? {} : { setgroups }),
    ...(flags.keepCaps ? { keepCapabilities: true } : {}),
    ...(flags.mountProc === undefined ? {} : { mountProc: flags.mountProc }),
    ...(flags.propagation === undefined ? {} : { propagation: flags.propagation }),
    ...(flags.hostname === undefined ? {} : { hostname: flags.hostname }),
    ...(flags.loopback ? { loopback: true } : {}),
    ...(flags.init ? { init: true } : {}),
    ...(hasOffsets ? { timeOffsets } : {}),
    ...(flags.cgroupPath === undefined ? {} : { cgroup: flags.cgroupPath }),
    ...(flags.killChild === undefined ? {} : { killOnParentDeath: flags.killChild === true ? SIGKILL : flags.killChild }),
    ...(flags.root === undefined ? {} : { root: flags.root }),
    ...(flags.wd === undefined ? {} : { cwd: flags.wd }),
    ...(flags.setuid === undefined ? {} : { uid: flags.setuid }),
    ...(flags.setgid === undefined ? {} : { gid: flags.setgid }),
  };
}
