// What the child needs between clone and exec, prepared by the parent before the clone.
//
// Invariants (the child relies on them; spawn_call.cc guarantees them):
// - every pointer points into memory the parent keeps alive and unchanged until the report pipe
//   reaches EOF, i.e. until no process runs on that memory any more;
// - the child never writes to this memory (with CLONE_VM it is the parent's memory);
// - report_fd is >= stdio_count, so setting up stdio in the child cannot overwrite it.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../kernel_compat.h"

namespace nsbridge::spawn {

/** The setup steps the child (or the parent, for /proc writes) can fail at. */
enum class Step : int32_t {
  kSignals = 1,      // rt_sigaction
  kSetnsPidfd,       // setns(pidfd, mask): target gone (ESRCH) - any other error is retried per kind
  kSetns,            // setns(nsfd, kind); value = CLONE_NEW* flag
  kUnshare,          // unshare(kind); value = CLONE_NEW* flag
  kHandshake,        // read of the go pipe
  kCloneIntoPidns,   // clone3 of the program into a joined / unshared pid namespace
  kSethostname,
  kSetdomainname,
  kPropagation,      // mount(/, MS_REC | MS_PRIVATE / MS_SLAVE / MS_SHARED) in a new mount namespace
  kMountProc,        // mount(proc); value = MountProcCall
  kGroups,           // setgroups(2)
  kSetgid,
  kSetuid,
  kChdir,
  kStdio,            // dup3 / fcntl of stdio slots; value = StdioCall
  kCloseFds,         // close_range(CLOSE_RANGE_CLOEXEC) or its fallback
  kPdeathSignal,     // prctl(PR_SET_PDEATHSIG)
  kSigmask,          // rt_sigprocmask
  kExecve,          // preceded by a kCandidate report per execve candidate tried
  kRoot,            // chroot / fchdir; value = DirCall
  kCapabilities,    // capget / capset / prctl(PR_CAP_AMBIENT); value = CapCall
  kLoopback,        // bringing lo up in a new network namespace; value = LoopbackCall
};

/** Which call failed at Step::kChdir and Step::kRoot. */
enum class DirCall : int32_t { kChdir = 0, kFchdir = 1, kChroot = 2 };

/** Which call failed at Step::kMountProc: making its mount point private, or the proc mount. */
enum class MountProcCall : int32_t { kPrivate = 0, kMount = 1 };

/**
 * Why an execve candidate got EACCES or ENOENT, found out in the child (its mount namespace, its
 * ids): the `step` field of a kCandidate report. EACCES alone cannot tell a PATH directory the
 * program's user may not search from a file it may not execute; ENOENT cannot tell a missing file
 * from a missing interpreter.
 */
enum class CandidateDetail : int32_t {
  kNone = 0,
  kSearchDenied = 1,   // statx of the path is EACCES too: a directory on the way is not searchable
  kDirectory = 2,      // the path is a directory
  kNoExecBits = 3,     // a file without any execute permission bit
  kExecDenied = 4,     // a file with execute bits: not for this user, a noexec mount, or an LSM
  kInterpreterMissing = 5,  // ENOENT, but the file exists: its ELF interpreter or #! interpreter does not
};

/** Which call failed at Step::kCapabilities. */
enum class CapCall : int32_t { kCapget = 0, kCapset = 1, kAmbientRaise = 2 };

/** Which call failed at Step::kLoopback. */
enum class LoopbackCall : int32_t { kSocket = 0, kGetFlags = 1, kSetFlags = 2 };

/** Which call failed at Step::kStdio (the Report's value), so the error names the real syscall. */
enum class StdioCall : int32_t { kDup3 = 0, kFcntl = 1 };

/** A message on the report pipe, child → parent. Fixed size, so every write is atomic. */
struct Report {
  enum Kind : int32_t { kFailure = 1, kNeedParent = 2, kProgramPid = 3, kCandidate = 4 };
  int32_t kind;
  int32_t step;   // Step, for kFailure; CandidateDetail, for kCandidate
  int32_t error;  // positive errno, for kFailure
  int32_t value;  // kFailure: CLONE_NEW* flag of kSetns / kUnshare, or the call (StdioCall, ...);
                  // kProgramPid: the pid; kCandidate: the index of the execve candidate (error: its errno)
};
static_assert(sizeof(Report) == 16, "reports are 16 bytes");

/** The kernel's struct sigaction for rt_sigaction (not glibc's, which is larger). */
struct KernelSigaction {
  unsigned long handler;
  unsigned long flags;
  unsigned long restorer;
  unsigned long mask;
};

struct ChildPlan {
  // --- exec
  const char* const* paths;  // execve candidates, null-terminated
  char* const* argv;
  char* const* envp;
  const char* cwd;  // or nullptr
  int cwd_fd;       // or -1: fchdir instead of chdir

  // --- namespaces: joins, then unshares (one kind at a time), then maybe a clone into the pid ns
  int join_pidfd;  // -1: none
  uint64_t join_mask;
  const int* join_fds;
  const int* join_types;
  int join_count;
  const uint32_t* unshare_order;  // CLONE_NEW* flags, user first
  int unshare_count;
  bool clone_into_pidns;  // a pid namespace was joined or unshared: the program is a new process
  nsbridge_clone_args* program_clone_args;  // for that clone (CLONE_VM | CLONE_PARENT, set_tid)
  bool probe_only;  // diagnosis of a failed clone3: stop after the unshares

  // --- parent handshake (uid/gid maps, setgroups, time offsets written by the parent)
  bool wait_for_parent;
  int report_fd;  // write end, O_CLOEXEC
  int go_fd;      // read end, O_CLOEXEC, or -1
  int go_write_fd;  // the parent's end: the child's copy is closed first, so that the parent
                    // closing its own end is an EOF the child sees
  int report_read_fd;  // the parent's end of the report pipe, likewise closed first in the child:
                       // then report_fd polls POLLERR once the parent is gone (ExitIfSpawnerGone)

  // --- uts, mounts, credentials
  const char* hostname;
  size_t hostname_len;
  const char* domainname;
  size_t domainname_len;
  unsigned long propagation;  // mount flags for "/" right after the mount namespace is created, or 0
  bool loopback_up;           // set IFF_UP on lo in the (new) network namespace
  const char* mount_proc;  // or nullptr
  const char* root;        // chroot target, or nullptr
  int root_fd;             // or a directory fd: fchdir + chroot("."); -1: none
  bool keep_capabilities;  // raise the permitted capabilities into the ambient set (unshare --keep-caps)
  long uid;                // -1: keep
  long gid;                // -1: keep
  const gid_t* groups;     // setgroups list when has_groups
  long group_count;
  bool has_groups;
  bool clear_groups;  // setgroups(0) ignoring EPERM (uid/gid change without an explicit list)

  // --- stdio and fds
  const int* stdio;  // source fd per slot, or -1: leave the slot closed
  int stdio_count;
  bool close_range_cloexec;  // kernel has close_range(CLOSE_RANGE_CLOEXEC) (5.11)
  int max_fd;                // fallback: mark stdio_count..max_fd close-on-exec one by one

  // --- parent death
  int pdeath_signal;  // 0: none
  int proc_fd;        // O_PATH fd of this process's /proc, or -1
  long parent_pid_in_proc;  // this process's pid as that /proc shows it

  const KernelSigaction* default_action;  // SIG_DFL, in static storage
};

/** The child's entry point (the clone3 trampoline's fn). Never returns on success. */
int ChildMain(void* plan);

}  // namespace nsbridge::spawn
