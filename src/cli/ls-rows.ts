/**
 * The rows of `nsbridge ls` as a forest (a flat list is a forest of leaves): the namespaces, in
 * one of lsns's trees or none, or — for `ls <namespace>` — that namespace's member processes,
 * each under its parent process when the parent is a member too (lsns's show_process).
 */
import { kindOf } from '../kinds.js';
import { buildTree } from '../listing/tree.js';
import type { NamespaceEntry, NamespaceMember, NamespaceTreeNode, TreeRelation } from '../listing/types.js';
import type { LsRow } from './ls-columns.js';

export interface LsNode {
  row: LsRow;
  children: LsNode[];
}

/** NETNSID per namespace inode (only for the rows that ask). */
export type NetnsIds = ReadonlyMap<bigint, number | null>;

const rowOf = (entry: NamespaceEntry, ids: NetnsIds): LsRow => ({ entry, netnsid: ids.get(entry.inode) ?? null });

export function namespaceNodes(entries: readonly NamespaceEntry[], tree: TreeRelation | null, ids: NetnsIds): LsNode[] {
  if (tree === null) return entries.map((entry) => ({ row: rowOf(entry, ids), children: [] }));
  const convert = (nodes: readonly NamespaceTreeNode[]): LsNode[] => nodes.map((n) => ({ row: rowOf(n.entry, ids), children: convert(n.children) }));
  return convert(buildTree(entries, tree));
}

/** One member's row: the namespace's columns, with the process columns of that member. */
function memberEntry(entry: NamespaceEntry, m: NamespaceMember): NamespaceEntry {
  return { ...entry, lowestPid: m.pid, ppid: m.ppid, uid: m.uid, command: m.command, path: `/proc/${m.pid}/ns/${kindOf(entry.type).procName}` };
}

/**
 * `members` by pid; with `processTree`, a member's parent (when a member) comes first and holds it,
 * as lsns prints them.
 */
export function memberNodes(entry: NamespaceEntry, members: readonly NamespaceMember[], processTree: boolean, ids: NetnsIds): LsNode[] {
  const byPid = new Map(members.map((m) => [m.pid, m]));
  const nodes = new Map<number, LsNode>();
  const placing = new Set<number>();
  const roots: LsNode[] = [];
  const place = (m: NamespaceMember): LsNode => {
    const known = nodes.get(m.pid);
    if (known !== undefined) return known;
    placing.add(m.pid);
    const parent = processTree && m.ppid !== null ? byPid.get(m.ppid) : undefined;
    // A parent still being placed would be a cycle (pids reused between two reads): a root then.
    const up = parent === undefined || placing.has(parent.pid) ? undefined : place(parent);
    const node: LsNode = { row: rowOf(memberEntry(entry, m), ids), children: [] };
    nodes.set(m.pid, node);
    placing.delete(m.pid);
    (up === undefined ? roots : up.children).push(node);
    return node;
  };
  for (const m of members) place(m);
  return roots;
}
