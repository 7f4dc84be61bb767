/**
 * SpawnError: a setup step failed in the child (or in this process, for the /proc writes the
 * parent does for the child) before the program ran. SystemError-shaped (`code`, negative
 * `errno`, `syscall`, `path` = the program) plus the `step` and, for well-known causes, a `hint`.
 */
import type { NativeExecCandidate, NativeSpawnFailure } from '../native/binding.js';
import type { SystemErrorShape } from '../errors.js';
import { isNamespaceType, type NamespaceType } from '../kinds.js';
import { modelHint, type RuleTopic } from '../model/hint.js';
import { namespaceAccessHint } from '../access-hint.js';

/** One execve candidate (a PATH entry joined with the program name) and how it failed. */
export interface ExecCandidate {
  /** The path execve was given: the file itself when it has a '/', else a PATH entry + '/' + file. */
  path: string;
  /** errno name, e.g. 'EACCES'. */
  code: string;
  /** What that error means for this candidate, as the child found out. */
  reason: string;
}

/** What the spawn asked for that a failure's hint refers to. */
export interface SpawnErrorContext {
  /** The execve candidates in order (the PATH search). */
  paths?: readonly string[];
  /** The persist option's files, by kind. */
  persist?: Partial<Record<NamespaceType, string>>;
  /** The join target's pid, for setns:EACCES. */
  targetPid?: number;
}

/**
 * A setup step of spawn() failed before the program ran: `ready` and `exited` reject with this,
 * and 'error' is emitted. A child already cloned has been reaped; nothing it set up is left behind.
 */
export class SpawnError extends Error {
  /** errno name, e.g. 'EPERM'. */
  readonly code: string;
  /** Negative errno, like Node's own system errors. */
  readonly errno: number;
  /** The system call that failed at that step: 'setns', 'unshare', 'write' (of a /proc file), 'execve', … */
  readonly syscall: string;
  /** The step that failed: 'setns:user', 'unshare:time', 'uid_map', 'mount:/proc', 'execve', … */
  readonly step: string;
  /** The program that was to run. */
  readonly path: string;
  /** A one-line explanation of a well-known cause (the model's rule, or the candidates of an execve); undefined where none is known. */
  readonly hint: string | undefined;
  /**
   * Step 'execve': every candidate execve tried, in order, with its error — the reported code is
   * execvp's (an EACCES is remembered while the search goes on, and wins over later ENOENTs).
   */
  readonly candidates: readonly ExecCandidate[];

  /** @internal Made by spawn() from the addon's failure report. */
  constructor(file: string, failure: NativeSpawnFailure, context: SpawnErrorContext = {}) {
    const code = failure.code;
    const candidates = execCandidates(failure.candidates, context.paths ?? []);
    const hint = hintFor(failure.step, code, failure.syscall, candidates, context);
    super(`spawn ${file}: ${failure.step} failed: ${code} (${failure.syscall})${hint === undefined ? '' : `: ${hint}`}`);
    this.name = 'SpawnError';
    this.code = code;
    this.errno = -failure.errno;
    this.syscall = failure.syscall;
    this.step = failure.step;
    this.path = file;
    this.hint = hint;
    this.candidates = candidates;
  }
}

/** A kernel error this process got while preparing `step` (before any clone). */
export function spawnErrorFrom(file: string, error: SystemErrorShape & { step: string }): SpawnError {
  return new SpawnError(file, { step: error.step, errno: -error.errno, code: error.code, syscall: error.syscall, candidates: [] });
}

// What an execve candidate's error means, by the child's finding (native CandidateDetail) or, where
// it found nothing more, by the errno.
const CANDIDATE_DETAILS: Readonly<Record<number, string>> = {
  1: "a directory on the way may not be searched by the program's user",
  2: 'it is a directory',
  3: 'it has no execute permission bits',
  4: "the program's user may not execute it (its permission bits, a noexec mount or a security module)",
  5: 'the file exists, but its interpreter (the ELF loader or the #! program) does not',
};
const CANDIDATE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  ENOEXEC: 'not a binary or script the kernel can run (no shell is used to retry it)',
  ELOOP: 'too many symbolic links',
  ETXTBSY: 'the file is open for writing',
  EISDIR: 'an ELF interpreter is a directory',
  E2BIG: 'the arguments and environment are too large',
};

