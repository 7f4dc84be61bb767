// socketIn(nsFd, domain, type, reuseAddress, v6Only, address, peer): a socket of another network
// namespace. A socket belongs to the network namespace of the thread that called socket(2)
// (sock_create uses current->nsproxy->net_ns) and keeps it for life: bind, listen, connect and
// every send later act there whichever thread makes them. So a native thread joins the
// namespace, creates (and, when asked, binds) the socket and ends; the JavaScript thread hands the
// fd to Node's own net.Server / net.Socket / dgram and never changes namespace itself. For AF_UNIX
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

#include "../args.h"
#include "../calls.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "namespace_thread.h"

namespace nsbridge::net {

namespace {

/** The type bits socketIn accepts (SOCK_NONBLOCK and SOCK_CLOEXEC are always added). */
bool KnownType(uint32_t type) { return type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET; }

Napi::Value SocketIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int ns_fd = ArgInt32(info, 0, "nsFd");
  const uint32_t domain = ArgUint32(info, 1, "domain");
  const uint32_t type = ArgUint32(info, 2, "type");
  const bool reuse_address = ArgBool(info, 3, "reuseAddress");
  const bool v6_only = ArgBool(info, 4, "v6Only");
  if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX) throw Napi::RangeError::New(env, "domain must be AF_INET, AF_INET6 or AF_UNIX");
  if (!KnownType(type)) throw Napi::RangeError::New(env, "type must be SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET");
  if (v6_only && domain != AF_INET6) throw Napi::RangeError::New(env, "v6Only applies to AF_INET6 only");
  // The address to bind to, as a struct sockaddr the TypeScript layer encoded; null: unbound.
  sockaddr_storage address = {};
  socklen_t address_length = 0;
  if (info.Length() > 5 && !info[5].IsNull() && !info[5].IsUndefined()) {
    if (!info[5].IsTypedArray() || info[5].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "address must be a Uint8Array or null");
    Napi::Uint8Array bytes = info[5].As<Napi::Uint8Array>();
    if (bytes.ByteLength() < sizeof(sa_family_t) || bytes.ByteLength() > sizeof address) throw Napi::RangeError::New(env, "address must hold one struct sockaddr");
    std::memcpy(&address, bytes.Data(), bytes.ByteLength());
    address_length = static_cast<socklen_t>(bytes.ByteLength());
    if (address.ss_family != domain) throw Napi::RangeError::New(env, "address family must be the socket's domain");
  }
  // The address to connect to (AF_UNIX only: such a connect completes at once or fails), or null.
  sockaddr_storage peer = {};
  socklen_t peer_length = 0;
  if (info.Length() > 6 && !info[6].IsNull() && !info[6].IsUndefined()) {
    if (!info[6].IsTypedArray() || info[6].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "peer must be a Uint8Array or null");
    Napi::Uint8Array bytes = info[6].As<Napi::Uint8Array>();
    if (bytes.ByteLength() < sizeof(sa_family_t) || bytes.ByteLength() > sizeof peer) throw Napi::RangeError::New(env, "peer must hold one struct sockaddr");
    std::memcpy(&peer, bytes.Data(), bytes.ByteLength());
    peer_length = static_cast<socklen_t>(bytes.ByteLength());
    if (peer.ss_family != AF_UNIX || domain != AF_UNIX) throw Napi::RangeError::New(env, "peer applies to AF_UNIX sockets only");
  }
  if (ns_fd < -1) throw Napi::RangeError::New(env, "nsFd must be an fd or -1 (this thread's namespace)");

  UniqueFd fd;
  const ThreadOutcome outcome = RunOnNamespaceThread(ns_fd, CLONE_NEWNET, [&]() -> ThreadOutcome {
    // Non-blocking from the start, as libuv wants the sockets it is given.
    fd = UniqueFd(::socket(static_cast<int>(domain), static_cast<int>(type) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return {errno, "socket"};
    const int one = 1;
    // Node's own listen() sets SO_REUSEADDR before bind (libuv's uv__tcp_bind): do the same,
    // so a restarted server can bind while old connections sit in TIME_WAIT.
    if (reuse_address && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return {errno, "setsockopt(SO_REUSEADDR)"};
    if (v6_only && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) return {errno, "setsockopt(IPV6_V6ONLY)"};
    if (address_length != 0 && ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), address_length) != 0) return {errno, "bind"};
    // A Unix connect never waits on a non-blocking socket: it is made or refused (EAGAIN when the
    // listener's backlog is full), and the name is the exact bytes given (abstract names included).
    if (peer_length != 0 && ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&peer), peer_length) != 0) return {errno, "connect"};
    return {};
  });
  if (outcome.err != 0) ThrowSystemError(env, outcome.err, outcome.syscall);
  return Napi::Number::New(env, fd.release());
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
  exports.Set("socketIn", Napi::Function::New<SocketIn>(env, "socketIn"));
  exports.Set("socketNamespace", Napi::Function::New<SocketNamespace>(env, "socketNamespace"));
}

}  // namespace nsbridge::net
