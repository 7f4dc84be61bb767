// The parent's side of a spawn (see spawn_job.h):
//
//   1. prepare everything the child reads (ChildPlan), the stdio socketpairs and two pipes:
//      report (child → parent: failures, "your turn", the program's pid; EOF = exec'd or gone)
//      and go (parent → child: maps and offsets are written);
//   2. block every signal, clone3, restore the mask (no handler may run in the child);
//   3. answer the child's handshake and read reports until EOF;
//   4. reap what failed, and hand out the program's pidfd.
//
// Why clone3 with CLONE_VM: its cost does not grow with this process's memory (fork copies the
// page tables: ~100 ms per spawn at 2 GiB). Without a handshake CLONE_VFORK is added too, so this
// thread sleeps until the exec; with one, the thread stays runnable to write the maps.
// EOF on the report pipe is the barrier that makes sharing memory safe: the kernel releases a
// task's mm (exec_mmap, exit_mm) before its fd table, so once every write end is closed no child
// runs on our memory any more. Until then nothing here may return or throw.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>

#include "../addon_data.h"
#include "../child_reaper.h"
#include "../kernel_compat.h"
#include "../ns_kinds.h"
#include "../system_error.h"
#include "child_plan.h"
#include "child_plan_builder.h"
#include "clone3_trampoline.h"
#include "resources.h"
#include "spawn_job.h"

namespace nsbridge::spawn {

namespace {

const NamespaceKindInfo* KindOf(int flag) {
  for (const NamespaceKindInfo& k : kNamespaceKinds) {
    if (k.flag == static_cast<uint32_t>(flag)) return &k;
  }
  return nullptr;
}

const char* KindName(int flag) {
  const NamespaceKindInfo* kind = KindOf(flag);
  return kind == nullptr ? "unknown" : kind->name;
}

const char* DirCallName(int32_t value) {
  switch (static_cast<DirCall>(value)) {
    case DirCall::kFchdir: return "fchdir";
    case DirCall::kChroot: return "chroot";
    case DirCall::kChdir: break;
  }
  return "chdir";
}

const char* CapCallName(int32_t value) {
  switch (static_cast<CapCall>(value)) {
    case CapCall::kCapget: return "capget";
    case CapCall::kCapset: return "capset";
    case CapCall::kAmbientRaise: break;
  }
  return "prctl(PR_CAP_AMBIENT_RAISE)";
}

const char* LoopbackCallName(int32_t value) {
  switch (static_cast<LoopbackCall>(value)) {
    case LoopbackCall::kSocket: return "socket";
    case LoopbackCall::kGetFlags: return "ioctl(SIOCGIFFLAGS)";
    case LoopbackCall::kSetFlags: break;
  }
  return "ioctl(SIOCSIFFLAGS)";
}

// A child's report as (step, syscall) names: the step says what failed, the syscall which call.
void Describe(const Report& r, const SpawnJob& job, Failure* f) {
  const int err = r.error;
  switch (static_cast<Step>(r.step)) {
    case Step::kSignals: return f->Set("signals", err, "rt_sigaction");
    case Step::kSetnsPidfd: return f->Set("setns", err, "setns");
    case Step::kSetns: return f->Set(std::string("setns:") + KindName(r.value), err, "setns");
    case Step::kUnshare: return f->Set(std::string("unshare:") + KindName(r.value), err, "unshare");
    case Step::kHandshake: return f->Set("handshake", err, "read");
    case Step::kCloneIntoPidns: return f->Set("clone3:pid", err, "clone3");
    case Step::kSethostname: return f->Set("sethostname", err, "sethostname");
    case Step::kSetdomainname: return f->Set("setdomainname", err, "setdomainname");
    case Step::kPropagation: return f->Set("propagation", err, "mount");
    case Step::kMountProc:
      if (static_cast<MountProcCall>(r.value) == MountProcCall::kPrivate) return f->Set("propagation:" + job.mount_proc, err, "mount");
      return f->Set("mount:" + job.mount_proc, err, "mount");
    case Step::kGroups: return f->Set("groups", err, "setgroups");
    case Step::kSetgid: return f->Set("setgid", err, "setresgid");
    case Step::kSetuid: return f->Set("setuid", err, "setresuid");
    case Step::kChdir: return f->Set("chdir", err, DirCallName(r.value));
    case Step::kRoot: return f->Set("root", err, DirCallName(r.value));
    case Step::kCapabilities: return f->Set("capabilities", err, CapCallName(r.value));
    case Step::kStdio: return f->Set("stdio", err, static_cast<StdioCall>(r.value) == StdioCall::kDup3 ? "dup3" : "fcntl");
    case Step::kCloseFds: return f->Set("close_range", err, "close_range");
    case Step::kPdeathSignal: return f->Set("pdeath_signal", err, "prctl");
    case Step::kSigmask: return f->Set("sigmask", err, "rt_sigprocmask");
    case Step::kExecve: return f->Set("execve", err, "execve");
    case Step::kLoopback: return f->Set("loopback", err, LoopbackCallName(r.value));
  }
  f->Set("unknown", err, "unknown");
}

/** pipe2(O_CLOEXEC) with both ends numbered >= min_fd (above the child's stdio slots). */
bool MakePipe(int min_fd, UniqueFd* read_end, UniqueFd* write_end, int* err) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *err = errno;
    return false;
  }
  UniqueFd ends[2] = {UniqueFd(fds[0]), UniqueFd(fds[1])};
  for (UniqueFd& end : ends) {
    if (end.get() >= min_fd) continue;
    int moved = ::fcntl(end.get(), F_DUPFD_CLOEXEC, min_fd);
    if (moved < 0) {
      *err = errno;
      return false;
    }
    end = UniqueFd(moved);
  }
  *read_end = std::move(ends[0]);
  *write_end = std::move(ends[1]);
  return true;
}

