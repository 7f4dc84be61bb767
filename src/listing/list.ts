/**
 * listNamespaces(): every namespace this process can see, like lsns — members from /proc, plus
 * the ones that live on with no process, held by an nsfs bind mount or an open fd.
 */
import { addon } from '../native/addon.js';
import { ALL_NAMESPACE_FLAGS, NAMESPACE_KINDS, kindOf } from '../kinds.js';
import { checkArray, checkBoolean, checkPid, describe, ownElement, ownProperties } from '../validate.js';
import { collect, type Collected } from './collect.js';
import type { ListNamespacesOptions, NamespaceEntry } from './types.js';

const UNKNOWN_UID = 0xffffffff;
const OPTION_NAMES = new Set(['types', 'pid', 'owner', 'fds']);

interface Checked {
  /** CLONE_NEW* flags of the kinds asked for. */
  flags: number;
  pid: number | undefined;
  owner: bigint | undefined;
  fds: boolean;
}

function checkOptions(options: unknown): Checked {
  if (options === undefined) return { flags: ALL_NAMESPACE_FLAGS, pid: undefined, owner: undefined, fds: true };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new TypeError(`Unknown option ${describe(key)} for listNamespaces(): expected ${[...OPTION_NAMES].join(', ')}`);
  }
  const o = ownProperties(options) as ListNamespacesOptions; // nothing inherited is an option
  let flags = ALL_NAMESPACE_FLAGS;
  if (o.types !== undefined) {
    const types = checkArray(o.types, 'options.types', 1, NAMESPACE_KINDS.length);
    // An index loop, not reduce(): a hole is an error (undefined), not skipped, and never inherited.
    flags = 0;
    for (let i = 0; i < types.length; i++) flags |= kindOf(ownElement(types, i), `options.types[${i}] namespace type`).flag;
  }
  if (o.owner !== undefined && typeof o.owner !== 'bigint') {
    throw new TypeError(`options.owner must be the inode of a user namespace as a bigint, got ${describe(o.owner)}`);
  }
  if (o.owner !== undefined && o.owner <= 0n) throw new RangeError(`options.owner must be a positive inode, got ${describe(o.owner)}`);
  return {
    flags,
    pid: o.pid === undefined ? undefined : checkPid(o.pid, 'options.pid'),
    owner: o.owner,
    fds: o.fds === undefined ? true : checkBoolean(o.fds, 'options.fds'),
  };
}

/** The path a namespace can be opened through: a member's ns link, else a mount, else an fd. */
function pathOf(c: Collected): string {
  if (c.processes > 0) return `/proc/${c.lowestPid}/ns/${NAMESPACE_KINDS[c.kind]!.procName}`;
  if (c.mounts.length > 0) return c.mounts[0]!;
  const fd = c.fds[0]!;
  return `/proc/${fd.pid}/fd/${fd.fd}`;
}

/**
 * Every namespace this process can see, like lsns, in inode order: those of the processes in
 * /proc, plus those held only by an nsfs bind mount or (unless `fds: false`) an open fd.
 */
export function listNamespaces(options?: ListNamespacesOptions): NamespaceEntry[] {
  const checked = checkOptions(options);
  const collected = [...collect({ fds: checked.fds, flags: checked.flags, pidFilter: checked.pid }).values()];
  // lsns's default order: by namespace inode.
  collected.sort((a, b) => (a.inode < b.inode ? -1 : a.inode > b.inode ? 1 : 0));

  const native = addon();
  const paths = collected.map(pathOf);
  const info = native.namespaceInfo(paths, Uint8Array.from(collected, (c) => (NAMESPACE_KINDS[c.kind]!.hierarchical ? 1 : 0)));
  // Many namespaces share their lowest pid (a process that unshared several kinds): ask once each.
  const slotOfPid = new Map<number, number>();
  for (const c of collected) if (c.processes > 0 && !slotOfPid.has(c.lowestPid)) slotOfPid.set(c.lowestPid, slotOfPid.size);
  const details = native.readProcessDetails(Int32Array.from(slotOfPid.keys()));
  const commands = details.commands.split('\0');

  const entries: NamespaceEntry[] = [];
  for (let i = 0; i < collected.length; i++) {
    const c = collected[i]!;
    const hasMember = c.processes > 0;
    const memberIndex = hasMember ? slotOfPid.get(c.lowestPid)! : -1;
    const ownerInode = info.owners[i]!;
    if (checked.owner !== undefined && ownerInode !== checked.owner) continue;
    const ownerUid = info.ownerUids[i]!;
    const hierarchical = NAMESPACE_KINDS[c.kind]!.hierarchical;
    entries.push({
      type: c.type,
      inode: c.inode,
      device: c.device,
      id: info.ids[i] === 0n ? null : info.ids[i]!,
      processes: c.processes,
      lowestPid: hasMember ? c.lowestPid : null,
      ppid: hasMember && details.ppids[memberIndex]! >= 0 ? details.ppids[memberIndex]! : null,
      command: hasMember && commands[memberIndex] !== '' ? commands[memberIndex]! : null, // '': exited meanwhile
      uid: hasMember ? c.lowestUid : null,
      owner: ownerInode === 0n ? null : { inode: ownerInode, uid: ownerUid === UNKNOWN_UID ? null : ownerUid },
      parent: hierarchical && info.parents[i] !== 0n ? info.parents[i]! : null,
      path: paths[i]!,
      holders: { mounts: c.mounts, fds: c.fds },
    });
  }
  return entries;
}
