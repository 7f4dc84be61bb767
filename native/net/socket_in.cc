// socketsIn(nsFd, domain, type, count) and setUpSocket(fd, …): sockets of another network
// namespace. A socket belongs to the network namespace of the thread that called socket(2)
// (sock_create uses current->nsproxy->net_ns) and keeps it for life: bind, listen, connect and
// every send later act there whichever thread makes them. So a native thread joins the
// namespace, creates a batch of sockets and ends; the JavaScript thread binds one (setUpSocket),
// hands the fd to Node's own net.Server / net.Socket / dgram and never changes namespace itself. For AF_UNIX
// the namespace matters for abstract addresses (they are per network namespace); path names are
// the mount namespace's business.
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "../args.h"
#include "../calls.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "namespace_thread.h"

namespace nsbridge::net {

namespace {

/** The type bits socketsIn accepts (SOCK_NONBLOCK and SOCK_CLOEXEC are always added). */
bool KnownType(uint32_t type) { return type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET; }

/** The most sockets one socketsIn call makes: a batch, not a way to exhaust the fd table. */
constexpr uint32_t kMaxBatch = 64;

/**
 * socketsIn(nsFd, domain, type, count): `count` unbound sockets of the network namespace behind
 * nsFd (-1: the calling thread's), non-blocking and close-on-exec, as an array of raw fds the
 * caller owns. Only socket(2) has to happen inside: it is what ties a socket to a namespace.
 */
Napi::Value SocketsIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int ns_fd = ArgInt32(info, 0, "nsFd");
  const uint32_t domain = ArgUint32(info, 1, "domain");
  const uint32_t type = ArgUint32(info, 2, "type");
  const uint32_t count = ArgUint32(info, 3, "count");
  if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX) throw Napi::RangeError::New(env, "domain must be AF_INET, AF_INET6 or AF_UNIX");
  if (!KnownType(type)) throw Napi::RangeError::New(env, "type must be SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET");
  if (count < 1 || count > kMaxBatch) throw Napi::RangeError::New(env, "count must be from 1 to 64");
  if (ns_fd < -1) throw Napi::RangeError::New(env, "nsFd must be an fd or -1 (this thread's namespace)");

  std::vector<UniqueFd> made;
  made.reserve(count);
  const auto make = [&]() -> ThreadOutcome {
    for (uint32_t i = 0; i < count; i++) {
      // Non-blocking from the start, as libuv wants the sockets it is given.
      UniqueFd fd(::socket(static_cast<int>(domain), static_cast<int>(type) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (fd.get() < 0) return {errno, "socket"};
      made.push_back(std::move(fd));
    }
    return {};
  };
  // -1: the calling thread's own namespace, where the sockets can be made at once, without a
  // thread (the JavaScript thread never changes namespace, so this is the process's).
  const ThreadOutcome outcome = ns_fd == -1 ? make() : RunOnNamespaceThread(ns_fd, CLONE_NEWNET, make);
  if (outcome.err != 0) ThrowSystemError(env, outcome.err, outcome.syscall);  // `made` closes what was made
  Napi::Array fds = Napi::Array::New(env, made.size());
  for (uint32_t i = 0; i < made.size(); i++) fds.Set(i, Napi::Number::New(env, made[i].release()));
  return fds;
}

/** A struct sockaddr from JS bytes (null / undefined: none); length 0 when none. */
socklen_t ArgSockaddr(const Napi::CallbackInfo& info, size_t index, const char* name, sockaddr_storage* out) {
  Napi::Env env = info.Env();
  *out = {};
  if (info.Length() <= index || info[index].IsNull() || info[index].IsUndefined()) return 0;
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, std::string(name) + " must be a Uint8Array or null");
  Napi::Uint8Array bytes = info[index].As<Napi::Uint8Array>();
  if (bytes.ByteLength() < sizeof(sa_family_t) || bytes.ByteLength() > sizeof *out) throw Napi::RangeError::New(env, std::string(name) + " must hold one struct sockaddr");
  std::memcpy(out, bytes.Data(), bytes.ByteLength());
  return static_cast<socklen_t>(bytes.ByteLength());
}

/**
 * setUpSocket(fd, reuseAddress, v6Only, address, peer): SO_REUSEADDR / IPV6_V6ONLY when asked,
 * bind to `address` and (AF_UNIX) connect to `peer` unless null — on the calling thread: these act
 * in the socket's own namespace (sock_net), whichever thread makes them.
 */
Napi::Value SetUpSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = ArgInt32(info, 0, "fd");
  const bool reuse_address = ArgBool(info, 1, "reuseAddress");
  const bool v6_only = ArgBool(info, 2, "v6Only");
  sockaddr_storage address, peer;
  const socklen_t address_length = ArgSockaddr(info, 3, "address", &address);
  const socklen_t peer_length = ArgSockaddr(info, 4, "peer", &peer);
  if (peer_length != 0 && peer.ss_family != AF_UNIX) throw Napi::RangeError::New(env, "peer must be an AF_UNIX address (an AF_INET connect is Node's, non-blocking)");
  const int one = 1;
  // Node's own listen() sets SO_REUSEADDR before bind (libuv's uv__tcp_bind): do the same,
  // so a restarted server can bind while old connections sit in TIME_WAIT.
  if (reuse_address && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) ThrowSystemErrorFd(env, errno, "setsockopt(SO_REUSEADDR)", fd);
  if (v6_only && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ThrowSystemErrorFd(env, errno, "setsockopt(IPV6_V6ONLY)", fd);
  if (address_length != 0 && ::bind(fd, reinterpret_cast<const sockaddr*>(&address), address_length) != 0) ThrowSystemErrorFd(env, errno, "bind", fd);
  // A Unix connect never waits on a non-blocking socket: it is made or refused (EAGAIN when the
  // listener's backlog is full), and the name is the exact bytes given (abstract names included).
  if (peer_length != 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&peer), peer_length) != 0) ThrowSystemErrorFd(env, errno, "connect", fd);
  return env.Undefined();
}

// SIOCGSKNS (linux/sockios.h, kernel 4.9): an nsfs fd of the network namespace a socket belongs to.
#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif

/** socketNamespace(fd): the network namespace of socket fd, as an OwnedFd (O_CLOEXEC by the kernel). */
Napi::Value SocketNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = ArgInt32(info, 0, "fd");
  const int ns = ::ioctl(fd, SIOCGSKNS);
  if (ns < 0) ThrowSystemErrorFd(env, errno, "ioctl(SIOCGSKNS)", fd);
  return OwnedFd::New(env, UniqueFd(ns));
}

}  // namespace

void RegisterSocketIn(Napi::Env env, Napi::Object exports) {
  exports.Set("socketsIn", Napi::Function::New<SocketsIn>(env, "socketsIn"));
  exports.Set("setUpSocket", Napi::Function::New<SetUpSocket>(env, "setUpSocket"));
  exports.Set("socketNamespace", Napi::Function::New<SocketNamespace>(env, "socketNamespace"));
}

}  // namespace nsbridge::net