/** Writes one /proc/<pid>/<name> file in a single write (the kernel parses a map per write). */
int WriteProcFile(pid_t pid, const char* name, const std::string& data, const char** syscall) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", static_cast<int>(pid), name);
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    *syscall = "open";
    return errno;
  }
  ssize_t n = ::write(fd.get(), data.data(), data.size());
  if (n < 0) {
    *syscall = "write";
    return errno;
  }
  if (static_cast<size_t>(n) != data.size()) {
    *syscall = "write";
    return EIO;
  }
  return 0;
}

/**
 * The parent's part of the setup, for the process that created the user / time namespace:
 * setgroups, uid_map, gid_map, timens_offsets, in that order. An unprivileged writer's gid map
 * needs "deny" in setgroups first (user_namespaces(7)); src/spawn/options/user.ts asks for it then.
 */
void WriteParentFiles(pid_t pid, const SpawnJob& job, Failure* f) {
  const char* syscall = "";
  if (!job.setgroups.empty()) {
    if (int err = WriteProcFile(pid, "setgroups", job.setgroups + "\n", &syscall)) return f->Set("setgroups", err, syscall);
  }
  if (job.has_uid_map) {
    if (int err = WriteProcFile(pid, "uid_map", job.uid_map, &syscall)) return f->Set("uid_map", err, syscall);
  }
  if (job.has_gid_map) {
    if (int err = WriteProcFile(pid, "gid_map", job.gid_map, &syscall)) return f->Set("gid_map", err, syscall);
  }
  if (job.has_time_offsets) {
    if (int err = WriteProcFile(pid, "timens_offsets", job.time_offsets, &syscall)) return f->Set("timens_offsets", err, syscall);
  }
}

/**
 * The child's pid as the mounted /proc names it. The parent's writes (uid_map, gid_map,
 * setgroups, timens_offsets) and persist binds go to /proc/<pid>/…, and /proc may belong to
 * another pid namespace than this process's (Node started by `unshare --pid --fork` without a
 * new proc, a container): the pid clone3 returned would then name some other process, which
 * would get the maps. The pidfd's fdinfo, read through that same /proc, says the child's pid
 * there (fs/pidfs.c pidfd_show_fdinfo: "Pid:" in the proc's pid namespace, 0 / -1 where the
 * child has none). Returns 0, or a positive errno (ENOENT: this process is not in that /proc).
 */
int ChildPidInProc(int pidfd, pid_t* pid, const char** syscall) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  *syscall = "open";
  if (fd.get() < 0) return errno;
  char buf[1024];
  *syscall = "read";
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n < 0) return errno;
  buf[n] = '\0';
  const char* line = strstr(buf, "\nPid:");
  if (line == nullptr) return ENOSYS;  // a kernel without pidfd fdinfo (before 5.5)
  const long value = strtol(line + 5, nullptr, 10);
  if (value <= 0) return ESRCH;
  *pid = static_cast<pid_t>(value);
  return 0;
}

