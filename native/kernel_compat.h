// Kernel ABI newer than the build machine's headers.
//
// Everything here is a fixed part of the kernel's user ABI, defined locally so the addon builds
// against old headers (Debian 12 ships 6.1 uapi headers) and runs on new kernels. Nothing is
// assumed at compile time: each caller gets ENOSYS / EINVAL / ENOTTY at run time where the
// running kernel lacks the feature, and turns that into a JS error.
//
// Rules for this file:
// - every constant is guarded with #ifndef, so a newer header wins (same value);
// - structs get nsbridge_ names, never the kernel's, so a newer libc/uapi header that defines
//   `struct clone_args` / `struct pidfd_info` cannot clash with them;
// - <linux/sched.h> and <linux/pidfd.h> are NOT included: with glibc's <sched.h>/<sys/pidfd.h>
//   they redefine CLONE_* / PIDFD_* (and, in newer versions, the structs above).
#pragma once

#include <linux/ioctl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/types.h>

#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>

// ---- nsfs ioctls (on /proc/<pid>/ns/* fds) ------------------------------------------------
#ifndef NSIO
#define NSIO 0xb7
#endif
#ifndef NS_GET_USERNS
#define NS_GET_USERNS _IO(NSIO, 0x1)  // 4.9
#endif
#ifndef NS_GET_PARENT
#define NS_GET_PARENT _IO(NSIO, 0x2)  // 4.9
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(NSIO, 0x3)  // 4.11
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID _IO(NSIO, 0x4)  // 4.11
#endif
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(NSIO, 0x5, __u64)  // 6.8 (as _IO until 6.10; _IOR since)
#endif
#ifndef NS_GET_PID_FROM_PIDNS
#define NS_GET_PID_FROM_PIDNS _IOR(NSIO, 0x6, int)  // 6.9
#endif
#ifndef NS_GET_TGID_FROM_PIDNS
#define NS_GET_TGID_FROM_PIDNS _IOR(NSIO, 0x7, int)  // 6.9
#endif
#ifndef NS_GET_PID_IN_PIDNS
#define NS_GET_PID_IN_PIDNS _IOR(NSIO, 0x8, int)  // 6.9
#endif
#ifndef NS_GET_TGID_IN_PIDNS
#define NS_GET_TGID_IN_PIDNS _IOR(NSIO, 0x9, int)  // 6.9
#endif
#ifndef NS_GET_ID
#define NS_GET_ID _IOR(NSIO, 13, __u64)  // 6.18: 64-bit id of any namespace kind
#endif

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673  // 3.19: statfs f_type of nsfs
#endif

// ---- pidfs ioctls (on pidfds) -------------------------------------------------------------
#ifndef PIDFS_IOCTL_MAGIC
#define PIDFS_IOCTL_MAGIC 0xFF  // 6.11
#endif
#ifndef PIDFD_GET_CGROUP_NAMESPACE
#define PIDFD_GET_CGROUP_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 1)  // 6.11
#endif
#ifndef PIDFD_GET_IPC_NAMESPACE
#define PIDFD_GET_IPC_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 2)  // 6.11
#endif
#ifndef PIDFD_GET_MNT_NAMESPACE
#define PIDFD_GET_MNT_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 3)  // 6.11
#endif
#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 4)  // 6.11
#endif
#ifndef PIDFD_GET_PID_NAMESPACE
#define PIDFD_GET_PID_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 5)  // 6.11
#endif
#ifndef PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE
#define PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 6)  // 6.11
#endif
#ifndef PIDFD_GET_TIME_NAMESPACE
#define PIDFD_GET_TIME_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 7)  // 6.11
#endif
#ifndef PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE
#define PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 8)  // 6.11
#endif
#ifndef PIDFD_GET_USER_NAMESPACE
#define PIDFD_GET_USER_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 9)  // 6.11
#endif
#ifndef PIDFD_GET_UTS_NAMESPACE
#define PIDFD_GET_UTS_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 10)  // 6.11
#endif

#ifndef PIDFD_INFO_PID
#define PIDFD_INFO_PID (1ULL << 0)  // 6.13
#endif
#ifndef PIDFD_INFO_EXIT
#define PIDFD_INFO_EXIT (1ULL << 3)  // 6.15: exit status, kept after the task is reaped
#endif
#ifndef PIDFD_INFO_SIZE_VER0
#define PIDFD_INFO_SIZE_VER0 64  // 6.13: smallest struct the kernel accepts
#endif

// struct pidfd_info, fields through VER1 (6.16, 72 bytes). The ioctl encodes our size; the kernel
// accepts any size >= VER0 (extensible struct: it copies min(ours, its own) and zeroes the rest),
// so this works unchanged on 6.13+ kernels, and exit_code is inside the VER0 part (6.15+).
struct nsbridge_pidfd_info {
  __u64 mask;
  __u64 cgroupid;
  __u32 pid;
  __u32 tgid;
  __u32 ppid;
  __u32 ruid;
  __u32 rgid;
  __u32 euid;
  __u32 egid;
  __u32 suid;
  __u32 sgid;
  __u32 fsuid;
  __u32 fsgid;
  __s32 exit_code;  // a wait(2) status: decode with WIFEXITED / WTERMSIG / WCOREDUMP
  __u32 coredump_mask;
  __u32 spare1;
};
static_assert(sizeof(nsbridge_pidfd_info) == 72, "pidfd_info VER1 is 72 bytes");
static_assert(__builtin_offsetof(nsbridge_pidfd_info, exit_code) + 4 == PIDFD_INFO_SIZE_VER0,
              "exit_code ends the VER0 struct");
// PIDFD_GET_INFO with our struct's size (6.13). Named apart from the kernel's macro, whose size
// field follows whatever struct pidfd_info a newer header declares.
#define NSBRIDGE_PIDFD_GET_INFO _IOWR(PIDFS_IOCTL_MAGIC, 11, struct nsbridge_pidfd_info)

// ---- pidfd_open / clone3 flags --------------------------------------------------------------
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK  // 5.10
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL  // 6.9: pidfd for a thread, not a thread-group leader
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000  // 5.2
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000  // 4.6
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080  // 5.6
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL  // 5.5 (clone3 only)
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL  // 5.7 (clone3 only)
#endif

// struct clone_args, VER2 (5.7, 88 bytes): what clone3 reads.
struct nsbridge_clone_args {
  __aligned_u64 flags;
  __aligned_u64 pidfd;
  __aligned_u64 child_tid;
  __aligned_u64 parent_tid;
  __aligned_u64 exit_signal;
  __aligned_u64 stack;
  __aligned_u64 stack_size;
  __aligned_u64 tls;
  __aligned_u64 set_tid;       // VER1 (5.5)
  __aligned_u64 set_tid_size;  // VER1 (5.5)
  __aligned_u64 cgroup;        // VER2 (5.7)
};
static_assert(sizeof(nsbridge_clone_args) == 88, "clone_args VER2 is 88 bytes");

// ---- waitid -------------------------------------------------------------------------------
#ifndef P_PIDFD
#define P_PIDFD 3  // 5.4: waitid(P_PIDFD, pidfd, ...)
#endif

// ---- close_range flags -------------------------------------------------------------------------
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)  // 5.11: mark the range close-on-exec instead of closing it
#endif

// ---- syscall numbers (identical on x86_64 and aarch64: both use the generic table here) ----
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424  // 5.1
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434  // 5.3
#endif
#ifndef __NR_clone3
#define __NR_clone3 435  // 5.3
#endif
#ifndef __NR_close_range
#define __NR_close_range 436  // 5.9
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438  // 5.6
#endif
