// createNamespace(flag, propagation, loopback): a namespace without a process. A native thread
// unshares it, opens its nsfs file and ends; the fd keeps the namespace alive. One system call
// sequence, no policy: which kinds, and the user namespace (which a thread of a multithreaded
// process cannot unshare - EINVAL) and the pid namespace (whose nsfs file cannot be opened before
// its init exists), are the TypeScript layer's business (src/net/create.ts).
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../args.h"
#include "../calls.h"
#include "../ns_kinds.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "namespace_thread.h"

namespace nsbridge::net {

namespace {

/**
 * IFF_UP on lo of the calling thread's network namespace. The kernel then gives lo 127.0.0.1/8
 * (inetdev_event at NETDEV_UP) and ::1 (addrconf's init_loopback) by itself.
 */
ThreadOutcome BringLoopbackUp() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) return {errno, "socket"};
  struct ifreq req = {};
  snprintf(req.ifr_name, sizeof req.ifr_name, "lo");
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return {errno, "ioctl(SIOCGIFFLAGS)"};
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) return {errno, "ioctl(SIOCSIFFLAGS)"};
  return {};
}

const NamespaceKindInfo* KindOfFlag(uint32_t flag) {
  for (const NamespaceKindInfo& k : kNamespaceKinds) {
    if (k.flag == flag) return &k;
  }
  return nullptr;
}

Napi::Value CreateNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t flag = ArgUint32(info, 0, "flag");
  const uint32_t propagation = ArgUint32(info, 1, "propagation");
  const bool loopback = ArgBool(info, 2, "loopback");
  const NamespaceKindInfo* kind = KindOfFlag(flag);
  if (kind == nullptr) throw Napi::RangeError::New(env, "flag must be one CLONE_NEW* flag");
  if (propagation != 0 && flag != CLONE_NEWNS) throw Napi::RangeError::New(env, "propagation applies to CLONE_NEWNS only");
  if (loopback && flag != CLONE_NEWNET) throw Napi::RangeError::New(env, "loopback applies to CLONE_NEWNET only");

  UniqueFd fd;
  const ThreadOutcome outcome = RunOnNamespaceThread(-1, 0, [&]() -> ThreadOutcome {
    if (::unshare(static_cast<int>(flag)) != 0) return {errno, "unshare"};
    // A new mount namespace's mounts keep the parent's propagation; like spawn's, it gets the
    // asked one (private by default) before anyone can mount in it.
    if (propagation != 0 && ::mount(nullptr, "/", nullptr, propagation, nullptr) != 0) return {errno, "mount"};
    if (loopback) {
      const ThreadOutcome up = BringLoopbackUp();
      if (up.err != 0) return up;
    }
    // pid and time: unshare changed only what this thread's children get (*_for_children).
    char path[64];
    snprintf(path, sizeof path, "/proc/thread-self/ns/%s", kind->child_file);
    fd = UniqueFd(::open(path, O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return {errno, "open(/proc/thread-self/ns)"};
    return {};
  });
  if (outcome.err != 0) ThrowSystemError(env, outcome.err, outcome.syscall);
  return OwnedFd::New(env, std::move(fd));
}

}  // namespace

void RegisterCreateNamespace(Napi::Env env, Napi::Object exports) {
  exports.Set("createNamespace", Napi::Function::New<CreateNamespace>(env, "createNamespace"));
}

}  // namespace nsbridge::net