/**
 * unshare --net=FILE: bind-mount the child's namespace files onto the given paths, in this
 * process's mount namespace, while the child waits (before the program runs, so a program that
 * exits at once still leaves its namespaces there). pid and time use *_for_children: after an
 * unshare the child itself is not in them. Each bind made is recorded in `made`, so a failure
 * later in the spawn can take it back.
 */
void PersistNamespaces(pid_t pid, const SpawnJob& job, Failure* f, std::vector<std::string>* made) {
  for (size_t i = 0; i < job.persist_kinds.size(); i++) {
    const NamespaceKindInfo* kind = KindOf(job.persist_kinds[i]);
    char source[96];
    snprintf(source, sizeof source, "/proc/%d/ns/%s", static_cast<int>(pid), kind->child_file);
    const std::string& target = job.persist_paths[i];
    if (::mount(source, target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return f->Set(std::string("persist:") + kind->name, errno, "mount");
    }
    made->push_back(target);
  }
}

/** Takes back the binds of PersistNamespaces when the spawn failed after them (no stray mount). */
void UndoPersist(const std::vector<std::string>& made) {
  for (auto it = made.rbegin(); it != made.rend(); ++it) (void)::umount2(it->c_str(), MNT_DETACH);
}

/** waitid(WEXITED) on a child known to be exiting; EINTR retried. */
void Reap(idtype_t type, id_t id) {
  siginfo_t info;
  while (::waitid(type, id, &info, WEXITED) != 0 && errno == EINTR) {
  }
}

/** Highest open fd, for the close-on-exec fallback of kernels without CLOSE_RANGE_CLOEXEC. */
int HighestOpenFd() {
  int highest = 1023;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) highest = std::max(highest, atoi(e->d_name));
    ::closedir(d);
  }
  return highest;
}

struct Attempt {
  long clone_result = 0;  // first child's pid, or -errno from clone3
  UniqueFd pidfd;         // first child's
  pid_t program_pid = 0;  // from the child's report, when it cloned the program
  Failure failure;
  std::vector<std::string> persisted;  // bind mounts made for job.persist_*
};

/** One report from the child: a failure, an execve candidate's error, the program's pid. */
void Receive(const Report& r, const SpawnJob& job, Attempt* a) {
  switch (r.kind) {
    case Report::kCandidate:
      if (r.value >= 0 && static_cast<size_t>(r.value) < job.paths.size()) {
        const size_t needed = std::max(a->failure.candidates.size(), static_cast<size_t>(r.value) + 1);
        a->failure.candidates.resize(needed);
        a->failure.candidate_details.resize(needed);
        a->failure.candidates[r.value] = r.error;
        a->failure.candidate_details[r.value] = r.step;
      }
      break;
    case Report::kProgramPid:
      a->program_pid = r.value;
      break;
    case Report::kFailure:
      Describe(r, job, &a->failure);
      break;
  }
}

/**
 * One clone3 plus everything until EOF on the report pipe. noexcept: see the file comment.
 * `plan` and the memory it points to are read by the child until this returns.
 */
