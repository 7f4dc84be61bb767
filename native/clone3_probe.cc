// clone3Probe: does this kernel (and seccomp policy) offer clone3, and CLONE_INTO_CGROUP?
// Each probe makes one clone3 call that the kernel rejects while validating its arguments, and
// returns the errno. Container runtimes commonly filter clone3 to ENOSYS, so "the kernel is new
// enough" is not the question; "does the call reach the kernel" is.
//
// Why these calls can never create a runnable child:
// - 'clone3': clone3(NULL, 0). The size is checked first (kernel/fork.c
//   copy_clone_args_from_user: usize < CLONE_ARGS_SIZE_VER0 -> EINVAL), before anything is
//   read or allocated. ENOSYS where the syscall is missing or filtered.
// - 'intoCgroup': a fork-like clone3 (no CLONE_VM, so even a child would get its own copy of
//   memory) with CLONE_INTO_CGROUP and a cgroup fd that can never be open: INT_MAX is above
//   fs.nr_open's maximum. copy_process() fails in cgroup_css_set_fork() (fget_raw -> EBADF),
//   which runs before the new task is made visible or woken; everything is unwound. Kernels
//   without CLONE_INTO_CGROUP reject the unknown flag in clone3_args_valid(): EINVAL.
//   Note: cgroup = (u64)-1 would NOT work as a probe: `cgroup > INT_MAX` is checked with the
//   flag (copy_clone_args_from_user) and gives EINVAL on every kernel.
// Belt and braces anyway: a child would _exit(127) at once, and the parent would reap it.
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "calls.h"
#include "kernel_compat.h"

namespace nsbridge {

namespace {

int ProbeResult(long r) {
  if (r == 0) _exit(127);  // in an impossible child: leave without running anything
  if (r > 0) {
    // An impossible child in the parent: reap exactly that pid (never anyone else's child).
    while (::waitpid(static_cast<pid_t>(r), nullptr, __WALL) == -1 && errno == EINTR) {
    }
    return 0;
  }
  return errno;
}

int ProbeClone3() {
  return ProbeResult(::syscall(__NR_clone3, nullptr, 0));
}

int ProbeIntoCgroup() {
  nsbridge_clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = INT_MAX;  // never an open fd; see above for why not -1
  return ProbeResult(::syscall(__NR_clone3, &args, sizeof args));
}

Napi::Value Clone3Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    throw Napi::TypeError::New(env, "The \"what\" argument must be 'clone3' or 'intoCgroup'");
  }
  const std::string what = info[0].As<Napi::String>().Utf8Value();
  int result;
  if (what == "clone3") {
    result = ProbeClone3();
  } else if (what == "intoCgroup") {
    result = ProbeIntoCgroup();
  } else {
    throw Napi::TypeError::New(env, "The \"what\" argument must be 'clone3' or 'intoCgroup'");
  }
  return Napi::Number::New(env, result);
}

}  // namespace

void RegisterClone3Probe(Napi::Env env, Napi::Object exports) {
  exports.Set("clone3Probe", Napi::Function::New<Clone3Probe>(env, "clone3Probe"));
}

}  // namespace nsbridge
