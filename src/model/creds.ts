/**
 * User namespaces as the rules use them: capabilities over a namespace, and ids converted between
 * the kernel's (kuid/kgid) and what a process in some user namespace sees.
 */
import type { IdMapLine, NsId, Process, UserNamespace, World } from './world.js';
import { userNs } from './access.js';

/** What an unmapped id shows as (/proc/sys/kernel/overflowuid, overflowgid). */
const OVERFLOW_ID = 65534;

/**
 * Whether credentials hold a capability in user namespace `target` — cap_capable() in
 * security/commoncap.c: full caps in their own user namespace if `caps`; in a descendant
 * namespace all caps when the caller's euid owns the namespace just below its own on the path
 * (the creator of a user namespace is all-powerful in it and below); nothing in an ancestor or
 * a sibling.
 */
export function capableIn(world: World, cred: Process['cred'], target: NsId): boolean {
  let ns: UserNamespace = userNs(world, target);
  const own = userNs(world, cred.userns);
  for (;;) {
    if (ns.id === own.id) return cred.caps;
    if (ns.level <= own.level || ns.parent === null) return false;
    if (ns.parent === own.id && ns.ownerKuid === cred.uid) return true;
    ns = userNs(world, ns.parent);
  }
}

/** ns_capable(owner of namespace `nsId`): the usual "CAP_SYS_ADMIN over this namespace" check. */
export function capableOver(world: World, proc: Process, nsId: NsId): boolean {
  const ns = world.namespaces.get(nsId);
  if (ns === undefined) throw new Error(`no namespace ${nsId}`);
  const owner = ns.kind === 'user' ? ns.id : ns.owner;
  if (owner === null) throw new Error(`namespace ${nsId} has no owner`);
  return capableIn(world, proc.cred, owner);
}

function mapUp(lines: IdMapLine[] | null, id: number): number | null {
  for (const line of lines ?? []) {
    if (id >= line.inside && id - line.inside < line.count) return line.outside + (id - line.inside);
  }
  return null;
}

function mapDown(lines: IdMapLine[] | null, id: number): number | null {
  for (const line of lines ?? []) {
    if (id >= line.outside && id - line.outside < line.count) return line.inside + (id - line.outside);
  }
  return null;
}

/** An id as seen in user namespace `nsId` → its kernel id, or null when unmapped there. */
export function toKernelId(world: World, nsId: NsId, id: number, which: 'uid' | 'gid'): number | null {
  let ns = userNs(world, nsId);
  let value: number | null = id;
  while (ns.parent !== null) {
    value = mapUp(which === 'uid' ? ns.uidMap : ns.gidMap, value);
    if (value === null) return null;
    ns = userNs(world, ns.parent);
  }
  return value;
}

/** A kernel id as seen from user namespace `nsId`, or null when unmapped there. */
export function fromKernelId(world: World, nsId: NsId, kid: number, which: 'uid' | 'gid'): number | null {
  const ns = userNs(world, nsId);
  if (ns.parent === null) return kid;
  const inParent = fromKernelId(world, ns.parent, kid, which);
  return inParent === null ? null : mapDown(which === 'uid' ? ns.uidMap : ns.gidMap, inParent);
}

/** A kernel id as a process in `nsId` is shown it: unmapped ids show as 65534. */
export function shownId(world: World, nsId: NsId, kid: number, which: 'uid' | 'gid'): number {
  return fromKernelId(world, nsId, kid, which) ?? OVERFLOW_ID;
}

/** Whether `ancestor` is `ns` or one of its ancestors in the user-namespace tree. */
export function isUserAncestor(world: World, ancestor: NsId, ns: NsId): boolean {
  for (let cur: NsId | null = ns; cur !== null; cur = userNs(world, cur).parent) {
    if (cur === ancestor) return true;
  }
  return false;
}
