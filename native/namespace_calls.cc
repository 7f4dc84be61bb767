// unshare / setns, opening files, fd identity, and the nsfs ioctls. One system call per
// function, no policy: kinds, flags and permissions are the TypeScript layer's business.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdint>

#include "args.h"
#include "calls.h"
#include "kernel_compat.h"
#include "owned_fd.h"
#include "system_error.h"

namespace nsbridge {

namespace {

void Unshare(const Napi::CallbackInfo& info) {
  const int flags = static_cast<int>(ArgUint32(info, 0, "flags"));
  if (::unshare(flags) == -1) {
    const int err = errno;
    ThrowSystemError(info.Env(), err, "unshare");
  }
}

void Setns(const Napi::CallbackInfo& info) {
  const int fd = ArgInt32(info, 0, "fd");
  const int nstype = static_cast<int>(ArgUint32(info, 1, "nstype"));
  if (::setns(fd, nstype) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(info.Env(), err, "setns", fd);
  }
}

Napi::Value OpenPath(const Napi::CallbackInfo& info) {
  const std::string path = ArgCString(info, 0, "path");
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() == -1) {
    const int err = errno;
    ThrowSystemErrorPath(info.Env(), err, "open", path);
  }
  return OwnedFd::New(info.Env(), std::move(fd));
}

/**
 * A path the caller named (Namespace.open, raw.openNamespaceFile): opened so that nothing at
 * the path can block or act on the open. O_PATH first (a FIFO would block an O_RDONLY open
 * forever, a device node could act on it), then the file system is checked: only nsfs goes on,
 * reopened through /proc/self/fd (the same file, not the path again, which may have been swapped
 * meanwhile). Anything else is ENOTTY, as the nsfs ioctls say of a file that is not a namespace.
 */
Napi::Value OpenNamespacePath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = ArgCString(info, 0, "path");
  UniqueFd handle(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (handle.get() == -1) {
    const int err = errno;
    ThrowSystemErrorPath(env, err, "open", path);
  }
  struct statfs sfs;
  if (::fstatfs(handle.get(), &sfs) == -1) {
    const int err = errno;
    ThrowSystemErrorPath(env, err, "fstatfs", path);
  }
  if (static_cast<unsigned long>(sfs.f_type) != NSFS_MAGIC) ThrowSystemErrorPath(env, ENOTTY, "fstatfs", path);
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", handle.get());
  // Without /proc (ENOENT) this is ENOENT too: opening the path again by name could open
  // whatever was swapped in meanwhile, a device among them, before any check could refuse it.
  UniqueFd fd(::open(self, O_RDONLY | O_CLOEXEC));
  if (fd.get() == -1) {
    const int err = errno;
    ThrowSystemErrorPath(env, err, "open", self);  // the path named is fine: /proc is what failed
  }
  return OwnedFd::New(env, std::move(fd));
}

/**
 * A directory the caller named, as an O_PATH fd (spawn's cgroup option: CLONE_INTO_CGROUP takes
 * an O_PATH fd). O_DIRECTORY refuses anything else at once, a FIFO included, without opening it.
 */
Napi::Value OpenDirectoryPath(const Napi::CallbackInfo& info) {
  const std::string path = ArgCString(info, 0, "path");
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() == -1) {
    const int err = errno;
    ThrowSystemErrorPath(info.Env(), err, "open", path);
  }
  return OwnedFd::New(info.Env(), std::move(fd));
}

Napi::Value FileIdentity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = ArgInt32(info, 0, "fd");
  struct stat st;
  if (::fstat(fd, &st) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, "fstat", fd);
  }
  struct statfs sfs;
  if (::fstatfs(fd, &sfs) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(env, err, "fstatfs", fd);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("dev", Napi::BigInt::New(env, static_cast<uint64_t>(st.st_dev)));
  result.Set("ino", Napi::BigInt::New(env, static_cast<uint64_t>(st.st_ino)));
  result.Set("isNsfs", Napi::Boolean::New(env, static_cast<unsigned long>(sfs.f_type) ==
                                                   static_cast<unsigned long>(NSFS_MAGIC)));
  return result;
}

// NS_GET_USERNS / NS_GET_PARENT return a new fd. The kernel opens it with O_CLOEXEC itself
// (fs/nsfs.c open_related_ns -> get_unused_fd_flags(O_CLOEXEC)), so no fcntl is needed.
Napi::Value IoctlNewFd(const Napi::CallbackInfo& info, unsigned long request, const char* name) {
  const int fd = ArgInt32(info, 0, "fd");
  UniqueFd result(::ioctl(fd, request));
  if (result.get() == -1) {
    const int err = errno;
    ThrowSystemErrorFd(info.Env(), err, name, fd);
  }
  return OwnedFd::New(info.Env(), std::move(result));
}

Napi::Value NsGetUserns(const Napi::CallbackInfo& info) {
  return IoctlNewFd(info, NS_GET_USERNS, "ioctl(NS_GET_USERNS)");
}

