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
// Network namespaces: without a process, by name (iproute2's /run/netns), links over rtnetlink.
export { createNamespace, createNamespaceSync, type CreateNamespaceOptions } from './create-namespace.js';
export { NETNS_RUN_DIR, persistNamespace, openPersistedNamespace, removePersistedNamespace, listNetnsNames, isNamespaceMount } from './names.js';
export { Network, type NetworkTarget, type VethPeer, type AddressOptions, type RouteOptions } from './net/network.js';
export { createVethPair, type VethEnd, type VethPair } from './net/veth.js';
export type { LinkInfo, LinkSettings } from './net/link-messages.js';
export type { AddressInfo } from './net/address-messages.js';
export type { RouteInfo } from './net/route-messages.js';
export type { IpFamily } from './net/ip-address.js';
export type { NetlinkErrorShape } from './net/netlink-error.js';
export {
  socketIn, socketNamespace, listenIn, connectIn, createDgramSocketIn,
  type SocketKind, type SocketInOptions, type InetBinding, type UnixBinding, type ListenInOptions, type ConnectInOptions, type DgramInOptions,
} from './inside/sockets.js';
export { namespaceWorker, WORKER_NAMESPACE_TYPES, type NamespaceWorkerOptions, type WorkerNamespaceType } from './inside/worker.js';
export { namespaceDispatcher, type NamespaceDispatcherOptions } from './inside/dispatcher.js';
