// pidfd system calls and pidfs ioctls. Raw syscall() throughout: glibc 2.36 has wrappers for
// some of these but not all, and one style keeps errno handling uniform.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "calls.h"
#include "kernel_compat.h"
#include "owned_fd.h"
#include "system_error.h"

namespace nsbridge {

namespace {

Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int32_t pid = ArgInt32(info, 0, "pid");
  const uint32_t flags = ArgUint32(info, 1, "flags");
  // pidfds are always close-on-exec: the kernel creates them O_RDWR | O_CLOEXEC.
  UniqueFd fd(static_cast<int>(::syscall(__NR_pidfd_open, pid, flags)));
  if (fd.get() == -1) {
    const int err = errno;
    ThrowSystemError(env, err, "pidfd_open");
  }
  return OwnedFd::New(env, std::move(fd));
}

void PidfdSendSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int pidfd = ArgInt32(info, 0, "pidfd");
  const int32_t sig = ArgInt32(info, 1, "signal");
  const uint32_t flags = ArgUint32(info, 2, "flags");
  // info == NULL: the kernel fills in a siginfo as kill(2) would (SI_USER, our pid and uid).
  if (::syscall(__NR_pidfd_send_signal, pidfd, sig, nullptr, flags) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, "pidfd_send_signal", pidfd);
  }
}

Napi::Value PidfdGetfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int pidfd = ArgInt32(info, 0, "pidfd");
  const int32_t target = ArgInt32(info, 1, "targetFd");
  // flags must be 0; the kernel always sets FD_CLOEXEC on the duplicated fd.
  UniqueFd fd(static_cast<int>(::syscall(__NR_pidfd_getfd, pidfd, target, 0u)));
  if (fd.get() == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, "pidfd_getfd", pidfd);
  }
  return OwnedFd::New(env, std::move(fd));
}

// Indexed by the ioctl number (1..10), so the syscall name in errors says which one ran.
constexpr const char* kNamespaceIoctlNames[] = {
    nullptr,
    "ioctl(PIDFD_GET_CGROUP_NAMESPACE)",
    "ioctl(PIDFD_GET_IPC_NAMESPACE)",
    "ioctl(PIDFD_GET_MNT_NAMESPACE)",
    "ioctl(PIDFD_GET_NET_NAMESPACE)",
    "ioctl(PIDFD_GET_PID_NAMESPACE)",
    "ioctl(PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE)",
    "ioctl(PIDFD_GET_TIME_NAMESPACE)",
    "ioctl(PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE)",
    "ioctl(PIDFD_GET_USER_NAMESPACE)",
    "ioctl(PIDFD_GET_UTS_NAMESPACE)",
};
static_assert(PIDFD_GET_UTS_NAMESPACE == _IO(PIDFS_IOCTL_MAGIC, 10), "pidfs ioctl numbering");

Napi::Value PidfdGetNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int pidfd = ArgInt32(info, 0, "pidfd");
  const int32_t request = ArgInt32(info, 1, "request");
  if (request < 1 || request > 10) {
    // Only the ten PIDFD_GET_*_NAMESPACE requests: never an arbitrary ioctl.
    throw Napi::RangeError::New(env, "The \"request\" argument must be an integer from 1 to 10");
  }
  // The new nsfs fd is opened O_CLOEXEC by the kernel (fs/pidfs.c pidfd_ioctl ->
  // open_namespace -> O_CLOEXEC). The argument must be 0.
  UniqueFd fd(::ioctl(pidfd, _IO(PIDFS_IOCTL_MAGIC, request), 0UL));
  if (fd.get() == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, kNamespaceIoctlNames[request], pidfd);
  }
  return OwnedFd::New(env, std::move(fd));
}