Attempt RunChild(const SpawnJob& job, ChildPlan* plan, nsbridge_clone_args* args, UniqueFd report_r,
                 UniqueFd report_w, UniqueFd go_r, UniqueFd go_w, std::vector<UniqueFd>* child_ends) noexcept {
  Attempt a;
  int pidfd = -1;
  args->pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  plan->report_fd = report_w.get();
  plan->go_fd = go_r.get();
  plan->go_write_fd = go_w.get();
  plan->report_read_fd = report_r.get();

  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  a.clone_result = nsbridge_clone3(args, sizeof *args, ChildMain, plan);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (a.clone_result < 0) return a;
  a.pidfd = UniqueFd(pidfd);

  // Only the child's copies of these may keep the pipes open now.
  report_w.reset();
  go_r.reset();
  if (child_ends != nullptr) child_ends->clear();

  // A vfork-style clone returns once the child has exec'd (exec_mmap) or exited (exit_mm): either
  // way it is off our memory, and a failing child wrote its report before exiting. So a report
  // is there now or never - no need to sleep until exec closes the child's copy of the pipe.
  // (Not when the child cloned the program: that one may still be running on our memory.)
  if ((args->flags & CLONE_VFORK) != 0 && !plan->clone_into_pidns) {
    pollfd ready = {report_r.get(), POLLIN, 0};
    Report r;
    while (::poll(&ready, 1, 0) == 1 && ::read(report_r.get(), &r, sizeof r) == static_cast<ssize_t>(sizeof r)) {
      Receive(r, job, &a);
    }
    return a;
  }

  for (;;) {
    Report r;
    ssize_t n = ::read(report_r.get(), &r, sizeof r);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) break;
    if (n != static_cast<ssize_t>(sizeof r)) {
      // Cannot happen with 16-byte writes into a pipe; if it does, end the child, then wait
      // for EOF so nothing runs on our memory when this returns.
      a.failure.Set("report", n < 0 ? errno : EIO, "read");
      ::syscall(__NR_pidfd_send_signal, a.pidfd.get(), SIGKILL, nullptr, 0);
      continue;
    }
    if (r.kind == Report::kNeedParent) {
      pid_t in_proc = 0;
      const char* syscall = "";
      if (int err = ChildPidInProc(a.pidfd.get(), &in_proc, &syscall)) a.failure.Set("proc", err, syscall);
      if (!a.failure.failed) WriteParentFiles(in_proc, job, &a.failure);
      if (!a.failure.failed) PersistNamespaces(in_proc, job, &a.failure, &a.persisted);
      // On failure the child reads EOF and exits without a report of its own.
      if (!a.failure.failed) (void)::write(go_w.get(), "g", 1);
      go_w.reset();
    } else {
      Receive(r, job, &a);
    }
  }
  return a;
}

/**
 * clone3 refused to create the namespaces, the cgroup placement or the pids all at once. Find
 * out which: a throwaway child unshares the kinds one at a time (the same permission and limit
 * checks), then the cgroup / set_tid requests are blamed by elimination.
 */
void DiagnoseCloneFailure(const SpawnJob& job, const ChildPlan& plan, Resources& res, int err, Failure* f) {
  const uint32_t ns_flags = static_cast<uint32_t>(job.clone_flags);
  if (ns_flags != 0) {
    UniqueFd report_r, report_w;
    int pipe_err = 0;
    if (MakePipe(plan.stdio_count, &report_r, &report_w, &pipe_err)) {
      ChildPlan probe = plan;
      uint32_t order[kMaxUnshareKinds];
      probe.unshare_count = UnshareOrder(ns_flags, order);
      probe.unshare_order = order;
      probe.join_pidfd = -1;
      probe.join_count = 0;
      probe.probe_only = true;
      probe.wait_for_parent = false;
      nsbridge_clone_args args{};
      args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
      args.exit_signal = SIGCHLD;
      args.stack = reinterpret_cast<uintptr_t>(res.child_stack());
      args.stack_size = Resources::kStackSize;
      Attempt a = RunChild(job, &probe, &args, std::move(report_r), std::move(report_w), UniqueFd(), UniqueFd(), nullptr);
      if (a.clone_result > 0) Reap(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(a.pidfd.get()));
      if (a.failure.failed && a.failure.error == err) {
        // Same errno from unshare of one kind: that kind is the cause; clone3 is what failed.
        return f->Set(a.failure.step, err, "clone3");
      }
    }
  }
  const bool cgroup = job.cgroup_fd >= 0, set_tid = !job.set_tid.empty();
  if (cgroup && (!set_tid || err != EEXIST)) return f->Set(set_tid ? "clone3" : "cgroup", err, "clone3");
  if (set_tid) return f->Set("set_tid", err, "clone3");
  f->Set("clone3", err, "clone3");
}

}  // namespace

