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
  // The /proc/<pid>/ns file naming the namespace a child of <pid> starts in: after unshare of a
  // pid or time namespace the caller itself stays where it was (pid_for_children, time_for_children).
  const char* child_file;
};

// constexpr at namespace scope: internal linkage, so the clone-to-exec code reads it directly (no GOT).
constexpr NamespaceKindInfo kNamespaceKinds[] = {
    {CLONE_NEWUSER, "user", PIDFD_GET_USER_NAMESPACE, "user"},
    {CLONE_NEWCGROUP, "cgroup", PIDFD_GET_CGROUP_NAMESPACE, "cgroup"},
    {CLONE_NEWIPC, "ipc", PIDFD_GET_IPC_NAMESPACE, "ipc"},
    {CLONE_NEWNS, "mnt", PIDFD_GET_MNT_NAMESPACE, "mnt"},
    {CLONE_NEWNET, "net", PIDFD_GET_NET_NAMESPACE, "net"},
    {CLONE_NEWPID, "pid", PIDFD_GET_PID_NAMESPACE, "pid_for_children"},
    {CLONE_NEWTIME, "time", PIDFD_GET_TIME_NAMESPACE, "time_for_children"},
    {CLONE_NEWUTS, "uts", PIDFD_GET_UTS_NAMESPACE, "uts"},
};

}  // namespace nsbridge