function execCandidates(reported: readonly NativeExecCandidate[], paths: readonly string[]): ExecCandidate[] {
  const out: ExecCandidate[] = [];
  reported.forEach((candidate, i) => {
    if (candidate.code === null || paths[i] === undefined) return;
    const reason = CANDIDATE_DETAILS[candidate.detail] ?? CANDIDATE_ERRORS[candidate.code] ?? candidate.code;
    out.push({ path: paths[i], code: candidate.code, reason });
  });
  return out;
}

/** "path: CODE, reason" per candidate, joined. */
function listCandidates(candidates: readonly ExecCandidate[]): string {
  return candidates.map((c) => `${c.path}: ${c.code}, ${c.reason}`).join('; ');
}

/** The hint of an execve failure: which candidate failed how, and execvp's rule where it decided. */
function execHint(code: string, candidates: readonly ExecCandidate[]): string | undefined {
  if (candidates.length === 0) return HINTS[`execve:${code}`];
  if (code === 'EACCES' && candidates.length > 1) {
    return `no candidate could be executed (an EACCES is remembered while the PATH search goes on): ${listCandidates(candidates)}`;
  }
  if (code === 'ENOENT' && candidates.every((c) => c.reason === CANDIDATE_ERRORS.ENOENT)) {
    return `no such program in the program's mount namespace: ${candidates.map((c) => c.path).join(', ')}`;
  }
  return listCandidates(candidates);
}

