// The code between clone and exec. Everything here runs in the child, usually on this process's
// memory (CLONE_VM) while the parent thread waits: raw system calls only (raw_syscall.h), no libc,
// no allocation, no writes to shared memory - only to this stack. Every failure is reported as
// (step, errno) on the report pipe and ends the child; the parent reaps it.
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/stat.h>
#include <poll.h>
#include <signal.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "../ns_kinds.h"
#include "child_plan.h"
#include "clone3_trampoline.h"
#include "raw_syscall.h"

#ifndef __NR_close_range
#define __NR_close_range 436  // 5.9
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)  // 5.11
#endif

namespace nsbridge::spawn {

namespace {

constexpr int kMaxStdio = 1024;  // src/spawn/options/stdio.ts allows at most this many slots
constexpr int kSignalMax = 64;
constexpr int kFailureExit = 127;
constexpr int kMaxCandidateReports = 256;  // PATH candidates whose errors are reported

NSBRIDGE_CHILD_CODE void Send(const ChildPlan* p, int32_t kind, Step step, int err, int value) {
  Report r;
  r.kind = kind;
  r.step = static_cast<int32_t>(step);
  r.error = err;
  r.value = value;
  // 16 bytes < PIPE_BUF: the write is atomic. If it fails the parent sees EOF without a report.
  long n;
  do n = raw::Syscall(__NR_write, p->report_fd, reinterpret_cast<long>(&r), sizeof r);
  while (n == -EINTR);
}

[[noreturn]] NSBRIDGE_CHILD_CODE void Fail(const ChildPlan* p, Step step, long result, int value = 0) {
  Send(p, Report::kFailure, step, static_cast<int>(-result), value);
  for (;;) raw::Syscall(__NR_exit_group, kFailureExit);
}

[[noreturn]] NSBRIDGE_CHILD_CODE void ExitQuietly(int code) {
  for (;;) raw::Syscall(__NR_exit_group, code);
}

// Node ignores SIGPIPE (and may ignore others); execve keeps ignored signals ignored, so every
// disposition goes back to SIG_DFL here. Handled signals would reset at exec anyway, but no
// handler may run in this child: signals stay blocked (inherited mask) until right before exec.
NSBRIDGE_CHILD_CODE void ResetSignals(const ChildPlan* p) {
  for (int sig = 1; sig <= kSignalMax; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    long r = raw::Syscall(__NR_rt_sigaction, sig, reinterpret_cast<long>(p->default_action), 0,
                          sizeof(unsigned long));
    // 32 and 33 are reserved by glibc but settable; EINVAL can only mean "no such signal".
    if (r < 0 && r != -EINVAL) Fail(p, Step::kSignals, r, sig);
  }
}

// nsenter's order: first every namespace but user, failures allowed (a privileged caller keeps
// its capabilities for them), then user, then the ones that failed, now fatally (an unprivileged
// caller gains the capabilities for those by entering the user namespace first).
NSBRIDGE_CHILD_CODE void JoinByFds(const ChildPlan* p, const int* fds, const int* types, int count) {
  bool joined[16];
  for (int i = 0; i < count; i++) {
    joined[i] = types[i] != CLONE_NEWUSER && raw::Syscall(__NR_setns, fds[i], types[i]) == 0;
  }
  for (int i = 0; i < count; i++) {
    if (types[i] != CLONE_NEWUSER) continue;
    long r = raw::Syscall(__NR_setns, fds[i], CLONE_NEWUSER);
    if (r < 0) Fail(p, Step::kSetns, r, CLONE_NEWUSER);
    joined[i] = true;
  }
  for (int i = 0; i < count; i++) {
    if (joined[i]) continue;
    long r = raw::Syscall(__NR_setns, fds[i], types[i]);
    if (r < 0) Fail(p, Step::kSetns, r, types[i]);
  }
}

NSBRIDGE_CHILD_CODE void Join(const ChildPlan* p) {
  if (p->join_count > 0) JoinByFds(p, p->join_fds, p->join_types, p->join_count);
  if (p->join_pidfd < 0) return;
  // setns(pidfd, mask) (5.8): all namespaces or none, in the order the kernel needs.
  long r = raw::Syscall(__NR_setns, p->join_pidfd, static_cast<long>(p->join_mask));
  if (r == 0) return;
  if (r == -ESRCH) Fail(p, Step::kSetnsPidfd, r);
  // Nothing changed. Say which kind was refused by joining one at a time through nsfs fds of
  // the same process (the child dies either way if one fails; if none does, the result is the
  // same set of namespaces the atomic call would have given).
  int fds[8];
  int types[8];
  int n = 0;
  // The target's namespace per kind through its pidfd (PIDFD_GET_<KIND>_NAMESPACE, 6.11).
  for (const NamespaceKindInfo& k : kNamespaceKinds) {
    if ((p->join_mask & k.flag) == 0) continue;
    long fd = raw::Syscall(__NR_ioctl, p->join_pidfd, static_cast<long>(k.pidfd_ioctl), 0);
    if (fd < 0) Fail(p, Step::kSetns, r, k.flag);  // no per-kind ioctl: report the atomic error
    fds[n] = static_cast<int>(fd);
    types[n] = static_cast<int>(k.flag);
    n++;
  }
  JoinByFds(p, fds, types, n);
}

NSBRIDGE_CHILD_CODE void Unshare(const ChildPlan* p) {
  for (int i = 0; i < p->unshare_count; i++) {
    long r = raw::Syscall(__NR_unshare, p->unshare_order[i]);
    if (r < 0) Fail(p, Step::kUnshare, r, static_cast<int>(p->unshare_order[i]));
  }
}

NSBRIDGE_CHILD_CODE void WaitForParent(const ChildPlan* p) {
  Send(p, Report::kNeedParent, Step::kHandshake, 0, 0);
  char go;
  long r;
  do r = raw::Syscall(__NR_read, p->go_fd, reinterpret_cast<long>(&go), 1);
  while (r == -EINTR);
  if (r == 0) ExitQuietly(0);  // the parent failed and reported it; nothing to add
  if (r < 0) Fail(p, Step::kHandshake, r);
}

NSBRIDGE_CHILD_CODE void SetNames(const ChildPlan* p) {
  if (p->hostname != nullptr) {
    long r = raw::Syscall(__NR_sethostname, reinterpret_cast<long>(p->hostname),
                          static_cast<long>(p->hostname_len));
    if (r < 0) Fail(p, Step::kSethostname, r);
  }
  if (p->domainname != nullptr) {
    long r = raw::Syscall(__NR_setdomainname, reinterpret_cast<long>(p->domainname),
                          static_cast<long>(p->domainname_len));
    if (r < 0) Fail(p, Step::kSetdomainname, r);
  }
}

// A new mount namespace starts as a copy of the parent's mounts, with their propagation: on a
// host whose / is shared (systemd's default) anything mounted here would appear in the parent's
// namespace too. So, like unshare(1), the mounts get the requested propagation (private by
// default) before anything else happens in the namespace. (A copy owned by a new user namespace
// turns shared mounts into slaves anyway - CL_SHARED_TO_SLAVE - but a plain copy keeps them.)
NSBRIDGE_CHILD_CODE void SetPropagation(const ChildPlan* p) {
  if (p->propagation == 0) return;
  static const char kRoot[] = "/";
  long r = raw::Syscall(__NR_mount, 0, reinterpret_cast<long>(kRoot), 0, static_cast<long>(p->propagation), 0);
  if (r < 0) Fail(p, Step::kPropagation, r);
}

// A new network namespace has only lo, and it is down: not even 127.0.0.1 answers (ENETUNREACH).
// Setting IFF_UP is all it takes - the kernel itself then gives lo 127.0.0.1/8 (inetdev_event,
// NETDEV_UP on a loopback device) and ::1 (addrconf's init_loopback). SIOCSIFFLAGS needs
// CAP_NET_ADMIN over the namespace's owner, which a child that created it has.
NSBRIDGE_CHILD_CODE void BringLoopbackUp(const ChildPlan* p) {
  if (!p->loopback_up) return;
  long fd = raw::Syscall(__NR_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail(p, Step::kLoopback, fd, static_cast<int>(LoopbackCall::kSocket));
  struct ifreq req = {};
  req.ifr_name[0] = 'l';
  req.ifr_name[1] = 'o';
  long r = raw::Syscall(__NR_ioctl, fd, SIOCGIFFLAGS, reinterpret_cast<long>(&req));
  if (r < 0) Fail(p, Step::kLoopback, r, static_cast<int>(LoopbackCall::kGetFlags));
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  r = raw::Syscall(__NR_ioctl, fd, SIOCSIFFLAGS, reinterpret_cast<long>(&req));
  if (r < 0) Fail(p, Step::kLoopback, r, static_cast<int>(LoopbackCall::kSetFlags));
  raw::Syscall(__NR_close, fd);
}

// Like unshare(1) --mount-proc. When / was made private recursively the proc mount point is
// private already; otherwise (propagation 'slave', 'shared', 'unchanged') the mount point alone
// is made private first, so the new proc does not propagate back - EINVAL there means it is not a
// mount point, and is ignored, as unshare does.
NSBRIDGE_CHILD_CODE void MountProc(const ChildPlan* p) {
  if (p->mount_proc == nullptr) return;
  static const char kProc[] = "proc";
  long r;
  if (p->propagation != (MS_REC | MS_PRIVATE)) {
    r = raw::Syscall(__NR_mount, 0, reinterpret_cast<long>(p->mount_proc), 0, MS_REC | MS_PRIVATE, 0);
    if (r < 0 && r != -EINVAL) Fail(p, Step::kMountProc, r, static_cast<int>(MountProcCall::kPrivate));
  }
  r = raw::Syscall(__NR_mount, reinterpret_cast<long>(kProc), reinterpret_cast<long>(p->mount_proc),
                   reinterpret_cast<long>(kProc), MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  if (r < 0) Fail(p, Step::kMountProc, r, static_cast<int>(MountProcCall::kMount));
}

// unshare -R / nsenter -r: a path is resolved in the program's mount namespace; an fd is a
// directory opened before the joins (nsenter's order: fchdir, chroot("."), then chdir("/") so
// the working directory is inside the new root).
NSBRIDGE_CHILD_CODE void ChangeRoot(const ChildPlan* p) {
  static const char kDot[] = ".";
  static const char kSlash[] = "/";
  long r;
  if (p->root_fd >= 0) {
    r = raw::Syscall(__NR_fchdir, p->root_fd);
    if (r < 0) Fail(p, Step::kRoot, r, static_cast<int>(DirCall::kFchdir));
    r = raw::Syscall(__NR_chroot, reinterpret_cast<long>(kDot));
  } else if (p->root != nullptr) {
    r = raw::Syscall(__NR_chroot, reinterpret_cast<long>(p->root));
  } else {
    return;
  }
  if (r < 0) Fail(p, Step::kRoot, r, static_cast<int>(DirCall::kChroot));
  r = raw::Syscall(__NR_chdir, reinterpret_cast<long>(kSlash));
  if (r < 0) Fail(p, Step::kRoot, r, static_cast<int>(DirCall::kChdir));
}

NSBRIDGE_CHILD_CODE void ChangeDirectory(const ChildPlan* p) {
  if (p->cwd_fd >= 0) {
    long r = raw::Syscall(__NR_fchdir, p->cwd_fd);
    if (r < 0) Fail(p, Step::kChdir, r, static_cast<int>(DirCall::kFchdir));
  } else if (p->cwd != nullptr) {
    long r = raw::Syscall(__NR_chdir, reinterpret_cast<long>(p->cwd));
    if (r < 0) Fail(p, Step::kChdir, r, static_cast<int>(DirCall::kChdir));
  }
}

// Groups, then gid, then uid: each later call drops the privilege the earlier ones need.
// Raw calls change only this task - unlike glibc's, which signal every thread of the process.
NSBRIDGE_CHILD_CODE void SetCredentials(const ChildPlan* p) {
  if (p->has_groups) {
    long r = raw::Syscall(__NR_setgroups, p->group_count, reinterpret_cast<long>(p->groups));
    if (r < 0) Fail(p, Step::kGroups, r);
  } else if (p->clear_groups) {
    // Like libuv: drop supplementary groups on a uid/gid change; EPERM (unprivileged, or
    // setgroups denied in a user namespace) leaves them as they are.
    long r = raw::Syscall(__NR_setgroups, 0, 0);
    if (r < 0 && r != -EPERM) Fail(p, Step::kGroups, r);
  }
  if (p->gid >= 0) {
    long r = raw::Syscall(__NR_setresgid, p->gid, p->gid, p->gid);
    if (r < 0) Fail(p, Step::kSetgid, r);
  }
  if (p->uid >= 0) {
    long r = raw::Syscall(__NR_setresuid, p->uid, p->uid, p->uid);
    if (r < 0) Fail(p, Step::kSetuid, r);
  }
}

// unshare --keep-caps: a program that does not run as root in the new user namespace would lose
// at exec the capabilities the namespace gave us; raised into the ambient set (which needs them
// inheritable first) they survive the exec. After the credential changes, as unshare(1) does (a
// setuid away from 0 empties the permitted set, and ambient with it).
NSBRIDGE_CHILD_CODE void KeepCapabilities(const ChildPlan* p) {
  if (!p->keep_capabilities) return;
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  long r = raw::Syscall(__NR_capget, reinterpret_cast<long>(&header), reinterpret_cast<long>(data));
  if (r < 0) Fail(p, Step::kCapabilities, r, static_cast<int>(CapCall::kCapget));
  data[0].inheritable = data[0].permitted;
  data[1].inheritable = data[1].permitted;
  r = raw::Syscall(__NR_capset, reinterpret_cast<long>(&header), reinterpret_cast<long>(data));
  if (r < 0) Fail(p, Step::kCapabilities, r, static_cast<int>(CapCall::kCapset));
  for (int cap = 0; cap < 64; cap++) {
    const uint32_t word = data[cap / 32].effective;
    if ((word & (1u << (cap % 32))) == 0) continue;
    r = raw::Syscall(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
    if (r < 0) Fail(p, Step::kCapabilities, r, static_cast<int>(CapCall::kAmbientRaise));
  }
}

// Is our parent still the process that cloned us? Read through this process's /proc (opened
// before the clone), so it works even when the parent is invisible from a new pid namespace
// (getppid() is 0 there). Returns false when it cannot tell.
NSBRIDGE_CHILD_CODE bool ParentDied(const ChildPlan* p) {
  if (p->proc_fd < 0) return false;
  static const char kSelfStat[] = "self/stat";
  long fd = raw::Syscall(__NR_openat, p->proc_fd, reinterpret_cast<long>(kSelfStat),
                         O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  long n = raw::Syscall(__NR_read, fd, reinterpret_cast<long>(buf), sizeof buf);
  raw::Syscall(__NR_close, fd);
  if (n <= 0) return false;
  // "pid (comm) S ppid ...": comm may contain ')' - the last one ends it.
  long close_paren = -1;
  for (long i = 0; i < n; i++)
    if (buf[i] == ')') close_paren = i;
  long i = close_paren + 4;  // skip ") S "
  if (close_paren < 0 || i >= n) return false;
  long ppid = 0;
  for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) ppid = ppid * 10 + (buf[i] - '0');
  return ppid != p->parent_pid_in_proc;
}

// PR_SET_PDEATHSIG fires when the *thread* that cloned us exits; it is cleared by credential
// changes, so it is set after SetCredentials. If the parent died before the prctl, the signal
// never comes: check the parent after setting it and leave if it is gone.
NSBRIDGE_CHILD_CODE void ArmParentDeathSignal(const ChildPlan* p) {
  if (p->pdeath_signal == 0) return;
  long r = raw::Syscall(__NR_prctl, PR_SET_PDEATHSIG, p->pdeath_signal);
  if (r < 0) Fail(p, Step::kPdeathSignal, r);
  if (ParentDied(p)) ExitQuietly(kFailureExit);
}

// Slot i gets stdio[i]. Sources below stdio_count are first moved above it, so no dup3 into a
// slot can overwrite a source another slot still needs (e.g. stdio [1, 0]).
NSBRIDGE_CHILD_CODE void SetupStdio(const ChildPlan* p) {
  int src[kMaxStdio];
  const int n = p->stdio_count;
  for (int i = 0; i < n; i++) {
    src[i] = p->stdio[i];
    if (src[i] >= 0 && src[i] < n && src[i] != i) {
      long fd = raw::Syscall(__NR_fcntl, src[i], F_DUPFD_CLOEXEC, n);
      if (fd < 0) Fail(p, Step::kStdio, fd, static_cast<int>(StdioCall::kFcntl));
      src[i] = static_cast<int>(fd);
    }
  }
  for (int i = 0; i < n; i++) {
    // dup3 onto itself is EINVAL; an fd kept in its own slot just loses close-on-exec. A closed
    // slot is closed at exec (whatever this process had there must not leak into it).
    // (EBADF there means the slot is closed already.)
    long r = 0;
    StdioCall call = StdioCall::kFcntl;
    if (src[i] < 0) {
      raw::Syscall(__NR_fcntl, i, F_SETFD, FD_CLOEXEC);
    } else if (src[i] == i) {
      r = raw::Syscall(__NR_fcntl, i, F_SETFD, 0);
    } else {
      r = raw::Syscall(__NR_dup3, src[i], i, 0);
      call = StdioCall::kDup3;
    }
    if (r < 0) Fail(p, Step::kStdio, r, static_cast<int>(call));
  }
}

// Everything above the stdio slots closes at exec: fds opened by other threads without
// O_CLOEXEC must not leak into the program.
NSBRIDGE_CHILD_CODE void CloseOtherFds(const ChildPlan* p) {
  if (p->close_range_cloexec) {
    long r = raw::Syscall(__NR_close_range, p->stdio_count, ~0U, CLOSE_RANGE_CLOEXEC);
    if (r < 0) Fail(p, Step::kCloseFds, r);
    return;
  }
  for (int fd = p->stdio_count; fd <= p->max_fd; fd++) {
    long flags = raw::Syscall(__NR_fcntl, fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) raw::Syscall(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
  }
}

// Only after every candidate failed: what an EACCES or ENOENT was about, seen as the program
// would see it (its mount namespace and ids).
NSBRIDGE_CHILD_CODE CandidateDetail Explain(const char* path, int err) {
  if (err != EACCES && err != ENOENT) return CandidateDetail::kNone;
  struct statx sx;
  long r = raw::Syscall(__NR_statx, AT_FDCWD, reinterpret_cast<long>(path), 0, STATX_TYPE | STATX_MODE,
                        reinterpret_cast<long>(&sx));
  if (err == ENOENT) return r == 0 ? CandidateDetail::kInterpreterMissing : CandidateDetail::kNone;
  if (r == -EACCES) return CandidateDetail::kSearchDenied;
  if (r < 0) return CandidateDetail::kNone;
  if ((sx.stx_mode & S_IFMT) == S_IFDIR) return CandidateDetail::kDirectory;
  if ((sx.stx_mode & 0111) == 0) return CandidateDetail::kNoExecBits;
  return CandidateDetail::kExecDenied;
}

// execvp's search without a shell: ENOENT-like errors try the next candidate, EACCES is
// remembered (reported if nothing else runs), anything else stops the search. Each candidate's
// error goes to the parent before the failure, so the error can say which one failed how (an
// EACCES may be a PATH directory the caller cannot search, not the program itself).
[[noreturn]] NSBRIDGE_CHILD_CODE void Exec(const ChildPlan* p) {
  const unsigned long empty_mask = 0;
  long r = raw::Syscall(__NR_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&empty_mask), 0,
                        sizeof empty_mask);
  if (r < 0) Fail(p, Step::kSigmask, r);
  long error = -ENOENT;
  bool saw_eacces = false;
  int errors[kMaxCandidateReports];
  int tried = 0;
  for (const char* const* path = p->paths; *path != nullptr; path++) {
    r = raw::Syscall(__NR_execve, reinterpret_cast<long>(*path), reinterpret_cast<long>(p->argv),
                     reinterpret_cast<long>(p->envp));
    if (tried < kMaxCandidateReports) errors[tried++] = static_cast<int>(-r);
    if (r == -EACCES) {
      saw_eacces = true;
    } else if (r != -ENOENT && r != -ENOTDIR && r != -ESTALE && r != -ENODEV && r != -ETIMEDOUT) {
      error = r;
      break;
    }
  }
  for (int i = 0; i < tried; i++) {
    Send(p, Report::kCandidate, static_cast<Step>(Explain(p->paths[i], errors[i])), errors[i], i);
  }
  Fail(p, Step::kExecve, saw_eacces && error == -ENOENT ? -EACCES : error);
}

// A setup whose spawner did not live to see it end must not become a program: nobody waits for
// it, and a setup that hung (a frozen cgroup, a hung file system) while its parent was ended by a
// signal, as timeout(1) does, would otherwise run the program whenever it resumes. The parent's
// end of the report pipe closes when the parent dies (the child's copy was closed first), and a
// pipe without readers polls POLLERR for its writer (fs/pipe.c pipe_poll). The last check before
// execve; what remains is the window between this poll and the exec.
NSBRIDGE_CHILD_CODE void ExitIfSpawnerGone(const ChildPlan* p) {
  struct pollfd report = {p->report_fd, POLLOUT, 0};
  struct timespec now = {0, 0};
  long r = raw::Syscall(__NR_ppoll, reinterpret_cast<long>(&report), 1, reinterpret_cast<long>(&now), 0, 0);
  if (r == 1 && (report.revents & POLLERR) != 0) ExitQuietly(kFailureExit);
}

// The rest of the setup, in the process that becomes the program.
// unshare(1)'s order: root, proc, working directory, then the credentials (which drop the
// capabilities the mounts need), then the ambient capabilities.
[[noreturn]] NSBRIDGE_CHILD_CODE void BecomeProgram(const ChildPlan* p) {
  SetNames(p);
  BringLoopbackUp(p);
  ChangeRoot(p);
  MountProc(p);
  ChangeDirectory(p);
  SetCredentials(p);
  KeepCapabilities(p);
  ArmParentDeathSignal(p);
  SetupStdio(p);
  CloseOtherFds(p);
  ExitIfSpawnerGone(p);
  Exec(p);
}

NSBRIDGE_CHILD_CODE int ProgramMain(void* arg) { BecomeProgram(static_cast<const ChildPlan*>(arg)); }

}  // namespace

// Joining or unsharing a pid namespace changes only pid_for_children: the program has to be a
// new process. CLONE_PARENT makes it a child of the Node thread (so the parent gets its exit
// status); its pid reaches the parent on the report pipe, and this process exits.
NSBRIDGE_CHILD_CODE int ChildMain(void* arg) {
  const ChildPlan* p = static_cast<const ChildPlan*>(arg);
  if (p->go_write_fd >= 0) raw::Syscall(__NR_close, p->go_write_fd);
  if (p->report_read_fd >= 0) raw::Syscall(__NR_close, p->report_read_fd);
  ResetSignals(p);
  Join(p);
  Unshare(p);
  if (p->probe_only) ExitQuietly(0);
  SetPropagation(p);
  if (p->wait_for_parent) WaitForParent(p);
  if (!p->clone_into_pidns) BecomeProgram(p);
  long pid = nsbridge_clone3(p->program_clone_args, sizeof *p->program_clone_args, ProgramMain,
                             const_cast<ChildPlan*>(p));
  if (pid < 0) Fail(p, Step::kCloneIntoPidns, pid);
  Send(p, Report::kProgramPid, Step::kCloneIntoPidns, 0, static_cast<int>(pid));
  return 0;
}

}  // namespace nsbridge::spawn
