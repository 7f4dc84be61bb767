/**
 * The contract of the C++ addon (native/): exactly what it exports, nothing more.
 *
 * Rules the addon follows (and the TypeScript layer relies on):
 * - One system call per function, no policy. Arguments are validated in TypeScript before they get
 *   here; the addon only re-checks JS types so a wrong call cannot crash the process.
 * - Every failure throws an Error shaped like Node's SystemError: `code` ('EINVAL'), `errno`
 *   (negative, like libuv/Node), `syscall` ('setns', 'ioctl(NS_GET_PARENT)', …), plus `path` or
 *   `fd` where one was involved.
 * - Every fd the addon creates is O_CLOEXEC and returned inside an {@link OwnedFd}; the fd is closed
 *   exactly once: by close(), by the garbage collector's finalizer, or when the Node environment
 *   (main thread or worker) is torn down.
 */

import type { NamespaceType } from '../kinds.js';

/** A native object that owns one file descriptor. */
export interface OwnedFd {
  /** The fd number, or -1 once closed. */
  readonly fd: number;
  /** Close the fd (idempotent). */
  close(): void;
}

/** Raw exit status: exactly one of `code` / `signal` is non-null. */
export interface RawExitStatus {
  /** The process's pid in the caller's pid namespace (si_pid); 0 from PIDFD_GET_INFO once it is reaped. */
  pid: number;
  /** Exit code (0-255) when the process exited normally. */
  code: number | null;
  /** Signal number when the process was killed by a signal. */
  signal: number | null;
  /** Whether the process dumped core. */
  coreDumped: boolean;
}

/** (st_dev, st_ino) of an fd plus whether it lives on nsfs (statfs f_type == NSFS_MAGIC). */
export interface RawFileIdentity {
  /** st_dev of the file. */
  dev: bigint;
  /** st_ino of the file: for a namespace, the number in "net:[4026531840]". */
  ino: bigint;
  /** Whether the file is on nsfs, i.e. refers to a namespace. */
  isNsfs: boolean;
}

/** A one-shot readability watch on the Node event loop (uv_poll). */
export interface FdWatcher {
  /** Stop watching; the callback will not run afterwards (idempotent). */
  stop(): void;
  /** Keep (true) or do not keep (false) the event loop alive while watching. Default true. */
  setRef(ref: boolean): void;
}

/** Which pid-translation ioctl to run on a pid-namespace fd (the `which` of nsTranslatePid). */
export const PidTranslation = {
  /** NS_GET_PID_FROM_PIDNS: a pid as seen in the target namespace → the caller's namespace. */
  PidFromNs: 0,
  /** NS_GET_TGID_FROM_PIDNS: as above, but the thread-group leader's pid. */
  TgidFromNs: 1,
  /** NS_GET_PID_IN_PIDNS: a pid in the caller's namespace → as seen in the target namespace. */
  PidInNs: 2,
  /** NS_GET_TGID_IN_PIDNS: as above, but the thread-group leader's pid. */
  TgidInNs: 3,
} as const;
export type PidTranslation = (typeof PidTranslation)[keyof typeof PidTranslation];

/**
 * Everything the spawn engine needs, fully validated and normalised in TypeScript (src/spawn/),
 * so the native side only copies it into memory prepared before the clone.
 */