// Well-known causes, by "<step>:<code>" or "<step prefix>:<code>" (the part of the step before
// its first ':', so 'unshare:net' matches 'unshare:ENOSPC'). Each says what the kernel rule is.
// Read only where hintFor() finds nothing before it: none is given for a step and errno that a
// model rule explains (MODEL_SYSCALLS), whose reason is always the hint then.
const HINTS: Readonly<Record<string, string>> = {
  // Only for the kinds without a nesting limit: ENOSPC for pid (32 levels) and user (33 levels —
  // not EUSERS at 32, as user_namespaces(7) says) namespaces is the model's.
  'unshare:ENOSPC': 'a limit was reached: /proc/sys/user/max_<kind>_namespaces for this user',
  'unshare:EINVAL': 'the kernel refused this combination of namespaces for this process',
  'setns:pidfd_open:ESRCH': 'there is no process with that pid in this pid namespace: it has exited and been reaped, or never existed',
  // pidfd_open of a thread id without PIDFD_THREAD: ENOENT on 6.9+ (EINVAL before).
  'setns:pidfd_open:ENOENT': 'that pid is a thread of a process, not the process itself: give the process id (the thread group leader, the Tgid of /proc/<pid>/status)',
  'setns:pidfd_open:EINVAL': 'that pid is a thread of a process, not the process itself: give the process id (the thread group leader, the Tgid of /proc/<pid>/status)',
  'clone3:EAGAIN': "no new process could be created: a limit on tasks was reached (this cgroup's pids.max, RLIMIT_NPROC of this user, kernel.threads-max or pid_max)",
  'clone3:EMFILE': 'no fd number was free for the new pidfd (RLIMIT_NOFILE): close fds or raise the limit',
  'clone3:ENFILE': 'the system-wide limit on open files (fs.file-max) was reached',
  // With a cgroup, a clone3 failure is the cgroup step's (CLONE_INTO_CGROUP): its pids.max first.
  'cgroup:EAGAIN': "no new process could be created: a limit on tasks was reached (pids.max of the target cgroup or of one above it, RLIMIT_NPROC of this user, kernel.threads-max or pid_max)",
  'proc:ENOENT': "no /proc is mounted, or this process has no pid in the pid namespace of the one mounted (a proc of another pid namespace), so the child's /proc files (uid_map, gid_map, setgroups, timens_offsets, ns) cannot be found: mount a proc of this process's pid namespace",
  'proc:ENOSYS': "this kernel's pidfd fdinfo has no Pid: line (Linux before 5.5), which says the child's pid in the mounted /proc",
  'proc:ESRCH': "the child has no pid in the pid namespace of the mounted /proc, so its /proc files (uid_map, gid_map, setgroups, timens_offsets, ns) cannot be found: mount a proc of this process's pid namespace",
  'sethostname:EPERM': "needs CAP_SYS_ADMIN in the uts namespace's owning user namespace",
  'setdomainname:EPERM': "needs CAP_SYS_ADMIN in the uts namespace's owning user namespace",
  'mount:EPERM': 'mounting needs CAP_SYS_ADMIN over a mount namespace of ours, and proc needs a pid namespace owned by the same user namespace',
  'mount:ENOENT': 'the mount point does not exist in the new mount namespace',
  'propagation:EINVAL': "'/' is not the root of a mount (the caller is chrooted into a directory that is not a mount point), so the propagation of its mounts cannot be changed: use propagation 'unchanged'",
  'propagation:EPERM': "changing the propagation needs CAP_SYS_ADMIN over the new mount namespace's owning user namespace",
  'persist:ENOENT': 'the file to bind-mount the namespace onto does not exist: create it first (as unshare --net=FILE needs)',
  'persist:EPERM': "bind mounts in this process's mount namespace need CAP_SYS_ADMIN over it (run as root)",
  'persist:mnt:EINVAL':
    "a mount namespace can be bind-mounted only by a process whose own mount namespace is older (mnt_ns_loop); Linux 6.18 decides 'older' by namespace id, handed out in per-CPU batches, so a namespace created later on another CPU can count as older (unshare --mount=FILE fails the same way)",
  'persist:ENOTDIR': 'the target is a directory: a namespace file binds onto a file (create an empty one)',
  'persist:EINVAL': 'the target cannot take a bind mount of a namespace file (it is not a file or directory, or is being unmounted)',
  'root:ENOENT': "the new root does not exist (in the program's mount namespace)",
  'root:ENOTDIR': 'the new root is not a directory',
  'root:EACCES': 'the new root is not searchable by the program',
  'root:EPERM': 'chroot needs CAP_SYS_CHROOT (in the user namespace the program is in)',
  'root:EBADF': 'the root fd given in options.root is not open in this process',
  'capabilities:EPERM': 'the ambient set takes only capabilities that are permitted and inheritable, and not locked by securebits',
  'cgroup:EBUSY': 'cgroup v2 puts processes only in leaves: this cgroup has controllers enabled for its children',
  'cgroup:EOPNOTSUPP': 'the cgroup is not a cgroup v2 directory, or is of a threaded type that takes no processes',
  'cgroup:EBADF': 'the cgroup path is not an open cgroup v2 directory',
  'cgroup:EACCES': "the caller may not write the cgroup's cgroup.procs (nor that of the common ancestor with its own cgroup): run as root, or use a cgroup delegated to this user",
  'groups:EPERM': 'setting supplementary groups needs CAP_SETGID (and in a user namespace, setgroups "allow")',
  'setgid:EPERM': 'changing the gid needs CAP_SETGID',
  'setgid:EINVAL': "the gid is not mapped in the program's user namespace",
  'setuid:EPERM': 'changing the uid needs CAP_SETUID',
  'setuid:EINVAL': "the uid is not mapped in the program's user namespace",
  'stdio:EBADF': 'an fd given in options.stdio is not open in this process',
  'chdir:ENOENT': "the working directory does not exist (in the program's mount namespace)",
  'chdir:EBADF': 'the directory fd given in options.cwd is not open in this process',
  'chdir:ENOTDIR': 'the working directory is not a directory',
  'chdir:EACCES': 'the working directory is not searchable by the program',
  'execve:ENOENT': 'no such program (on the PATH of the given env, in the program’s mount namespace), or its interpreter is missing',
  'execve:EACCES': 'the program is not executable, is a directory, or sits on a noexec mount',
  'execve:ENOEXEC': 'not a binary or script the kernel can run (no shell is used to retry it)',
  'execve:E2BIG': 'the arguments and environment are too large',
};

