/**
 * lsns -T parent / -T owner with -t or -p adds namespaces that are not among those asked for, so
 * that the trees have their roots; nsbridge adds the same ones:
 * - with -t only, every missing parent and owner (and theirs, up to the top): lsns reads them
 *   from the ones it lists (NS_GET_PARENT / NS_GET_USERNS) and prints them all;
 * - with -p, the ones lsns prints before a namespace of that process: its owner (-T owner), or its
 *   parent, else its owner (-T parent), and so on up.
 * nsbridge shows them with their own data (lsns, which never read their processes when -t left
 * them out, shows those with 0 processes and no pid).
 */
import type { NamespaceEntry } from '../listing/types.js';

export function withRelatives(selected: readonly NamespaceEntry[], all: readonly NamespaceEntry[], by: 'parent' | 'owner', pidFiltered: boolean): NamespaceEntry[] {
  const byInode = new Map(all.map((e) => [e.inode, e]));
  const find = (inode: bigint | null | undefined): NamespaceEntry | undefined => (inode === null || inode === undefined ? undefined : byInode.get(inode));
  const next = (e: NamespaceEntry): (NamespaceEntry | undefined)[] => {
    const parent = find(e.parent);
    const owner = find(e.owner?.inode);
    if (!pidFiltered) return [parent, owner];
    return by === 'owner' ? [owner] : [parent ?? owner];
  };
  const chosen = new Map(selected.map((e) => [e.inode, e]));
  const queue = [...selected];
  for (let e = queue.pop(); e !== undefined; e = queue.pop()) {
    for (const relative of next(e)) {
      if (relative === undefined || chosen.has(relative.inode)) continue;
      chosen.set(relative.inode, relative);
      queue.push(relative);
    }
  }
  return [...chosen.values()].sort((a, b) => (a.inode < b.inode ? -1 : a.inode > b.inode ? 1 : 0));
}