Napi::Value NsGetParent(const Napi::CallbackInfo& info) {
  return IoctlNewFd(info, NS_GET_PARENT, "ioctl(NS_GET_PARENT)");
}

Napi::Value NsGetNstype(const Napi::CallbackInfo& info) {
  const int fd = ArgInt32(info, 0, "fd");
  const int type = ::ioctl(fd, NS_GET_NSTYPE);  // the CLONE_NEW* flag is the return value
  if (type == -1) {
    const int err = errno;
    ThrowSystemErrorFd(info.Env(), err, "ioctl(NS_GET_NSTYPE)", fd);
  }
  return Napi::Number::New(info.Env(), type);
}

Napi::Value NsGetOwnerUid(const Napi::CallbackInfo& info) {
  const int fd = ArgInt32(info, 0, "fd");
  uid_t uid = 0;  // out-parameter: the kernel put_user()s a uid_t
  if (::ioctl(fd, NS_GET_OWNER_UID, &uid) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(info.Env(), err, "ioctl(NS_GET_OWNER_UID)", fd);
  }
  return Napi::Number::New(info.Env(), uid);
}

Napi::Value NsGetId(const Napi::CallbackInfo& info) {
  const int fd = ArgInt32(info, 0, "fd");
  __u64 id = 0;  // out-parameter (_IOR(NSIO, 13, __u64))
  if (::ioctl(fd, NS_GET_ID, &id) == -1) {
    const int err = errno;
    ThrowSystemErrorFd(info.Env(), err, "ioctl(NS_GET_ID)", fd);
  }
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(id));
}

struct PidTranslation {
  unsigned long request;
  const char* syscall;
};

// Indexed by binding.ts PidTranslation (0..3).
constexpr PidTranslation kPidTranslations[] = {
    {NS_GET_PID_FROM_PIDNS, "ioctl(NS_GET_PID_FROM_PIDNS)"},
    {NS_GET_TGID_FROM_PIDNS, "ioctl(NS_GET_TGID_FROM_PIDNS)"},
    {NS_GET_PID_IN_PIDNS, "ioctl(NS_GET_PID_IN_PIDNS)"},
    {NS_GET_TGID_IN_PIDNS, "ioctl(NS_GET_TGID_IN_PIDNS)"},
};

Napi::Value NsTranslatePid(const Napi::CallbackInfo& info) {
  const int fd = ArgInt32(info, 0, "fd");
  const int32_t which = ArgInt32(info, 1, "which");
  const int32_t pid = ArgInt32(info, 2, "pid");
  if (which < 0 || which > 3) {
    // Only the four translation requests may be issued: an arbitrary index must never turn into
    // an arbitrary ioctl on an arbitrary fd.
    throw Napi::RangeError::New(info.Env(), "The \"which\" argument must be 0, 1, 2 or 3");
  }
  const PidTranslation& t = kPidTranslations[which];
  // Despite the _IOR encoding, the kernel takes the pid as the ioctl's argument *value* (not a
  // pointer) and returns the translated pid as the ioctl's return value (fs/nsfs.c ns_ioctl;
  // tools/testing/selftests/nsfs). Not found, or not visible there: ESRCH.
  const int result = ::ioctl(fd, t.request, static_cast<unsigned long>(pid));
  if (result == -1) {
    const int err = errno;
    ThrowSystemErrorFd(info.Env(), err, t.syscall, fd);
  }
  return Napi::Number::New(info.Env(), result);
}

}  // namespace

void RegisterNamespaceCalls(Napi::Env env, Napi::Object exports) {
  exports.Set("unshare", Napi::Function::New<Unshare>(env, "unshare"));
  exports.Set("setns", Napi::Function::New<Setns>(env, "setns"));
  exports.Set("openPath", Napi::Function::New<OpenPath>(env, "openPath"));
  exports.Set("openNamespacePath", Napi::Function::New<OpenNamespacePath>(env, "openNamespacePath"));
  exports.Set("openDirectoryPath", Napi::Function::New<OpenDirectoryPath>(env, "openDirectoryPath"));
  exports.Set("fileIdentity", Napi::Function::New<FileIdentity>(env, "fileIdentity"));
  exports.Set("nsGetUserns", Napi::Function::New<NsGetUserns>(env, "nsGetUserns"));
  exports.Set("nsGetParent", Napi::Function::New<NsGetParent>(env, "nsGetParent"));
  exports.Set("nsGetNstype", Napi::Function::New<NsGetNstype>(env, "nsGetNstype"));
  exports.Set("nsGetOwnerUid", Napi::Function::New<NsGetOwnerUid>(env, "nsGetOwnerUid"));
  exports.Set("nsGetId", Napi::Function::New<NsGetId>(env, "nsGetId"));
  exports.Set("nsTranslatePid", Napi::Function::New<NsTranslatePid>(env, "nsTranslatePid"));
}

}  // namespace nsbridge
