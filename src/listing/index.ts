/** Namespace listing, trees and pid translation (issue 5). */
export { listNamespaces } from './list.js';
export { namespaceTree, buildTree } from './tree.js';
export { translatePid } from './translate.js';
export type { ListNamespacesOptions, NamespaceEntry, NamespaceHolders, NamespaceTreeNode, TreeRelation } from './types.js';
