// rtnetlink transport: a NETLINK_ROUTE socket opened inside a network namespace, and one request
// / reply exchange on it. The messages themselves are built and parsed in TypeScript
// (src/net/netlink/): this file knows only the framing (struct nlmsghdr) it needs to tell when a
// reply is complete.
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <vector>

#include "../args.h"
#include "../calls.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "namespace_thread.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10  // 4.3
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11  // 4.12
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12  // 4.20
#endif

namespace nsbridge::net {

namespace {

// A reply that never comes would block the JavaScript thread: every request asks for one (ACK or
// DUMP, checked below), and this bounds the wait if the kernel still sends none.
constexpr time_t kReplyTimeoutSeconds = 30;

/**
 * rtnetlinkOpen(nsFd): the socket is created by a thread inside the namespace (a netlink socket
 * belongs to the network namespace it was created in, for life; the requests can then be sent from
 * any thread). nsFd -1: this thread's own namespace. Options: extended acks (the kernel's
 * reason text and the offending attribute), capped acks (an error does not echo the request), and
 * strict checking of dump requests.
 */
Napi::Value RtnetlinkOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int ns_fd = ArgInt32(info, 0, "nsFd");
  UniqueFd sock;
  auto open = [&]() -> ThreadOutcome {
    sock = UniqueFd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (sock.get() < 0) return {errno, "socket"};
    return {};
  };
  const ThreadOutcome outcome = ns_fd < 0 ? open() : RunOnNamespaceThread(ns_fd, CLONE_NEWNET, open);
  if (outcome.err != 0) {
    if (std::strcmp(outcome.syscall, "setns") == 0) ThrowSystemErrorFd(env, outcome.err, "setns", ns_fd);
    ThrowSystemError(env, outcome.err, outcome.syscall);
  }
  const int one = 1;
  if (::setsockopt(sock.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one) != 0) ThrowSystemError(env, errno, "setsockopt(NETLINK_EXT_ACK)");
  if (::setsockopt(sock.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one) != 0) ThrowSystemError(env, errno, "setsockopt(NETLINK_CAP_ACK)");
  // Older kernels lack it (ENOPROTOOPT): dumps are then filtered less strictly, nothing else.
  if (::setsockopt(sock.get(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) != 0 && errno != ENOPROTOOPT) {
    ThrowSystemError(env, errno, "setsockopt(NETLINK_GET_STRICT_CHK)");
  }
  const timeval timeout = {kReplyTimeoutSeconds, 0};
  if (::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) ThrowSystemError(env, errno, "setsockopt(SO_RCVTIMEO)");
  sockaddr_nl local = {};
  local.nl_family = AF_NETLINK;
  if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) ThrowSystemError(env, errno, "bind");
  return OwnedFd::New(env, std::move(sock));
}

/**
 * netlinkRequest(fd, request): sends the request (one or more netlink messages, each with
 * NLM_F_REQUEST and NLM_F_ACK or NLM_F_DUMP) to the kernel and returns every message of the
 * reply, concatenated: it is complete when each request message got its NLMSG_ERROR (an ack is
 * one with error 0) or NLMSG_DONE. Messages of other sequence numbers are dropped.
 */
Napi::Value NetlinkRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = ArgInt32(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "request must be a Uint8Array");
  }
  Napi::Uint8Array request = info[1].As<Napi::Uint8Array>();
  const uint8_t* data = request.Data();
  const size_t length = request.ByteLength();
  std::set<uint32_t> waiting;
  for (size_t at = 0; at < length;) {
    nlmsghdr header;
    if (length - at < sizeof header) throw Napi::RangeError::New(env, "request ends inside a netlink message header");
    std::memcpy(&header, data + at, sizeof header);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > length - at) throw Napi::RangeError::New(env, "request has a netlink message of a wrong length");
    if ((header.nlmsg_flags & NLM_F_REQUEST) == 0 || (header.nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)) == 0) {
      throw Napi::RangeError::New(env, "each request message needs NLM_F_REQUEST and NLM_F_ACK or NLM_F_DUMP (else no reply would come)");
    }
    if (!waiting.insert(header.nlmsg_seq).second) throw Napi::RangeError::New(env, "request messages need distinct sequence numbers");
    at += NLMSG_ALIGN(header.nlmsg_len);
  }
  if (waiting.empty()) throw Napi::RangeError::New(env, "request is empty");

  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do sent = ::sendto(fd, data, length, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) ThrowSystemErrorFd(env, errno, "sendto", fd);

  std::vector<uint8_t> reply;
  std::vector<uint8_t> buffer(32768);
  while (!waiting.empty()) {
    // The size of the next datagram first (MSG_TRUNC reports its full length), so no part of a
    // large dump is cut off.
    ssize_t size;
    do size = ::recv(fd, buffer.data(), 0, MSG_PEEK | MSG_TRUNC);
    while (size < 0 && errno == EINTR);
    if (size < 0) ThrowSystemErrorFd(env, errno, "recv", fd);
    if (static_cast<size_t>(size) > buffer.size()) buffer.resize(static_cast<size_t>(size));
    sockaddr_nl from = {};
    iovec iov = {buffer.data(), buffer.size()};
    msghdr msg = {};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n;
    do n = ::recvmsg(fd, &msg, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) ThrowSystemErrorFd(env, errno, "recvmsg", fd);
    if (from.nl_pid != 0) continue;  // only the kernel answers a request
    for (size_t at = 0; at + sizeof(nlmsghdr) <= static_cast<size_t>(n);) {
      nlmsghdr header;
      std::memcpy(&header, buffer.data() + at, sizeof header);
      if (header.nlmsg_len < sizeof header || header.nlmsg_len > static_cast<size_t>(n) - at) break;
      if (waiting.count(header.nlmsg_seq) != 0) {
        reply.insert(reply.end(), buffer.data() + at, buffer.data() + at + header.nlmsg_len);
        // Keep the reply's messages aligned as the kernel sent them.
        reply.resize(NLMSG_ALIGN(reply.size()), 0);
        if (header.nlmsg_type == NLMSG_ERROR || header.nlmsg_type == NLMSG_DONE) waiting.erase(header.nlmsg_seq);
      }
      at += NLMSG_ALIGN(header.nlmsg_len);
    }
  }
  return Napi::Buffer<uint8_t>::Copy(env, reply.data(), reply.size());
}

}  // namespace

void RegisterRtnetlink(Napi::Env env, Napi::Object exports) {
  exports.Set("rtnetlinkOpen", Napi::Function::New<RtnetlinkOpen>(env, "rtnetlinkOpen"));
  exports.Set("netlinkRequest", Napi::Function::New<NetlinkRequest>(env, "netlinkRequest"));
}

}  // namespace nsbridge::net