SpawnOutcome Launch(Napi::Env env, const SpawnJob& job) {
  RetryReaperStart();  // children handed over while the reaper could not start
  Resources& res = GetAddonData(env).spawn_resources;
  res.PrepareStacks(env);
  const int n = static_cast<int>(job.stdio.size());
  SpawnOutcome out;
  out.pipes.resize(n);

  // 1. stdio: a socketpair per 'pipe' slot, like libuv (so the program gets a duplex fd).
  std::vector<int> stdio = job.stdio;
  std::vector<UniqueFd> child_ends(n);
  UniqueFd dev_null;
  for (int i = 0; i < n; i++) {
    if (stdio[i] == kStdioDevNull) {
      if (dev_null.get() < 0) dev_null = UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
      if (dev_null.get() < 0) ThrowSystemErrorPath(env, errno, "open", "/dev/null");
      stdio[i] = dev_null.get();
      continue;
    }
    if (stdio[i] == kStdioClosed) {
      stdio[i] = -1;  // the child's "closed slot"
      continue;
    }
    if (stdio[i] != kStdioPipe) continue;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) ThrowSystemError(env, errno, "socketpair");
    out.pipes[i] = UniqueFd(sv[0]);
    child_ends[i] = UniqueFd(sv[1]);
    stdio[i] = sv[1];
  }
  UniqueFd report_r, report_w, go_r, go_w;
  int err = 0;
  if (!MakePipe(n, &report_r, &report_w, &err)) ThrowSystemError(env, err, "pipe2");
  const bool wait_for_parent = NeedsParentHandshake(job);
  if (wait_for_parent && !MakePipe(n, &go_r, &go_w, &err)) ThrowSystemError(env, err, "pipe2");

  // 2. what the child reads (child_plan_builder.h), with what it needs to know about this process
  HostFacts facts;
  facts.close_range_cloexec = res.close_range_cloexec();
  facts.max_fd = facts.close_range_cloexec ? 0 : HighestOpenFd();
  facts.proc_fd = job.pdeath_signal != 0 ? res.proc_fd() : -1;
  facts.parent_pid_in_proc = res.pid_in_proc();
  ChildPlanBuilder builder(job, std::move(stdio), facts);
  ChildPlan& plan = builder.plan();
  const bool clone_into_pidns = plan.clone_into_pidns;

  // The program's own clone (when needed): a child of our thread (CLONE_PARENT; exit_signal
  // must then be 0 and the parent's is used), on the second stack, with the set_tid request.
  nsbridge_clone_args program_args{};
  program_args.flags = CLONE_VM | CLONE_PARENT;
  program_args.stack = reinterpret_cast<uintptr_t>(res.program_stack());
  program_args.stack_size = Resources::kStackSize;
  nsbridge_clone_args args{};
  args.flags = CLONE_PIDFD | job.clone_flags;
  if (job.share_memory) args.flags |= CLONE_VM;
  if (job.share_memory && !wait_for_parent) args.flags |= CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<uintptr_t>(res.child_stack());
  args.stack_size = Resources::kStackSize;
  nsbridge_clone_args* tid_args = clone_into_pidns ? &program_args : &args;
  if (!job.set_tid.empty()) {
    tid_args->set_tid = reinterpret_cast<uintptr_t>(job.set_tid.data());
    tid_args->set_tid_size = job.set_tid.size();
  }
  if (job.cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(job.cgroup_fd);
  }
  plan.program_clone_args = &program_args;

  // 3. clone and collect
  Attempt a = RunChild(job, &plan, &args, std::move(report_r), std::move(report_w), std::move(go_r), std::move(go_w), &child_ends);
  if (a.clone_result < 0) {
    DiagnoseCloneFailure(job, plan, res, static_cast<int>(-a.clone_result), &a.failure);
  } else if (!a.failure.failed && clone_into_pidns && a.program_pid <= 0) {
    a.failure.Set("clone3:pid", ESRCH, "clone3");  // the first child vanished (killed) before reporting
  }

  // 4. hand out the program, or reap what failed
  bool first_reaped = false;
  UniqueFd program;
  pid_t program_pid = static_cast<pid_t>(clone_into_pidns ? a.program_pid : a.clone_result);
  if (!a.failure.failed && clone_into_pidns) {
    Reap(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(a.pidfd.get()));  // it exits right after the clone
    first_reaped = true;
    // Race-free: the program is our child and nobody else reaps it, so its pid stays its own.
    program = UniqueFd(static_cast<int>(::syscall(__NR_pidfd_open, program_pid, 0)));
    if (program.get() < 0) {
      a.failure.Set("pidfd_open", errno, "pidfd_open");
      ::kill(program_pid, SIGKILL);
    }
  } else if (!a.failure.failed) {
    program = std::move(a.pidfd);
  }
  if (a.failure.failed) {
    UndoPersist(a.persisted);
    if (a.program_pid > 0) Reap(P_PID, static_cast<id_t>(a.program_pid));
    if (a.clone_result > 0 && !first_reaped) Reap(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(a.pidfd.get()));
    for (UniqueFd& pipe : out.pipes) pipe.reset();
    out.failure = std::move(a.failure);
    return out;
  }
  out.pid = program_pid;
  out.pidfd = std::move(program);
  return out;
}

}  // namespace nsbridge::spawn