// The model's system call names for a spawn step's prefix (namespaces are created by clone3;
// the per-kind diagnosis retries them with unshare).
const MODEL_SYSCALLS: Readonly<Record<string, readonly string[]>> = {
  setns: ['setns'],
  unshare: ['clone3', 'unshare'],
  clone3: ['clone3'],
  set_tid: ['clone3'],
  uid_map: ['uid_map'],
  gid_map: ['gid_map'],
  setgroups: ['setgroups'],
  timens_offsets: ['timens_offsets'],
};

// Which of the model's rules for those calls can explain a step. Both steps fail in clone3, but
// an 'unshare:<kind>' step is the creation of a namespace (the 'create.*' rules: without this
// an unprivileged 'unshare:pid' EPERM got the set_tid capability rule, also a pid rule of clone3).
const MODEL_TOPICS: Readonly<Record<string, RuleTopic>> = {
  set_tid: 'set_tid',
  unshare: 'create',
};

// Causes the model does not know (per-user limits, host policy, a chroot) for an errno it does
// explain another way: added to the model's reason, since the errno alone cannot tell them apart.
const BEYOND_MODEL: Readonly<Record<string, string>> = {
  'unshare:ENOSPC': '/proc/sys/user/max_<kind>_namespaces (counted per user in each user namespace up the chain) was reached',
  'unshare:user:EPERM': 'this host does not let this user create user namespaces (user.max_user_namespaces, kernel.unprivileged_userns_clone or an LSM policy), or the caller is in a chroot',
};

/**
 * The hint for a failed step: the candidates of an execve, the file of a persist, the access
 * rule of a join; else the model's reason where a model rule gives this errno for this step; else
 * the table above.
 */
function hintFor(step: string, code: string, syscall: string, candidates: readonly ExecCandidate[], context: SpawnErrorContext): string | undefined {
  const [prefix = step, stepKind] = step.split(':', 2);
  if (prefix === 'execve') return execHint(code, candidates);
  // The target given as a pid, opened here: nothing says whether it ever existed.
  if (step === 'setns' && syscall === 'pidfd_open') {
    const own = HINTS[`setns:pidfd_open:${code}`];
    if (own !== undefined) return own;
  }
  if (step === 'setns' && code === 'EACCES') return namespaceAccessHint(context.targetPid === undefined ? 'the join target' : `process ${context.targetPid}`);
  if (prefix === 'persist' && isNamespaceType(stepKind)) {
    const table = HINTS[`${step}:${code}`] ?? HINTS[`${prefix}:${code}`];
    const path = context.persist?.[stepKind];
    return table === undefined || path === undefined ? table : `${path}: ${table}`;
  }
  const kind = prefix === 'set_tid' ? 'pid' : stepKind; // set_tid rules are pid-namespace rules
  const syscalls = MODEL_SYSCALLS[prefix];
  const topic = MODEL_TOPICS[prefix];
  const fromModel =
    syscalls === undefined
      ? undefined
      : modelHint({ syscall: syscalls, code, ...(isNamespaceType(kind) ? { kind } : {}), ...(topic === undefined ? {} : { topic }) });
  const beyond = BEYOND_MODEL[`${step}:${code}`] ?? BEYOND_MODEL[`${prefix}:${code}`];
  if (fromModel !== undefined && beyond !== undefined) return `${fromModel} — or: ${beyond}`;
  return fromModel ?? HINTS[`${step}:${code}`] ?? HINTS[`${prefix}:${code}`];
}