export interface NativeSpawnPlan {
  /** execve candidates, tried in order until one is not ENOENT/ENOTDIR (the PATH search result). */
  paths: string[];
  argv: string[];
  /** "NAME=value" strings (rendered from process.env in JS: the C environ is not safe to read here). */
  envp: string[];
  /** chdir target, or null to keep the inherited cwd (the target's root after a mnt join). */
  cwd: string | null;
  /** CLONE_NEW* flags passed to clone3 itself (only when there are no joins). */
  cloneFlags: number;
  /** CLONE_NEW* flags the child unshares one kind at a time after its joins (user first). */
  unshareFlags: number;
  /** setns(pidfd, joinMask): all or nothing; -1 when not joining through a pidfd. */
  joinPidfd: number;
  joinMask: number;
  /** nsfs fds to setns one at a time (user namespace handled in nsenter's two passes). */
  joinFds: number[];
  /** The CLONE_NEW* flag of each joinFds entry. */
  joinTypes: number[];
  /**
   * Whether the clone may share this process's memory (CLONE_VM). False only when joining a
   * time namespace: the kernel refuses that to a task whose mm is shared (EUSERS).
   */
  shareMemory: boolean;
  /** clone3 set_tid, innermost pid namespace first; empty for none. */
  setTid: number[];
  /** A cgroup v2 directory fd for CLONE_INTO_CGROUP, or -1. */
  cgroupFd: number;
  /** uid_map / gid_map contents ("inside outside count\n" lines), or null. */
  uidMap: string | null;
  gidMap: string | null;
  /**
   * What the parent writes to /proc/<pid>/setgroups (before the id maps); null: nothing. The native
   * side never decides: src/spawn/options.ts already chose 'deny' where an unprivileged gid_map needs it.
   */
  setgroups: 'allow' | 'deny' | null;
  /** timens_offsets contents ("monotonic <s> <ns>\n…"), or null. */
  timeOffsets: string | null;
  hostname: string | null;
  domainname: string | null;
  /** Where to mount a fresh proc (after making / private), or null. */
  mountProc: string | null;
  /** setresuid / setresgid targets, or -1 to keep. */
  uid: number;
  gid: number;
  /** setgroups(2) list; null keeps the groups (cleared when uid/gid change, like libuv). */
  groups: number[] | null;
  /** One entry per stdio slot: an fd to dup into the slot, -1 for a new socketpair ('pipe'), -2 for /dev/null, -3 for closed. */
  stdio: number[];
  /** PR_SET_PDEATHSIG signal, or 0. */
  pdeathSignal: number;
  /**
   * mount("/", MS_REC | MS_PRIVATE / MS_SLAVE / MS_SHARED) right after the new mount namespace
   * exists, or 0 to leave it unchanged. Nonzero only when cloneFlags or unshareFlags has CLONE_NEWNS.
   */
  propagation: number;
  /** chroot target in the program's mount namespace, or null. */
  root: string | null;
  /** A directory fd to fchdir + chroot(".") into (opened before the joins), or -1. At most one of root / rootFd. */
  rootFd: number;
  /** A directory fd to fchdir into instead of chdir(cwd), or -1. At most one of cwd / cwdFd. */
  cwdFd: number;
  /** After the credential changes: permitted capabilities → inheritable → ambient (unshare --keep-caps). */
  keepCapabilities: boolean;
  /** CLONE_NEW* flag per bind mount the parent makes of the child's namespace file (unshare --net=FILE). */
  persistKinds: number[];
  /** The bind mount target of each persistKinds entry (an existing file). */
  persistPaths: string[];
  /** A joined or new pid namespace becomes only the program's pid_for_children (nsenter --no-fork). */
  pidForChildrenOnly: boolean;
  /** Set IFF_UP on lo in the network namespace the child creates (never the caller's own). */
  loopbackUp: boolean;
}

/** What execve said to one PATH candidate, seen from the child. */
export interface NativeExecCandidate {
  /** Positive errno (0: not tried). */
  errno: number;
  code: string | null;
  /**
   * For EACCES / ENOENT, what the child found out (native CandidateDetail): 0 nothing more, 1 a
   * directory on the way may not be searched, 2 a directory, 3 a file without execute bits, 4 a
   * file with execute bits that this user may still not execute (its bits, a noexec mount or an
   * LSM), 5 the file exists but its interpreter does not.
   */
  detail: number;
}

/** A setup step failed: the program never ran and the child was reaped. */
export interface NativeSpawnFailure {
  /** 'clone3', 'setns:user', 'unshare:time', 'uid_map', 'execve', … */
  step: string;
  /** Positive errno. */
  errno: number;
  /** Its name ('EOPNOTSUPP'), from the C library, which knows every Linux errno. */
  code: string;
  syscall: string;
  /** step 'execve': each execve candidate (plan.paths) tried, in order; empty for other steps. */
  candidates: NativeExecCandidate[];
}

interface NativeSpawnResult {
  /** The program's pid in the caller's pid namespace; 0 on failure. */
  pid: number;
  /** The program's pidfd; null on failure. */
  pidfd: OwnedFd | null;
  /**
   * Per stdio slot: this process's end of the socketpair for 'pipe' slots, -1 elsewhere. The
   * caller owns these fds (wraps them in sockets). On failure they are already closed (all -1).
   */
  pipes: number[];
  failure: NativeSpawnFailure | null;
}

/**
 * scanProcesses(): every process in /proc, one entry per index. `kinds` names the namespace slots
 * (the native table's order): process i, slot k is at i * kinds.length + k; 0 where the kind was
 * not asked for or the link could not be read (EACCES on another user's process). Processes that
 * exited mid-scan are left out. With withFds, also every open fd that refers to a namespace.
 */
