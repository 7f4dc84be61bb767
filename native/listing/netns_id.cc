// netnsIds(paths): the id each network namespace has in the caller's own network namespace
// (what `ip netns set NAME ID` assigns and lsns shows as NETNSID), over rtnetlink: one
// RTM_GETNSID request per namespace, carrying an fd of it in NETNSA_FD; the kernel answers
// RTM_NEWNSID with NETNSA_NSID (NETNSA_NSID_NOT_ASSIGNED, -1, when it has none) or NLMSG_ERROR.
// One NETLINK_ROUTE socket (O_CLOEXEC) for all of them. A failing socket() throws; a path that
// cannot be opened or a request the kernel refuses is recorded in `errors` (positive errno).
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../args.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "listing.h"

// rtnetlink message types and the attributes of <linux/net_namespace.h> (Linux 4.0, NETNSA_FD
// 4.4), defined here: the attributes are an enum there, so a header cannot be tested for them.
#ifndef RTM_NEWNSID
#define RTM_NEWNSID 88
#endif
#ifndef RTM_GETNSID
#define RTM_GETNSID 90
#endif

namespace nsbridge {

namespace {

constexpr unsigned short kNetnsaNsid = 1;  // NETNSA_NSID: s32, the id (-1: not assigned)
constexpr unsigned short kNetnsaFd = 3;    // NETNSA_FD: u32, an fd of the namespace asked about

struct Request {
  struct nlmsghdr header;
  struct rtgenmsg message;
  char pad[NLMSG_ALIGN(sizeof(struct rtgenmsg)) - sizeof(struct rtgenmsg)];
  struct rtattr attr;
  int32_t fd;
};
static_assert(offsetof(Request, attr) == NLMSG_SPACE(sizeof(struct rtgenmsg)), "rtattr follows the aligned rtgenmsg");

// Sends one request and reads until the reply with its sequence number arrives. Returns 0 and
// sets *id, or a positive errno.
int AskNsid(int sock, int nsfd, uint32_t seq, int32_t* id) {
  Request req;
  std::memset(&req, 0, sizeof req);
  req.header.nlmsg_len = sizeof req;
  req.header.nlmsg_type = RTM_GETNSID;
  req.header.nlmsg_flags = NLM_F_REQUEST;
  req.header.nlmsg_seq = seq;
  req.message.rtgen_family = AF_UNSPEC;
  req.attr.rta_type = kNetnsaFd;
  req.attr.rta_len = RTA_LENGTH(sizeof(int32_t));
  req.fd = nsfd;
  struct sockaddr_nl kernel;
  std::memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (::sendto(sock, &req, sizeof req, 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof kernel) == -1) return errno;
  alignas(struct nlmsghdr) char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(sock, buf, sizeof buf, 0);
    if (n == -1) {
      if (errno == EINTR) continue;
      return errno;
    }
    size_t left = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<struct nlmsghdr*>(buf); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != seq) continue;  // a late answer to an earlier request
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return EPROTO;
        const int err = -static_cast<const struct nlmsgerr*>(NLMSG_DATA(h))->error;
        return err > 0 ? err : EPROTO;  // 0 would be an ACK, which was not asked for
      }
      if (h->nlmsg_type != RTM_NEWNSID || h->nlmsg_len < NLMSG_SPACE(sizeof(struct rtgenmsg))) return EPROTO;
      int attrs = static_cast<int>(h->nlmsg_len - NLMSG_SPACE(sizeof(struct rtgenmsg)));
      for (auto* a = reinterpret_cast<struct rtattr*>(reinterpret_cast<char*>(h) + NLMSG_SPACE(sizeof(struct rtgenmsg))); RTA_OK(a, attrs); a = RTA_NEXT(a, attrs)) {
        if (a->rta_type == kNetnsaNsid && RTA_PAYLOAD(a) >= sizeof(int32_t)) {
          std::memcpy(id, RTA_DATA(a), sizeof(int32_t));
          return 0;
        }
      }
      return EPROTO;  // a reply without NETNSA_NSID
    }
  }
}

// netnsIds(paths: string[]) -> { ids: Int32Array, errors: Int32Array }: per path, the id of that
// network namespace in ours (-1: none assigned); errors[i] is a positive errno where the path could
// not be opened or the kernel refused (ids[i] is then 0).
Napi::Value NetnsIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<std::string> list = ArgStringArray(info, 0, "paths");  // not sized by a sparse length
  const uint32_t n = static_cast<uint32_t>(list.size());
  std::vector<int32_t> ids(n, 0), errors(n, 0);
  if (n > 0) {
    UniqueFd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (sock.get() == -1) {
      const int err = errno;
      ThrowSystemError(env, err, "socket");
    }
    // rtnetlink answers a request before sendto() returns; the timeout only guards against a
    // reply that never comes (then EAGAIN for that namespace), so a listing cannot hang.
    const struct timeval timeout = {1, 0};
    if (::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == -1) {
      const int err = errno;
      ThrowSystemErrorFd(env, err, "setsockopt(SO_RCVTIMEO)", sock.get());
    }
    for (uint32_t i = 0; i < n; ++i) {
      UniqueFd ns(::open(list[i].c_str(), O_RDONLY | O_CLOEXEC));
      if (ns.get() == -1) {
        errors[i] = errno;
        continue;
      }
      errors[i] = AskNsid(sock.get(), ns.get(), i + 1, &ids[i]);
      if (errors[i] != 0) ids[i] = 0;
    }
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("ids", CopyInt32(env, ids));
  result.Set("errors", CopyInt32(env, errors));
  return result;
}

}  // namespace

void RegisterNetnsId(Napi::Env env, Napi::Object exports) {
  exports.Set("netnsIds", Napi::Function::New<NetnsIds>(env, "netnsIds"));
}

}  // namespace nsbridge
