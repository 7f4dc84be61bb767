/**
 * /proc/<pid>/uid_map and gid_map of the process's user namespace: written once, in one write,
 * by a process inside that namespace or in its parent (kernel/user_namespace.c proc_uid_map_write
 * → map_write, new_idmap_permitted, verify_root_map); read relative to the reader
 * (uid_m_show / gid_m_show).
 *
 * The model stores a line's `outside` as the id in the parent namespace, which is what the
 * writer writes; the kernel converts it to a kernel id when it stores the map.
 */
import { proc, userNs } from '../access.js';
import { capableIn, fromKernelId, toKernelId } from '../creds.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import type { Value } from '../steps.js';
import type { IdMapLine, UserNamespace } from '../world.js';
import { checkProcFileWrite, procFileTarget } from './proc-file.js';
import type { ReadMapStep } from '../../ops/read-map.js';
import type { WriteMapStep } from '../../ops/write-map.js';

/** (u32)-1: not an id; what an unmapped outside id reads as. */
const INVALID_ID = 4_294_967_295;
/** UID_GID_MAP_MAX_EXTENTS. */
const MAX_MAP_LINES = 340;

const RULE_MAP_INITIAL = defineRule({
  id: 'userns.map-initial-ns',
  calls: ['uid_map', 'gid_map'],
  errno: 'EPERM',
  reason: 'uid_map/gid_map: the initial user namespace\'s maps are fixed',
  source: 'kernel/user_namespace.c proc_uid_map_write: "if (!ns->parent) return -EPERM"',
});

const RULE_MAP_WRITER_PLACE = defineRule({
  id: 'userns.map-writer-outside',
  calls: ['uid_map', 'gid_map'],
  errno: 'EPERM',
  reason: 'uid_map/gid_map: the writer must be in the target user namespace or in its parent',
  source: 'kernel/user_namespace.c proc_uid_map_write: (seq_ns != ns) && (seq_ns != ns->parent)',
});

const RULE_MAP_ONCE = defineRule({
  id: 'userns.map-written-once',
  calls: ['uid_map', 'gid_map'],
  errno: 'EPERM',
  reason: 'uid_map/gid_map: the map has already been written (each map can be written only once)',
  source: 'kernel/user_namespace.c map_write: "if (map->nr_extents != 0) goto out" with -EPERM',
});

const RULE_MAP_NO_ADMIN = defineRule({
  id: 'userns.map-no-cap-sys-admin',
  calls: ['uid_map', 'gid_map'],
  errno: 'EPERM',
  reason: 'uid_map/gid_map: the writer lacks CAP_SYS_ADMIN in the target user namespace',
  source: 'kernel/user_namespace.c map_write: file_ns_capable(file, map_ns, CAP_SYS_ADMIN)',
});

const RULE_MAP_BAD_LINE = defineRule({
  id: 'userns.map-bad-line',
  calls: ['uid_map', 'gid_map'],
  errno: 'EINVAL',
  reason: 'uid_map/gid_map: a line is invalid (no lines, a count of 0, an id of 4294967295, a range that wraps past 2^32, or more than 340 lines)',
  source: 'kernel/user_namespace.c map_write parsing',
});

const RULE_MAP_OVERLAP = defineRule({
  id: 'userns.map-overlap',
  calls: ['uid_map', 'gid_map'],
  errno: 'EINVAL',
  reason: 'uid_map/gid_map: two lines overlap, inside or outside',
  source: 'kernel/user_namespace.c mappings_overlap',
});

const RULE_MAP_ROOT_NEEDS_SETFCAP = defineRule({
  id: 'userns.map-root-needs-setfcap',
  calls: ['uid_map'],
  errno: 'EPERM',
  reason: 'uid_map: mapping the parent\'s uid 0 needs CAP_SETFCAP in the parent namespace (for a writer inside: its creator must have had it)',
  source: 'kernel/user_namespace.c verify_root_map (since 5.12)',
});

const RULE_GID_MAP_NEEDS_DENY = defineRule({
  id: 'userns.gid-map-needs-setgroups-deny',
  calls: ['gid_map'],
  errno: 'EPERM',
  reason: 'gid_map: without CAP_SETGID in the parent namespace, a process may map only its own gid — and only after "deny" was written to /proc/<pid>/setgroups',
  source: 'kernel/user_namespace.c new_idmap_permitted: !(ns->flags & USERNS_SETGROUPS_ALLOWED)',
  hintRank: 0,
});

const RULE_MAP_NOT_PERMITTED = defineRule({
  id: 'userns.map-not-permitted',
  calls: ['uid_map', 'gid_map'],
  errno: 'EPERM',
  reason: 'uid_map/gid_map: without CAP_SETUID/CAP_SETGID in the parent namespace, the namespace\'s owner may write only one line mapping its own euid (egid) with count 1',
  source: 'kernel/user_namespace.c new_idmap_permitted',
  hintRank: 1,
});

const RULE_MAP_OUTSIDE_UNMAPPED = defineRule({
  id: 'userns.map-outside-unmapped',
  calls: ['uid_map', 'gid_map'],
  errno: 'EPERM',
  reason: 'uid_map/gid_map: an outside range is not mapped (as one range) in the parent user namespace',
  source: 'kernel/user_namespace.c map_write: map_id_range_down(parent_map, …) == (u32)-1',
  hintRank: 2,
});