interface RawProcessScan {
  kinds: NamespaceType[];
  pids: Int32Array;
  /** Effective uid (the owner of /proc/<pid>). */
  uids: Uint32Array;
  inodes: BigUint64Array;
  /** st_dev of nsfs (one device for every namespace). */
  device: bigint;
  /** The namespace fds: holder pid, fd number, kind (slot index into `kinds`), inode. */
  fdPids: Int32Array;
  fds: Int32Array;
  fdKinds: Int32Array;
  fdInodes: BigUint64Array;
}

/** nsKinds(): one row of the native table of namespace kinds (native/ns_kinds.h). */
interface RawNamespaceKind {
  /** The CLONE_NEW* flag. */
  flag: number;
  /** Its C name, e.g. 'CLONE_NEWNS'. */
  flagName: string;
  /** The /proc/<pid>/ns entry of the kind ('mnt'). */
  name: string;
  /** The number of its PIDFD_GET_<KIND>_NAMESPACE ioctl (what pidfdGetNamespace takes). */
  pidfdIoctl: number;
  /** The /proc/<pid>/ns entry of the namespace a child starts in: pid_for_children, time_for_children, else `name`. */
  childFile: string;
}

/** readProcessDetails(): per pid asked for, its command and parent pid. */
interface RawProcessDetails {
  /** One command per pid, NUL-separated: the cmdline joined by spaces, else the comm, '' when gone. */
  commands: string;
  /** -1 when the process is gone. */
  ppids: Int32Array;
}

/** namespaceInfo(): the nsfs ioctls, one entry per path asked for (0 / 0xffffffff where unknown). */
interface RawNamespaceInfo {
  /** Inode of the owning user namespace (NS_GET_USERNS), 0 where EPERM (outside ours). */
  owners: BigUint64Array;
  /** NS_GET_OWNER_UID of that owner, 0xffffffff where unknown. */
  ownerUids: Uint32Array;
  /** Inode of the parent (NS_GET_PARENT; pid and user kinds), 0 where none or not visible. */
  parents: BigUint64Array;
  /** NS_GET_ID, 0 where the kernel lacks it. */
  ids: BigUint64Array;
  /** Positive errno where the path could not be opened (the process exited), else 0. */
  errors: Int32Array;
}

/** netnsIds(): one entry per network-namespace path asked for. */
interface RawNetnsIds {
  /**
   * The namespace's id in the caller's network namespace (RTM_GETNSID → NETNSA_NSID; what
   * `ip netns set NAME ID` assigns), -1 where none is assigned (NETNSA_NSID_NOT_ASSIGNED); 0 where
   * errors[i] is set.
   */
  ids: Int32Array;
  /** Positive errno where the path could not be opened or the kernel refused the request, else 0. */
  errors: Int32Array;
}

export interface NativeBinding {
  // --- namespace changes of the *calling thread* -------------------------------------------
  /** unshare(2). */
  unshare(flags: number): void;
  /** setns(2) with an nsfs fd or a pidfd. */
  setns(fd: number, nstype: number): void;

  // --- files --------------------------------------------------------------------------------
  /** open(path, O_RDONLY | O_CLOEXEC), for paths nsbridge builds (/proc/<pid>/ns/…). Errors carry `path`. */
  openPath(path: string): OwnedFd;
  /**
   * A caller's path to a namespace file, opened without ever blocking or opening a device: O_PATH,
   * fstatfs must say nsfs (else ENOTTY, syscall 'fstatfs'), then reopened through /proc/self/fd.
   */
  openNamespacePath(path: string): OwnedFd;
  /** A caller's directory as an O_PATH | O_DIRECTORY fd (ENOTDIR at once for anything else). */
  openDirectoryPath(path: string): OwnedFd;
  /** fstat + fstatfs of an fd. */
  fileIdentity(fd: number): RawFileIdentity;

  // --- nsfs ioctls (errors carry `fd`, syscall 'ioctl(NS_GET_…)') ----------------------------
  nsGetUserns(fd: number): OwnedFd;
  nsGetParent(fd: number): OwnedFd;
  /** NS_GET_NSTYPE: the CLONE_NEW* flag of the namespace. */
  nsGetNstype(fd: number): number;
  /** NS_GET_OWNER_UID of a user namespace, as seen in the caller's user namespace. */
  nsGetOwnerUid(fd: number): number;
  /** NS_GET_ID (kernel >= 6.18): the 64-bit namespace id. ENOTTY where missing. */
  nsGetId(fd: number): bigint;
  /** The pid-translation ioctls on a pid-namespace fd. */
  nsTranslatePid(fd: number, which: PidTranslation, pid: number): number;

