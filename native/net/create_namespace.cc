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

struct Request {
  uint32_t flag;
  uint32_t propagation;
  bool loopback;
  const NamespaceKindInfo* kind;
};

Request CheckRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Request r{ArgUint32(info, 0, "flag"), ArgUint32(info, 1, "propagation"), ArgBool(info, 2, "loopback"), nullptr};
  r.kind = KindOfFlag(r.flag);
  if (r.kind == nullptr) throw Napi::RangeError::New(env, "flag must be one CLONE_NEW* flag");
  if (r.propagation != 0 && r.flag != CLONE_NEWNS) throw Napi::RangeError::New(env, "propagation applies to CLONE_NEWNS only");
  if (r.loopback && r.flag != CLONE_NEWNET) throw Napi::RangeError::New(env, "loopback applies to CLONE_NEWNET only");
  return r;
}

/** The work, on a thread of its own (never the caller's): the caller's namespaces stay as they are. */
ThreadOutcome Create(const Request& r, UniqueFd* fd) {
  const uint32_t flag = r.flag, propagation = r.propagation;
  const bool loopback = r.loopback;
  const NamespaceKindInfo* kind = r.kind;
  return RunOnNamespaceThread(-1, 0, [&]() -> ThreadOutcome {
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
    *fd = UniqueFd(::open(path, O_RDONLY | O_CLOEXEC));
    if (fd->get() < 0) return {errno, "open(/proc/thread-self/ns)"};
    return {};
  });
}

Napi::Value CreateNamespace(const Napi::CallbackInfo& info) {
  const Request r = CheckRequest(info);
  UniqueFd fd;
  const ThreadOutcome outcome = Create(r, &fd);
  if (outcome.err != 0) ThrowSystemError(info.Env(), outcome.err, outcome.syscall);
  return OwnedFd::New(info.Env(), std::move(fd));
}

/**
 * createNamespaceAsync: the same on libuv's pool, so several namespaces can be made at once (the
 * kernel sets up network namespaces in parallel). The pool thread only waits for the thread of
 * its own that does the work: no pool thread ever changes namespace.
 */
class CreateWorker : public Napi::AsyncWorker {
 public:
  CreateWorker(Napi::Env env, const Request& r) : Napi::AsyncWorker(env, "nsbridge.createNamespace"), request_(r), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { outcome_ = Create(request_, &fd_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (outcome_.err != 0) {
      deferred_.Reject(MakeSystemError(env, outcome_.err, outcome_.syscall).Value());
      return;
    }
    deferred_.Resolve(OwnedFd::New(env, std::move(fd_)));
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Request request_;
  Napi::Promise::Deferred deferred_;
  ThreadOutcome outcome_;
  UniqueFd fd_;  // closed by its destructor if the promise is never resolved with it
};

Napi::Value CreateNamespaceAsync(const Napi::CallbackInfo& info) {
  const Request r = CheckRequest(info);
  auto* worker = new CreateWorker(info.Env(), r);  // deleted by Node-API once done
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void RegisterCreateNamespace(Napi::Env env, Napi::Object exports) {
  exports.Set("createNamespace", Napi::Function::New<CreateNamespace>(env, "createNamespace"));
  exports.Set("createNamespaceAsync", Napi::Function::New<CreateNamespaceAsync>(env, "createNamespaceAsync"));
}

}  // namespace nsbridge::net