/** RawExitStatus from a pid and a decoded status. */
Napi::Object MakeExitStatus(Napi::Env env, int pid, bool exited, int code_or_signal,
                            bool core_dumped) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, pid));
  result.Set("code", exited ? Napi::Value(Napi::Number::New(env, code_or_signal)) : env.Null());
  result.Set("signal", exited ? env.Null() : Napi::Value(Napi::Number::New(env, code_or_signal)));
  result.Set("coreDumped", Napi::Boolean::New(env, core_dumped));
  return result;
}

Napi::Value WaitidPidfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int pidfd = ArgInt32(info, 0, "pidfd");
  const bool no_wait = ArgBool(info, 1, "noWait");
  siginfo_t si;
  memset(&si, 0, sizeof si);
  // WNOHANG: never block the event loop. WNOWAIT: leave the zombie for its real reaper (so a
  // libuv-spawned child still gets its 'exit' event). Only our own children can be waited for:
  // anything else is ECHILD.
  const int options = WEXITED | WNOHANG | (no_wait ? WNOWAIT : 0);
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, options) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, "waitid", pidfd);
  }
  // With WNOHANG and nothing to report the kernel leaves si untouched: si_pid stays 0.
  if (si.si_pid == 0) return env.Null();
  switch (si.si_code) {
    case CLD_EXITED:
      return MakeExitStatus(env, si.si_pid, true, si.si_status, false);
    case CLD_KILLED:
      return MakeExitStatus(env, si.si_pid, false, si.si_status, false);
    case CLD_DUMPED:
      return MakeExitStatus(env, si.si_pid, false, si.si_status, true);
    default:  // unreachable with only WEXITED; report it as an exit code rather than lose it
      return MakeExitStatus(env, si.si_pid, true, si.si_status, false);
  }
}

Napi::Value PidfdExitInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int pidfd = ArgInt32(info, 0, "pidfd");
  nsbridge_pidfd_info pi;
  memset(&pi, 0, sizeof pi);
  pi.mask = PIDFD_INFO_EXIT;
  // ENOTTY before 6.13 (no PIDFD_GET_INFO). Before 6.15 PIDFD_INFO_EXIT is unknown and simply
  // never set in the returned mask. ESRCH if the task was reaped and left no exit info.
  if (::ioctl(pidfd, NSBRIDGE_PIDFD_GET_INFO, &pi) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, "ioctl(PIDFD_GET_INFO)", pidfd);
  }
  // The kernel records exit info when the task is reaped (pidfs_exit from release_task), so a
  // zombie has none yet.
  if ((pi.mask & PIDFD_INFO_EXIT) == 0) return env.Null();
  // Once the task is reaped the kernel no longer fills in pid (PIDFD_INFO_PID unset): 0 then.
  const int pid = (pi.mask & PIDFD_INFO_PID) != 0 ? static_cast<int>(pi.pid) : 0;
  const int status = pi.exit_code;  // a wait(2) status word
  if (WIFEXITED(status)) return MakeExitStatus(env, pid, true, WEXITSTATUS(status), false);
  return MakeExitStatus(env, pid, false, WTERMSIG(status), WCOREDUMP(status) != 0);
}

}  // namespace

void RegisterPidfdCalls(Napi::Env env, Napi::Object exports) {
  exports.Set("pidfdOpen", Napi::Function::New<PidfdOpen>(env, "pidfdOpen"));
  exports.Set("pidfdSendSignal", Napi::Function::New<PidfdSendSignal>(env, "pidfdSendSignal"));
  exports.Set("pidfdGetfd", Napi::Function::New<PidfdGetfd>(env, "pidfdGetfd"));
  exports.Set("pidfdGetNamespace",
              Napi::Function::New<PidfdGetNamespace>(env, "pidfdGetNamespace"));
  exports.Set("waitidPidfd", Napi::Function::New<WaitidPidfd>(env, "waitidPidfd"));
  exports.Set("pidfdExitInfo", Napi::Function::New<PidfdExitInfo>(env, "pidfdExitInfo"));
}

}  // namespace nsbridge
