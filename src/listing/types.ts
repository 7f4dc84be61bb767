/** The shapes listNamespaces(), namespaceTree() and namespaceMembers() return. */
import type { NamespaceType } from '../kinds.js';

/** What keeps a namespace alive besides its member processes. */
export interface NamespaceHolders {
  /** nsfs bind mounts of it in this process's mount namespace (mount points). */
  mounts: string[];
  /** Open fds referring to it, by process (pids in this process's pid namespace). */
  fds: {
    /** The process holding the fd, in this process's pid namespace. */
    pid: number;
    /** The fd number in that process (/proc/<pid>/fd/<fd>). */
    fd: number;
  }[];
}

/** One namespace, as listNamespaces() reports it (lsns's columns and more). */
export interface NamespaceEntry {
  /** The namespace's kind. */
  type: NamespaceType;
  /** Identity: (device, inode) of the nsfs file, as Namespace handles report it. */
  inode: bigint;
  /** st_dev of the nsfs file (the same for every namespace). */
  device: bigint;
  /** NS_GET_ID (kernel 6.18+), null where the kernel lacks it. */
  id: bigint | null;
  /** Member processes we can see (like lsns NPROCS). */
  processes: number;
  /** Lowest member pid, in this process's pid namespace (like lsns PID); null when none. */
  lowestPid: number | null;
  /** Parent pid of lowestPid (lsns PPID); null when none. */
  ppid: number | null;
  /** Command line of lowestPid, joined by spaces (else its comm); null when none. */
  command: string | null;
  /** Effective uid of lowestPid (lsns USER / UID); null when none. */
  uid: number | null;
  /** The owning user namespace (NS_GET_USERNS) and its owner's uid; null when not visible. */
  owner: {
    /** The owning user namespace's inode. */
    inode: bigint;
    /** NS_GET_OWNER_UID of it (its creator's euid, in this process's user namespace); null when unknown. */
    uid: number | null;
  } | null;
  /** Parent namespace (pid and user kinds only; NS_GET_PARENT); null otherwise or not visible. */
  parent: bigint | null;
  /** A path that opens it: /proc/<pid>/ns/<kind>, a bind mount, or /proc/<pid>/fd/<n>. */
  path: string;
  /** The bind mounts and open fds that hold it (fds only when the listing looked for them). */
  holders: NamespaceHolders;
}

/** Filters of listNamespaces() and namespaceTree(); every one given must match. */
export interface ListNamespacesOptions {
  /** Only these kinds. */
  types?: readonly NamespaceType[];
  /** Only the namespaces this process is a member of (like lsns -p). */
  pid?: number;
  /** Only namespaces owned by this user namespace (its inode). */
  owner?: bigint;
  /** Look for namespaces held by open fds (walks /proc/<pid>/fd of every process). Default true. */
  fds?: boolean;
}

/**
 * How namespaceTree() nests namespaces (as lsns --tree does): 'parent' (pid and user namespaces
 * under their parent, NS_GET_PARENT), 'owner' (under the owning user namespace, NS_GET_USERNS)
 * or 'process' (under the namespace whose lowest pid is the parent of this one's lowest pid).
 */
export type TreeRelation = 'parent' | 'owner' | 'process';

/** One node of namespaceTree()'s forest. */
export interface NamespaceTreeNode {
  /** The namespace, as listNamespaces() reports it. */
  entry: NamespaceEntry;
  /** The namespaces nested directly under it by the chosen relation. */
  children: NamespaceTreeNode[];
}

/** One process of a namespace (namespaceMembers()); pids are in this process's pid namespace. */
export interface NamespaceMember {
  /** The process's pid. */
  pid: number;
  /** Its parent's pid (0 when the parent is outside this pid namespace); null when /proc/<pid>/stat could not be read. */
  ppid: number | null;
  /** Effective uid (the owner of /proc/<pid>, like lsns USER). */
  uid: number;
  /** Command line joined by spaces, else its comm; null when it exited meanwhile. */
  command: string | null;
}