  // --- pidfds --------------------------------------------------------------------------------
  /** pidfd_open(pid, flags). */
  pidfdOpen(pid: number, flags: number): OwnedFd;
  /** pidfd_send_signal(pidfd, sig, NULL, flags). */
  pidfdSendSignal(pidfd: number, signal: number, flags: number): void;
  /** pidfd_getfd(pidfd, targetfd, 0). */
  pidfdGetfd(pidfd: number, targetFd: number): OwnedFd;
  /** ioctl(pidfd, PIDFD_GET_<KIND>_NAMESPACE) where `request` is the ioctl's number (1–10). */
  pidfdGetNamespace(pidfd: number, request: number): OwnedFd;
  /**
   * waitid(P_PIDFD, pidfd, WEXITED | WNOHANG [| WNOWAIT]). Never blocks.
   * Returns null while the process is still running.
   */
  waitidPidfd(pidfd: number, noWait: boolean): RawExitStatus | null;
  /**
   * ioctl(pidfd, PIDFD_GET_INFO) asking for PIDFD_INFO_EXIT (kernel >= 6.15): the exit status,
   * also after someone else reaped the process. Null when the kernel has no exit info (yet): the
   * kernel records it when the process is reaped, so a zombie still returns null.
   * `pid` is 0 here once the process has been reaped (the kernel then reports exit info only).
   * Throws ENOTTY where PIDFD_GET_INFO is missing (< 6.13). Kernels 6.13–6.14 have the ioctl but
   * ignore the unknown PIDFD_INFO_EXIT request: always null there (ESRCH once reaped).
   */
  pidfdExitInfo(pidfd: number): RawExitStatus | null;

  // --- event loop ---------------------------------------------------------------------------
  /** Call `onReadable` once, on this thread's event loop, when `fd` becomes readable. */
  watchReadable(fd: number, onReadable: () => void): FdWatcher;
  /**
   * Call `onHangup` once, on this thread's event loop, when `fd` reports EPOLLHUP (or EPOLLERR)
   * — for a pidfd: once its process has been reaped, whoever reaped it.
   */
  watchHangup(fd: number, onHangup: () => void): FdWatcher;
  /**
   * watchReadable for a pidfd of a child nsbridge created, whose exit `onExit` reaps. If the
   * watch ends before `onExit` could run — stop(), or the end of this worker thread — the child
   * is handed to the process-wide reaper (native/child_reaper.h), so it never stays a zombie.
   */
  watchChildExit(pidfd: number, onExit: () => void): FdWatcher;

  // --- spawn --------------------------------------------------------------------------------
  /**
   * Start a program (native/spawn/): clone3 sharing this process's memory (unless the plan says
   * otherwise), setup in the child with raw system calls only, then execve. Returns once the
   * program was exec'd or the setup failed (the failed child already reaped). Throws only for
   * failures in this process before the clone (pipe2, mmap, …).
   */
  spawn(plan: NativeSpawnPlan): NativeSpawnResult;

  // --- batched listing (native/listing/): one crossing per scan, not per file -----------------
  /**
   * Walk /proc: per process its effective uid and the inodes of the kinds whose CLONE_NEW* flags
   * are in `flags` (process i's inode of kind `kinds[k]` at `inodes[i * kinds.length + k]`; 0 where
   * not asked for or not readable); with `withFds`, also every fd that refers to a namespace.
   */
  scanProcesses(flags: number, withFds: boolean): RawProcessScan;
  /** Command lines and parent pids of a few processes. */
  readProcessDetails(pids: Int32Array): RawProcessDetails;
  /** Owner, owner uid, parent (where wantParents[i] is 1) and id of each namespace path. */
  namespaceInfo(paths: string[], wantParents: Uint8Array): RawNamespaceInfo;
  /**
   * The NETNSID of each network namespace path (native/listing/netns_id.cc): one O_CLOEXEC
   * NETLINK_ROUTE socket, one RTM_GETNSID request per path with an fd of it in NETNSA_FD. Throws
   * (syscall 'socket') only when the socket cannot be created.
   */
  netnsIds(paths: string[]): RawNetnsIds;

