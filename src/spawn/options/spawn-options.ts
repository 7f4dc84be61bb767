/**
 * The public type of spawn()'s options, one interface so that its documentation reads as one.
 * Each option is checked by its group (the other files here; the keys each group reads are
 * listed there) and the groups are composed in check.ts.
 */
import type { NamespaceType } from '../../kinds.js';
import type { JoinOptions } from './namespaces.js';
import type { Propagation } from './mounts.js';
import type { IdMapEntry } from './user.js';
import type { StdioSlotOption } from './stdio.js';

/**
 * The options of spawn(): the namespaces to create and to join, how to set them up, and the
 * program's process attributes. All are checked before anything is cloned: a wrong type is a
 * TypeError, an impossible value or a contradiction a RangeError naming the option.
 */
export interface SpawnOptions {
  /** Namespaces to create. */
  namespaces?: Partial<Record<NamespaceType, boolean>> | readonly NamespaceType[];
  /** Existing namespaces to enter: those of a target process and/or Namespace handles. A kind is either created or joined. */
  join?: JoinOptions;
  /**
   * When joining a user namespace, keep the uid and gid (as this process's ids map there) instead
   * of becoming root in it (nsenter --preserve-credentials); a uid or gid given is still set.
   */
  preserveCredentials?: boolean;
  /**
   * A new or joined pid namespace becomes only the program's pid_for_children: the program stays
   * in this process's pid namespace and its children are created in that one (nsenter --no-fork;
   * what setns / unshare do without a fork). Default false: the program itself is in it.
   */
  pidForChildrenOnly?: boolean;
  /**
   * The propagation of a new mount namespace, set before anything else runs in it (like
   * unshare(1)): 'private' (the default: nothing mounted there reaches the host, even where / is a
   * shared mount), 'slave' (the host's new mounts appear in it, none go back), 'shared' (mount
   * events cross both ways with each mount's peers) or 'unchanged' (as copied from the parent).
   */
  propagation?: Propagation;
  /**
   * Bind-mount the new namespaces of these kinds onto existing files before the program runs, so
   * they outlive it (unshare --net=FILE; iproute2's /run/netns/NAME files are such mounts).
   */
  persist?: Partial<Record<NamespaceType, string>>;
  /**
   * chroot into this directory before the working directory is set (unshare -R): a path in the
   * program's mount namespace, or `{ fd }` of a directory opened by the caller (nsenter -r).
   */
  root?: string | {
    /** An open directory fd of this process: fchdir to it, then chroot("."). */
    fd: number;
  };
  /**
   * The new user namespace's uid_map (1 to 340 lines, no two inside or outside ranges
   * overlapping), written by this process before the program runs. Requires namespaces.user.
   */
  uidMap?: readonly IdMapEntry[];
  /**
   * The new user namespace's gid_map, like uidMap. Without CAP_SETGID the kernel takes it only
   * after setgroups 'deny', which is then written first unless `setgroups` says otherwise.
   */
  gidMap?: readonly IdMapEntry[];
  /** Map root inside the new user namespace to this process's euid / egid. */
  mapRootUser?: boolean;
  /**
   * Keep the capabilities the new user namespace grants across the exec even when the program
   * does not run as root there: they are raised into the ambient set (unshare --keep-caps).
   */
  keepCapabilities?: boolean;
  /**
   * What to write to the new user namespace's /proc/<pid>/setgroups, before its gid_map. Default:
   * 'deny' where a gid map is written without CAP_SETGID, else the file is left alone. Requires namespaces.user.
   */
  setgroups?: 'allow' | 'deny';
  /**
   * Bring `lo` up in the new network namespace before the program runs, so 127.0.0.1/8 and ::1
   * answer (a new network namespace starts with lo down: ENETUNREACH). Requires namespaces.net.
   * A failure is the step 'loopback'.
   */
  loopback?: boolean;
  /** sethostname(2) in the new uts namespace: 1 to 64 bytes of UTF-8. Requires namespaces.uts. */
  hostname?: string;
  /** setdomainname(2) (the NIS domain name) in the new uts namespace: 1 to 64 bytes of UTF-8. Requires namespaces.uts. */
  domainname?: string;
  /** Mount a fresh proc: true for /proc, or the mount point. */
  mountProc?: boolean | string;
  /** Offsets of the new time namespace: bigint = nanoseconds, number = seconds (may be fractional). */
  timeOffsets?: {
    /** Offset of CLOCK_MONOTONIC, within ±9223372036 seconds (KTIME_SEC_MAX). */
    monotonic?: bigint | number;
    /** Offset of CLOCK_BOOTTIME (what /proc/uptime shows), within ±9223372036 seconds. */
    boottime?: bigint | number;
  };
  /** A cgroup v2 directory to start the program in (CLONE_INTO_CGROUP). */
  cgroup?: string;
  /** clone3 set_tid: the program's pid per pid namespace level, innermost first. */
  setTid?: readonly number[];
  /** The working directory: a path in the program's mount namespace (after root), or `{ fd }` of an open directory. */
  cwd?: string | URL | {
    /** An open directory fd of this process, to fchdir into. */
    fd: number;
  };
  /**
   * The program's environment (undefined values left out, numbers and booleans as strings, like
   * child_process); its PATH is where `file` is looked for. Default: process.env when spawn() is called.
   */
  env?: Record<string, string | undefined>;
  /** The program's argv[0]. Default: `file` as given. */
  argv0?: string;
  /**
   * setresuid(2) to this uid (0 to 4294967294) before the exec, as an id of the user namespace the
   * program ends up in. Default: unchanged, but 0 after joining a user namespace (unless preserveCredentials).
   */
  uid?: number;
  /** setresgid(2) to this gid before the uid is set, like `uid`. */
  gid?: number;
  /**
   * setgroups(2): the supplementary groups (at most 65536). Default: unchanged, but dropped
   * (where the kernel allows it) when uid or gid changes, like libuv.
   */
  groups?: readonly number[];
  /**
   * The program's stdio, as child_process takes it: one value for slots 0-2, or one per slot
   * (up to 1024; slots 0-2 left out are pipes). Default 'pipe'.
   */
  stdio?: 'pipe' | 'inherit' | 'ignore' | readonly StdioSlotOption[];
  /** PR_SET_PDEATHSIG: true = SIGKILL. */
  killOnParentDeath?: boolean | string | number;
  /**
   * Aborting it sends killSignal to the program and emits an AbortError as 'error'; if it is
   * already aborted, the program is never started.
   */
  signal?: AbortSignal;
  /** Sent when `signal` aborts. Default 'SIGTERM'. */
  killSignal?: string | number;
  /**
   * Put nsbridge's own init (nsbridge-init, shipped beside the addon) at pid 1 of the new pid
   * namespace, with the program as its child (pid 2), as `docker run --init` does with tini:
   * every signal sent to the child (kill(), an abort's killSignal) is forwarded to the program,
   * orphans are reaped, and `exited` reports the program's own exit code or signal. Needs 'pid'
   * in `namespaces`. `child.pid` is the init's. With `root`, the init is exec'd at its path in
   * the addon's directory, which must then exist inside the new root too.
   */
  init?: boolean;
}