const RULE_MAP_WRITTEN = defineRule({
  id: 'userns.map-written',
  calls: ['uid_map', 'gid_map'],
  errno: null,
  reason: 'uid_map/gid_map: the map is set; ids inside now correspond to ids in the parent',
});

const RULE_MAP_READ = defineRule({
  id: 'userns.map-read',
  calls: ['uid_map', 'gid_map'],
  errno: null,
  reason: 'uid_map/gid_map: the lines, the outside ids as the reader sees them (the parent\'s ids for a reader inside; 4294967295 when unmapped for the reader)',
  source: 'kernel/user_namespace.c uid_m_show: from_kuid(lower_ns, …)',
});

function overlaps(a: IdMapLine, b: IdMapLine): boolean {
  const apart = (x: number, xCount: number, y: number, yCount: number): boolean => x + xCount <= y || y + yCount <= x;
  return !apart(a.inside, a.count, b.inside, b.count) || !apart(a.outside, a.count, b.outside, b.count);
}

/** Whether [first, first + count) lies within one line of `map` (map_id_range_down). */
function rangeMapped(map: IdMapLine[] | null, first: number, count: number): boolean {
  return (map ?? []).some((line) => first >= line.inside && first + count <= line.inside + line.count);
}

function mapOf(ns: UserNamespace, which: 'uid' | 'gid'): IdMapLine[] | null {
  return which === 'uid' ? ns.uidMap : ns.gidMap;
}

export const writeMap: OpFn<WriteMapStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const target = procFileTarget(world, step.target, step.map);
  const which = step.map === 'uid_map' ? 'uid' : 'gid';
  checkProcFileWrite(world, caller, target, step.map);
  const ns = userNs(world, target.cred.userns);
  const opener = caller.cred;
  check(ns.parent !== null, RULE_MAP_INITIAL);
  const parent = userNs(world, ns.parent);
  check(opener.userns === ns.id || opener.userns === parent.id, RULE_MAP_WRITER_PLACE);
  check(mapOf(ns, which) === null, RULE_MAP_ONCE, step.map);
  check(capableIn(world, opener, ns.id), RULE_MAP_NO_ADMIN);

  const lines: IdMapLine[] = [];
  check(step.lines.length > 0 && step.lines.length <= MAX_MAP_LINES, RULE_MAP_BAD_LINE, `${step.lines.length} lines`);
  for (const [inside, outside, count] of step.lines) {
    const valid = [inside, outside, count].every((n) => Number.isInteger(n) && n >= 0 && n <= INVALID_ID)
      && inside !== INVALID_ID && outside !== INVALID_ID
      && count > 0 && inside + count <= INVALID_ID && outside + count <= INVALID_ID;
    check(valid, RULE_MAP_BAD_LINE, `${inside} ${outside} ${count}`);
    const line = { inside, outside, count };
    check(!lines.some((other) => overlaps(other, line)), RULE_MAP_OVERLAP, `${inside} ${outside} ${count}`);
    lines.push(line);
  }

  // new_idmap_permitted()
  const capSetid = capableIn(world, opener, parent.id);
  if (which === 'uid' && lines.some((line) => line.outside === 0)) {
    const mayMapRoot = opener.userns === ns.id ? (ns.parentCouldSetfcap ?? true) : capSetid;
    check(mayMapRoot, RULE_MAP_ROOT_NEEDS_SETFCAP);
  }
  const single = lines.length === 1 && lines[0]!.count === 1 && ns.ownerKuid === opener.uid;
  const own = single && toKernelId(world, parent.id, lines[0]!.outside, which) === (which === 'uid' ? opener.uid : opener.gid);
  if (!(own && which === 'uid') && !capSetid) {
    if (own && which === 'gid') check(ns.setgroups === 'deny', RULE_GID_MAP_NEEDS_DENY);
    else check(false, RULE_MAP_NOT_PERMITTED);
  }
  for (const line of lines) check(rangeMapped(mapOf(parent, which), line.outside, line.count), RULE_MAP_OUTSIDE_UNMAPPED, `${line.outside}+${line.count}`);

  // More than 5 lines are kept sorted by the inside id (sort_idmaps); up to 5 in written order.
  if (lines.length > 5) lines.sort((a, b) => a.inside - b.inside);
  if (which === 'uid') ns.uidMap = lines; else ns.gidMap = lines;
  return success(RULE_MAP_WRITTEN);
};

export const readMap: OpFn<ReadMapStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const target = procFileTarget(world, step.target, step.map);
  const which = step.map === 'uid_map' ? 'uid' : 'gid';
  const ns = userNs(world, target.cred.userns);
  // uid_m_show: relative to the reader's user namespace, or its parent for a reader inside.
  const lowerNs = caller.cred.userns === ns.id && ns.parent !== null ? ns.parent : caller.cred.userns;
  const rows: Value[] = (mapOf(ns, which) ?? []).map((line) => {
    const kid = ns.parent === null ? line.outside : toKernelId(world, ns.parent, line.outside, which);
    const lower = kid === null ? null : fromKernelId(world, lowerNs, kid, which);
    return [line.inside, lower ?? INVALID_ID, line.count];
  });
  return success(RULE_MAP_READ, rows);
};
