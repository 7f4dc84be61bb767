/**
 * The new user namespace's setup: its uid_map / gid_map (or mapRootUser), its setgroups file,
 * and keepCapabilities. The maps are rendered here, as the kernel will parse them.
 */
import type { NativeSpawnPlan } from '../../native/binding.js';
import type { NamespaceType } from '../../kinds.js';
import { CAP_SETGID, hasEffectiveCapability } from '../../capabilities.js';
import { checkArray, checkBoolean, checkId, checkInteger, checkKeys, checkObject, describe } from '../../validate.js';
import { mapEntries, requireCreated, type Given } from './common.js';

/** One line of a uid_map / gid_map: ids inside..inside+count-1 are outside..outside+count-1. */
export interface IdMapEntry {
  /** First id of the range in the new user namespace (0 to 4294967294). */
  inside: number;
  /** First id of the range in the parent user namespace, the one the new namespace is created in (0 to 4294967294). */
  outside: number;
  /** How many ids the range has (at least 1; neither range may reach 4294967295, which is "no id"). */
  count: number;
}

export const userKeys = ['uidMap', 'gidMap', 'mapRootUser', 'keepCapabilities', 'setgroups'] as const;

// uid_map / gid_map hold at most UID_GID_MAP_MAX_EXTENTS (340) lines (Linux 4.15+).
const MAX_ID_MAP_LINES = 340;
// map_write() refuses a range that wraps in u32 arithmetic: start + count must stay below 2^32,
// so the last mappable id is 2^32 - 2 and (u32)-1 stays "no id".
const ID_RANGE_END = 0xffffffff;

function renderIdMap(value: unknown, name: string): string {
  const array = checkArray(value, name, 1, MAX_ID_MAP_LINES);
  const entries = mapEntries(array, (raw, i) => {
    const at = `${name}[${i}]`;
    const entry = checkObject(raw, at);
    checkKeys(entry, ['inside', 'outside', 'count'], `${at} key`);
    const inside = checkId(entry.inside, `${at}.inside`);
    const outside = checkId(entry.outside, `${at}.outside`);
    const count = checkInteger(entry.count, `${at}.count`, 1, 0xffffffff);
    for (const [side, start] of [['inside', inside], ['outside', outside]] as const) {
      if (start + count > ID_RANGE_END) {
        throw new RangeError(`${at}: ${side} + count must not exceed ${ID_RANGE_END}, got ${start} + ${count}`);
      }
    }
    return { inside, outside, count, index: i };
  });
  // The kernel refuses maps whose inside ranges or outside ranges overlap (mappings_overlap).
  for (const side of ['inside', 'outside'] as const) {
    const sorted = [...entries].sort((a, b) => a[side] - b[side]);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!;
      const next = sorted[k]!;
      if (next[side] < prev[side] + prev.count) {
        const [first, second] = [prev.index, next.index].sort((a, b) => a - b);
        throw new RangeError(`${name}[${first}] and ${name}[${second}] overlap in their ${side} ranges`);
      }
    }
  }
  return entries.map((e) => `${e.inside} ${e.outside} ${e.count}\n`).join('');
}

export function checkKeepCapabilities({ keepCapabilities: value }: Given<typeof userKeys>, creates: ReadonlySet<NamespaceType>): boolean {
  if (value === undefined || !checkBoolean(value, 'options.keepCapabilities')) return false;
  requireCreated(creates, 'user', 'options.keepCapabilities');
  return true;
}

export interface UserSetup {
  uidMap: string | null;
  gidMap: string | null;
  /** As given; null lets userPlan() decide. */
  setgroups: 'allow' | 'deny' | null;
}

/** uidMap, gidMap, mapRootUser and setgroups (keepCapabilities has its own check). */
export function checkUserSetup(options: Given<typeof userKeys>, creates: ReadonlySet<NamespaceType>): UserSetup {
  const { uidMap, gidMap, mapRootUser, setgroups } = options;
  const setup: UserSetup = { uidMap: null, gidMap: null, setgroups: null };
  if (uidMap !== undefined) setup.uidMap = renderIdMap(uidMap, 'options.uidMap');
  if (gidMap !== undefined) setup.gidMap = renderIdMap(gidMap, 'options.gidMap');
  if (setgroups !== undefined) {
    if (setgroups !== 'allow' && setgroups !== 'deny') throw new TypeError(`options.setgroups must be 'allow' or 'deny', got ${describe(setgroups)}`);
    setup.setgroups = setgroups;
  }
  const root = mapRootUser !== undefined && checkBoolean(mapRootUser, 'options.mapRootUser');
  if (root) {
    if (uidMap !== undefined) throw new RangeError('options.mapRootUser conflicts with options.uidMap: give one or the other');
    if (gidMap !== undefined) throw new RangeError('options.mapRootUser conflicts with options.gidMap: give one or the other');
    setup.uidMap = `0 ${process.geteuid!()} 1\n`;
    setup.gidMap = `0 ${process.getegid!()} 1\n`;
  }
  if (uidMap !== undefined) requireCreated(creates, 'user', 'options.uidMap');
  if (gidMap !== undefined) requireCreated(creates, 'user', 'options.gidMap');
  if (root) requireCreated(creates, 'user', 'options.mapRootUser');
  if (setgroups !== undefined) requireCreated(creates, 'user', 'options.setgroups');
  return setup;
}

type UserPlan = Pick<NativeSpawnPlan, 'uidMap' | 'gidMap' | 'setgroups' | 'keepCapabilities'>;

export function userPlan(setup: UserSetup, keepCapabilities: boolean): UserPlan {
  let { setgroups } = setup;
  // user_namespaces(7): a writer without CAP_SETGID in the parent user namespace may write a
  // gid_map only after "deny" went to setgroups, so an unprivileged caller gets 'deny' first.
  if (setup.gidMap !== null && setgroups === null && !hasEffectiveCapability(CAP_SETGID)) setgroups = 'deny';
  return { uidMap: setup.uidMap, gidMap: setup.gidMap, setgroups, keepCapabilities };
}
