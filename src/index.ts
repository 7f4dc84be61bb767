/**
 * nsbridge — Linux namespaces for Node.js.
 */
export { NAMESPACE_KINDS, NAMESPACE_TYPES, isNamespaceType, type NamespaceKind, type NamespaceType } from './kinds.js';
export { Namespace, type NamespaceOfOptions } from './namespace.js';
export { ProcessHandle, type ExitInfo } from './process-handle.js';
export { probe, type ProbeReport, type FeatureReport, type FeatureName } from './probe.js';
export { isSystemError, type SystemErrorShape } from './errors.js';
export { spawn } from './spawn/spawn.js';
export { NsChild } from './spawn/ns-child.js';
export { SpawnError } from './spawn/spawn-error.js';
export type { SpawnOptions, JoinOptions, IdMapEntry, StdioSlotOption } from './spawn/options.js';
// From the listing's own modules, not its index: every module an import loads costs start-up time.
export { listNamespaces } from './listing/list.js';
export { namespaceTree } from './listing/tree.js';
export { namespaceMembers } from './listing/members.js';
export { translatePid } from './listing/translate.js';
export type { ListNamespacesOptions, NamespaceEntry, NamespaceHolders, NamespaceMember, NamespaceTreeNode, TreeRelation } from './listing/types.js';
export { findCgroup2Mount, cgroupLineOf, type Cgroup2Mount } from './cgroup2.js';
export type { SpawnedChild } from './spawn/spawn.js';
export type { StdioStream, StdioOption, SlotValue, PipeKind } from './spawn/stdio-types.js';
export type { Propagation } from './spawn/options.js';
export type { ExecCandidate } from './spawn/spawn-error.js';
