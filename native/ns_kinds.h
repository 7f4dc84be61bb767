// The namespace kinds as the native side needs them: flag, name (as in src/kinds.ts, the table
// every TypeScript layer uses), and the pidfs ioctl that opens a process's namespace of the kind.
// User comes first: creating or joining it first grants the capabilities for the others (and
// makes it their owner), so code that goes kind by kind walks this table in order.
#pragma once

#include <stdint.h>

#include "kernel_compat.h"

namespace nsbridge {

struct NamespaceKindInfo {
  uint32_t flag;
  const char* name;
  unsigned long pidfd_ioctl;
};

// constexpr at namespace scope: internal linkage, so the clone-to-exec code reads it directly (no GOT).
constexpr NamespaceKindInfo kNamespaceKinds[] = {
    {CLONE_NEWUSER, "user", PIDFD_GET_USER_NAMESPACE},
    {CLONE_NEWCGROUP, "cgroup", PIDFD_GET_CGROUP_NAMESPACE},
    {CLONE_NEWIPC, "ipc", PIDFD_GET_IPC_NAMESPACE},
    {CLONE_NEWNS, "mnt", PIDFD_GET_MNT_NAMESPACE},
    {CLONE_NEWNET, "net", PIDFD_GET_NET_NAMESPACE},
    {CLONE_NEWPID, "pid", PIDFD_GET_PID_NAMESPACE},
    {CLONE_NEWTIME, "time", PIDFD_GET_TIME_NAMESPACE},
    {CLONE_NEWUTS, "uts", PIDFD_GET_UTS_NAMESPACE},
};

}  // namespace nsbridge
