/**
 * namespaceTree(): listNamespaces() as a forest, built the way lsns 2.38 builds its trees.
 * - 'parent': pid and user namespaces under their parent (NS_GET_PARENT); other kinds are roots.
 * - 'owner': user namespaces nested by parent (a user namespace's owner is its parent), every
 *   other namespace under the user namespace that owns it (NS_GET_USERNS).
 * - 'process': lsns's default tree: a namespace goes under the row of the namespace whose lowest
 *   pid is the parent process of its own lowest pid — the latest such row before it in inode order
 *   (lsns hangs a line under the parent process's most recent line).
 * Siblings and roots keep inode order, except that for 'parent' and 'owner' a namespace's parent
 * (owner) is placed before it, as lsns prints it first — and for 'parent', a namespace without one
 * has its owner placed first (the order only, not the nesting), as lsns does.
 * A node whose parent is not in the list (not visible, filtered out) is a root.
 */
import { describe } from '../validate.js';
import { listNamespaces } from './list.js';
import type { ListNamespacesOptions, NamespaceEntry, NamespaceTreeNode, TreeRelation } from './types.js';

const RELATIONS: readonly TreeRelation[] = ['parent', 'owner', 'process'];

function processTree(entries: readonly NamespaceEntry[]): NamespaceTreeNode[] {
  const roots: NamespaceTreeNode[] = [];
  const latestRowOfPid = new Map<number, NamespaceTreeNode>();
  for (const entry of entries) {
    const node: NamespaceTreeNode = { entry, children: [] };
    const up = entry.ppid === null ? undefined : latestRowOfPid.get(entry.ppid);
    (up === undefined ? roots : up.children).push(node);
    if (entry.lowestPid !== null) latestRowOfPid.set(entry.lowestPid, node);
  }
  return roots;
}

function relatedTree(entries: readonly NamespaceEntry[], by: 'parent' | 'owner'): NamespaceTreeNode[] {
  const byInode = new Map(entries.map((e) => [e.inode, e]));
  const find = (inode: bigint | null | undefined, self: NamespaceEntry): NamespaceEntry | undefined => {
    const found = inode === null || inode === undefined ? undefined : byInode.get(inode);
    return found === self ? undefined : found;
  };
  const ownerOf = (e: NamespaceEntry): NamespaceEntry | undefined => find(e.owner?.inode, e);
  // A user namespace's owner is its parent (NS_GET_USERNS = NS_GET_PARENT for that kind).
  const upOf = (e: NamespaceEntry): NamespaceEntry | undefined => (by === 'parent' ? find(e.parent, e) : e.type === 'user' ? find(e.parent ?? e.owner?.inode, e) : ownerOf(e));
  const roots: NamespaceTreeNode[] = [];
  const nodes = new Map<NamespaceEntry, NamespaceTreeNode>();
  const placing = new Set<NamespaceEntry>();
  const place = (entry: NamespaceEntry): void => {
    if (nodes.has(entry) || placing.has(entry)) return; // placed, or a cycle (never from the kernel)
    placing.add(entry);
    const up = upOf(entry);
    const first = up ?? (by === 'parent' ? ownerOf(entry) : undefined);
    if (first !== undefined) place(first);
    const node: NamespaceTreeNode = { entry, children: [] };
    nodes.set(entry, node);
    const upNode = up === undefined ? undefined : nodes.get(up);
    (upNode === undefined ? roots : upNode.children).push(node);
  };
  for (const entry of entries) place(entry);
  return roots;
}

/** `entries` (in inode order, as listNamespaces() returns them) as a forest by `by`. */
export function buildTree(entries: readonly NamespaceEntry[], by: TreeRelation): NamespaceTreeNode[] {
  return by === 'process' ? processTree(entries) : relatedTree(entries, by);
}

/**
 * listNamespaces(options) as a forest nested by `by`, as lsns --tree builds it; a namespace whose
 * parent is not in the list is a root.
 */
export function namespaceTree(by: TreeRelation, options?: ListNamespacesOptions): NamespaceTreeNode[] {
  if (!RELATIONS.includes(by)) throw new TypeError(`Unknown tree relation ${describe(by)}: expected one of ${RELATIONS.join(', ')}`);
  return buildTree(listNamespaces(options), by);
}
