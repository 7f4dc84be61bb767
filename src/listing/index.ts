/** Namespace listing, trees and pid translation (issue 5). */
export { listNamespaces } from './list.js';
export { namespaceTree, buildTree } from './tree.js';
export { translatePid } from './translate.js';
export { namespaceMembers } from './members.js';
export type { ListNamespacesOptions, NamespaceEntry, NamespaceHolders, NamespaceMember, NamespaceTreeNode, TreeRelation } from './types.js';
