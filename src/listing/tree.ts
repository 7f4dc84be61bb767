/**
 * namespaceTree(): listNamespaces() as a forest.
 * - 'parent': pid and user namespaces under their parent (NS_GET_PARENT); other kinds are roots.
 * - 'owner': user namespaces nested by parent (a user namespace's owner is its parent), every
 *   other namespace under the user namespace that owns it (NS_GET_USERNS).
 * - 'process': like lsns's default tree: a namespace goes under the namespace whose lowest pid is
 * the parent process of its own lowest pid (the last such one in inode order, as lsns does).
 * A node whose parent is not in the list (not visible, filtered out) is a root.
 */
import { describe } from '../validate.js';
import { listNamespaces } from './list.js';
import type { ListNamespacesOptions, NamespaceEntry, NamespaceTreeNode, TreeRelation } from './types.js';

const RELATIONS: readonly TreeRelation[] = ['parent', 'owner', 'process'];

function parentKey(entry: NamespaceEntry, by: TreeRelation, byPid: Map<number, NamespaceEntry>): NamespaceEntry | bigint | null {
  if (by === 'parent') return entry.parent;
  if (by === 'owner') return entry.type === 'user' ? entry.parent ?? entry.owner?.inode ?? null : entry.owner?.inode ?? null;
  if (entry.ppid === null) return null;
  const up = byPid.get(entry.ppid);
  return up === undefined || up === entry ? null : up;
}

export function buildTree(entries: readonly NamespaceEntry[], by: TreeRelation): NamespaceTreeNode[] {
  const nodes = new Map<NamespaceEntry, NamespaceTreeNode>();
  const byInode = new Map<bigint, NamespaceEntry>();
  const byPid = new Map<number, NamespaceEntry>();
  for (const entry of entries) {
    nodes.set(entry, { entry, children: [] });
    byInode.set(entry.inode, entry);
    // The last one in inode order, like lsns (each new line of a process replaces its outline).
    if (entry.lowestPid !== null) byPid.set(entry.lowestPid, entry);
  }
  const roots: NamespaceTreeNode[] = [];
  for (const entry of entries) {
    const key = parentKey(entry, by, byPid);
    const up = typeof key === 'bigint' ? byInode.get(key) : key ?? undefined;
    (up === undefined ? roots : nodes.get(up)!.children).push(nodes.get(entry)!);
  }
  // 'owner': user namespaces first among siblings, like lsns --tree=owner.
  if (by === 'owner') {
    const userFirst = (list: NamespaceTreeNode[]): void => {
      list.sort((a, b) => Number(b.entry.type === 'user') - Number(a.entry.type === 'user'));
      for (const node of list) userFirst(node.children);
    };
    userFirst(roots);
  }
  return roots;
}

export function namespaceTree(by: TreeRelation, options?: ListNamespacesOptions): NamespaceTreeNode[] {
  if (!RELATIONS.includes(by)) throw new TypeError(`Unknown tree relation ${describe(by)}: expected one of ${RELATIONS.join(', ')}`);
  return buildTree(listNamespaces(options), by);
}
