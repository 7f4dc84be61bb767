// The namespace kinds as the native side needs them: flag, name (as in src/kinds.ts, the table
// every TypeScript layer uses), and the pidfs ioctl that opens a process's namespace of the kind.
// The two tables must agree: test/kinds-table.test.ts compares them (the addon's nsKinds()).
// User comes first: creating or joining it first grants the capabilities for the others (and
// makes it their owner), so code that goes kind by kind walks this table in order.
#pragma once

#include <stdint.h>

#include "kernel_compat.h"

namespace nsbridge {

struct NamespaceKindInfo {
  uint32_t flag;
  const char* flag_name;  // the flag's C name, as src/kinds.ts flagName
  const char* name;
  unsigned long pidfd_ioctl;
  // The /proc/<pid>/ns file naming the namespace a child of <pid> starts in: after unshare of a
  // pid or time namespace the caller itself stays where it was (pid_for_children, time_for_children).
  const char* child_file;
};

// constexpr at namespace scope: internal linkage, so the clone-to-exec code reads it directly (no GOT).
// NSBRIDGE_KIND spells each flag once: its C name is the macro argument itself (#flag).
#define NSBRIDGE_KIND(flag, name, pidfd_ioctl, child_file) {flag, #flag, name, pidfd_ioctl, child_file}
constexpr NamespaceKindInfo kNamespaceKinds[] = {
    NSBRIDGE_KIND(CLONE_NEWUSER, "user", PIDFD_GET_USER_NAMESPACE, "user"),
    NSBRIDGE_KIND(CLONE_NEWCGROUP, "cgroup", PIDFD_GET_CGROUP_NAMESPACE, "cgroup"),
    NSBRIDGE_KIND(CLONE_NEWIPC, "ipc", PIDFD_GET_IPC_NAMESPACE, "ipc"),
    NSBRIDGE_KIND(CLONE_NEWNS, "mnt", PIDFD_GET_MNT_NAMESPACE, "mnt"),
    NSBRIDGE_KIND(CLONE_NEWNET, "net", PIDFD_GET_NET_NAMESPACE, "net"),
    NSBRIDGE_KIND(CLONE_NEWPID, "pid", PIDFD_GET_PID_NAMESPACE, "pid_for_children"),
    NSBRIDGE_KIND(CLONE_NEWTIME, "time", PIDFD_GET_TIME_NAMESPACE, "time_for_children"),
    NSBRIDGE_KIND(CLONE_NEWUTS, "uts", PIDFD_GET_UTS_NAMESPACE, "uts"),
};
#undef NSBRIDGE_KIND

}  // namespace nsbridge
