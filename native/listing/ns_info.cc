// namespaceInfo(paths): the nsfs ioctls for many namespaces in one call. For each path (one
// member's /proc/<pid>/ns/<kind>, or an nsfs bind mount), open it and ask:
//   NS_GET_USERNS -> owner user namespace (inode) and NS_GET_OWNER_UID of that owner,
//   NS_GET_PARENT -> parent, where wantParents[i] (pid and user namespaces; EPERM above ours: 0),
//   NS_GET_ID     -> the 64-bit id (6.18+; 0 where ENOTTY).
// A path that cannot be opened (the process exited) gets errno in `errors` and zeros elsewhere.
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "../kernel_compat.h"
#include "../owned_fd.h"
#include "../args.h"
#include "listing.h"
#include "parallel.h"

namespace nsbridge {

namespace {

uint64_t InodeOf(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

Napi::Value NamespaceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "namespaceInfo(paths: string[], wantParents: Uint8Array)");
  }
  // The paths first, element by element: the outputs are sized by what was read, never by a
  // (possibly sparse) array's length.
  const std::vector<std::string> list = ArgStringArray(info, 0, "paths");
  const size_t n = list.size();
  Napi::Uint8Array parentFlags = info[1].As<Napi::Uint8Array>();
  if (parentFlags.ElementLength() != n) throw Napi::RangeError::New(env, "namespaceInfo: one wantParents flag per path");
  const std::vector<uint8_t> wantParents(parentFlags.Data(), parentFlags.Data() + n);
  std::vector<uint64_t> owner(n, 0), parent(n, 0), id(n, 0);
  std::vector<uint32_t> ownerUid(n, UINT32_MAX);
  std::vector<int32_t> errors(n, 0);
  ParallelSlices(n, SlicesFor(n), [&](size_t begin, size_t end, size_t) {
    // Owners are few (mostly the initial user namespace): ask each one's uid once per slice.
    std::unordered_map<uint64_t, uint32_t> ownerUids;
    for (size_t i = begin; i < end; ++i) {
      UniqueFd fd(::open(list[i].c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.get() == -1) {
        errors[i] = errno;
        continue;
      }
      // The fds NS_GET_USERNS / NS_GET_PARENT return are O_CLOEXEC (fs/nsfs.c open_related_ns).
      UniqueFd user(::ioctl(fd.get(), NS_GET_USERNS));
      if (user.get() != -1) {
        owner[i] = InodeOf(user.get());
        auto known = ownerUids.find(owner[i]);
        if (known == ownerUids.end()) {
          uid_t uid = 0;
          known = ownerUids.emplace(owner[i], ::ioctl(user.get(), NS_GET_OWNER_UID, &uid) == 0 ? uid : UINT32_MAX).first;
        }
        ownerUid[i] = known->second;
      }
      if (wantParents[i]) {
        // Only pid and user namespaces have parents (EINVAL for the others, so the caller asks
        // only for those); EPERM means the parent is outside what we may see.
        UniqueFd up(::ioctl(fd.get(), NS_GET_PARENT));
        if (up.get() != -1) parent[i] = InodeOf(up.get());
      }
      __u64 nsid = 0;
      if (::ioctl(fd.get(), NS_GET_ID, &nsid) == 0) id[i] = nsid;
    }
  });
  Napi::Object result = Napi::Object::New(env);
  result.Set("owners", CopyUint64(env, owner));
  result.Set("ownerUids", CopyUint32(env, ownerUid));
  result.Set("parents", CopyUint64(env, parent));
  result.Set("ids", CopyUint64(env, id));
  result.Set("errors", CopyInt32(env, errors));
  return result;
}

}  // namespace

void RegisterNsInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("namespaceInfo", Napi::Function::New<NamespaceInfo>(env, "namespaceInfo"));
}

}  // namespace nsbridge
