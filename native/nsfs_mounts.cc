// Namespace files kept by name: iproute2's recipe (ip/ipnetns.c netns_add / netns_delete), one
// system call per function. The names, directories and checks are src/names.ts's business.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "args.h"
#include "calls.h"
#include "owned_fd.h"
#include "system_error.h"

namespace nsbridge {

namespace {

/** mount --bind /proc/self/fd/<fd> <target>: the nsfs file behind an open namespace fd. */
void BindNamespaceFile(const Napi::CallbackInfo& info) {
  const int fd = ArgInt32(info, 0, "fd");
  const std::string target = ArgCString(info, 1, "target");
  char source[48];
  snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
  if (::mount(source, target.c_str(), nullptr, MS_BIND, nullptr) != 0) ThrowSystemErrorPath(info.Env(), errno, "mount", target);
}

/**
 * Makes `dir` a shared mount of its own (iproute2: "Make it possible for network namespace mounts
 * to propagate between mount namespaces"): MS_SHARED | MS_REC, and where `dir` is not a mount
 * point yet (EINVAL) it is first bound onto itself. Returns whether that bind was made.
 */
Napi::Value MakeSharedMountPoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string dir = ArgCString(info, 0, "dir");
  bool bound = false;
  while (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    const int err = errno;
    if (err != EINVAL || bound) ThrowSystemErrorPath(env, err, "mount", dir);
    if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) ThrowSystemErrorPath(env, errno, "mount", dir);
    bound = true;
  }
  return Napi::Boolean::New(env, bound);
}

/** umount2(path, flags | UMOUNT_NOFOLLOW): a symlink at the path is never followed. */
void Unmount(const Napi::CallbackInfo& info) {
  const std::string path = ArgCString(info, 0, "path");
  const int flags = static_cast<int>(ArgUint32(info, 1, "flags"));
  if (::umount2(path.c_str(), flags | UMOUNT_NOFOLLOW) != 0) ThrowSystemErrorPath(info.Env(), errno, "umount2", path);
}

/**
 * f_type of the file system of `path` itself (O_PATH | O_NOFOLLOW: a symlink such as
 * /proc/self/ns/net is proc's, not the nsfs file it points to). Only a bind mount of a namespace
 * file reports NSFS_MAGIC for a name: nsfs cannot be mounted any other way.
 */
Napi::Value FileSystemType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = ArgCString(info, 0, "path");
  UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) ThrowSystemErrorPath(env, errno, "open", path);
  struct statfs fs;
  if (::fstatfs(fd.get(), &fs) != 0) ThrowSystemErrorPath(env, errno, "fstatfs", path);
  return Napi::Number::New(env, static_cast<double>(static_cast<unsigned long>(fs.f_type)));
}

}  // namespace

void RegisterNsfsMounts(Napi::Env env, Napi::Object exports) {
  exports.Set("bindNamespaceFile", Napi::Function::New<BindNamespaceFile>(env, "bindNamespaceFile"));
  exports.Set("makeSharedMountPoint", Napi::Function::New<MakeSharedMountPoint>(env, "makeSharedMountPoint"));
  exports.Set("unmount", Napi::Function::New<Unmount>(env, "unmount"));
  exports.Set("fileSystemType", Napi::Function::New<FileSystemType>(env, "fileSystemType"));
}

}  // namespace nsbridge