  // --- namespaces without a process, names, rtnetlink (native/net/, native/nsfs_mounts.cc) ------
  /**
   * A new namespace of one kind (`flag`, not CLONE_NEWUSER), held only by the returned fd: a
   * native thread unshares it, sets `propagation` on / (CLONE_NEWNS only; 0: unchanged), brings lo
   * up (`loopback`, CLONE_NEWNET only), opens /proc/thread-self/ns/<kind> (pid_for_children,
   * time_for_children for pid and time: ENOENT for a pid namespace, which has no init) and ends.
   * Errors: 'unshare', 'mount', 'socket', 'ioctl(SIOCSIFFLAGS)', 'open(/proc/thread-self/ns)', 'pthread_create'.
   */
  createNamespace(flag: number, propagation: number, loopback: boolean): OwnedFd;
  /** createNamespace on libuv's pool (whose thread only waits for the one doing the work); rejects with the same errors. */
  createNamespaceAsync(flag: number, propagation: number, loopback: boolean): Promise<OwnedFd>;
  /** mount(/proc/self/fd/<fd>, target, MS_BIND): keep the namespace behind fd at target. */
  bindNamespaceFile(fd: number, target: string): void;
  /** iproute2's /run/netns recipe: dir made a shared mount (bound onto itself first if it is none); true if bound. */
  makeSharedMountPoint(dir: string): boolean;
  /** umount2(path, flags | UMOUNT_NOFOLLOW). */
  unmount(path: string, flags: number): void;
  /** statfs f_type of the path itself (O_PATH | O_NOFOLLOW: a symlink is not followed). */
  fileSystemType(path: string): number;
  /**
   * A NETLINK_ROUTE socket of the network namespace behind nsFd (-1: this thread's), created by a
   * native thread that joins it; NETLINK_EXT_ACK, NETLINK_CAP_ACK and NETLINK_GET_STRICT_CHK set.
   */
  rtnetlinkOpen(nsFd: number): OwnedFd;
  /**
   * Send netlink messages (each with NLM_F_REQUEST and NLM_F_ACK or NLM_F_DUMP, distinct seqs)
   * and return the kernel's reply messages of those seqs, concatenated, once each request got
   * its NLMSG_ERROR or NLMSG_DONE. Throws ('sendto', 'recv', 'recvmsg') only for socket errors: a
   * refused request is an NLMSG_ERROR in the reply.
   */
  netlinkRequest(fd: number, request: Uint8Array): Buffer;
  /**
   * `count` (1-64) unbound sockets of the network namespace behind nsFd (-1: this thread's, made
   * at once), made by a native thread that joins it: socket(domain, type | SOCK_NONBLOCK |
   * SOCK_CLOEXEC). Raw fds the caller owns. Errors: 'setns', 'socket', 'pthread_create'.
   */
  socketsIn(nsFd: number, domain: number, type: number, count: number): number[];
  /**
   * On this thread (they act in the socket's own namespace): SO_REUSEADDR and IPV6_V6ONLY when
   * asked, bind to `address` (an encoded struct sockaddr) unless null, connect to the AF_UNIX
   * `peer` unless null. Errors (with `fd`): 'setsockopt(SO_REUSEADDR)', 'setsockopt(IPV6_V6ONLY)', 'bind', 'connect'.
   */
  setUpSocket(fd: number, reuseAddress: boolean, v6Only: boolean, address: Uint8Array | null, peer: Uint8Array | null): void;
  /** ioctl(fd, SIOCGSKNS): the network namespace socket `fd` belongs to. */
  socketNamespace(fd: number): OwnedFd;

  // --- host facts for probe() -----------------------------------------------------------------
  /** The calling thread's effective capability set (capget(2)), bit n = capability n. */
  effectiveCapabilities(): bigint;
  /**
   * clone3 support probes that never create a process: each returns the errno (0 = success is
   * impossible here) of a deliberately failing clone3 call.
   * - 'clone3': clone3(NULL, 0) → EINVAL where clone3 exists, ENOSYS where it does not.
   * - 'intoCgroup': flags CLONE_INTO_CGROUP with a cgroup fd that can never be open (INT_MAX) →
   *   EBADF where supported, EINVAL not. (Not fd -1: the kernel rejects cgroup > INT_MAX, so
   *   (u64)-1 gives EINVAL everywhere.)
   */
  clone3Probe(what: 'clone3' | 'intoCgroup'): number;

  // --- for tests ----------------------------------------------------------------------------
  /**
   * The native table of namespace kinds (native/ns_kinds.h), in its order (user first), read-only
   * and new on every call. Only test/kinds-table.test.ts reads it: it must equal src/kinds.ts.
   */
  nsKinds(): RawNamespaceKind[];
}
