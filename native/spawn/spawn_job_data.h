// SpawnJob: the spawn plan copied out of JS (contract: src/native/binding.ts NativeSpawnPlan), as
// plain C++ data. Free of N-API on purpose, so that the parser (spawn_plan_parser.h) and the
// ChildPlan builder can be compiled into the libFuzzer harness (native/fuzz/) without Node.
#pragma once

#include <stdint.h>
#include <sys/mount.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "spawn_limits.h"  // kMaxJoinFds, kMaxStdioSlots, kMaxPersist: the parser enforces them

namespace Napi {
class Object;  // SpawnJob::FromJs is defined in spawn_job.cc, the only place that needs napi.h
}

namespace nsbridge::spawn {

constexpr int kStdioPipe = -1;     // a new socketpair
constexpr int kStdioDevNull = -2;  // /dev/null ('ignore' for 0-2)
constexpr int kStdioClosed = -3;   // no fd in this slot ('ignore' beyond 2)

// The propagation a new mount namespace's mounts get (mount("/", MS_REC | <type>)); 0 = unchanged.
constexpr unsigned long kPropagationPrivate = MS_REC | MS_PRIVATE;
constexpr unsigned long kPropagationSlave = MS_REC | MS_SLAVE;
constexpr unsigned long kPropagationShared = MS_REC | MS_SHARED;

/**
 * Invariants after a successful parse (spawn_plan_parser.h checks them): paths is not empty; no
 * string holds a NUL byte; join_fds and join_types have the same length, at most kMaxJoinFds;
 * clone_flags, unshare_flags and join_mask hold CLONE_NEW* bits only; setgroups is "", "allow" or
 * "deny"; uid and gid are -1 or an id in [0, 2^32 - 2]; stdio has at most kMaxStdioSlots entries,
 * each an fd or one of the kStdio* values; propagation is 0 or one of the kPropagation* values;
 * at most one of root / root_fd and of cwd / cwd_fd is given; persist_kinds and persist_paths have
 * the same length, at most kMaxPersist, each kind a single CLONE_NEW* flag, no kind twice.
 */
struct SpawnJob {
  std::vector<std::string> paths;
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  bool has_cwd = false;
  std::string cwd;
  uint64_t clone_flags = 0;    // CLONE_NEW* for clone3 itself
  uint32_t unshare_flags = 0;  // CLONE_NEW* the child unshares
  int join_pidfd = -1;
  uint64_t join_mask = 0;
  std::vector<int> join_fds;
  std::vector<int> join_types;
  bool share_memory = true;
  std::vector<pid_t> set_tid;
  int cgroup_fd = -1;
  bool has_uid_map = false, has_gid_map = false, has_time_offsets = false;
  std::string uid_map, gid_map, time_offsets;
  std::string setgroups;  // "", "allow" or "deny"
  bool has_hostname = false, has_domainname = false, has_mount_proc = false;
  std::string hostname, domainname, mount_proc;
  long uid = -1, gid = -1;
  bool has_groups = false;
  std::vector<gid_t> groups;
  std::vector<int> stdio;  // fd, or kStdioPipe / kStdioDevNull / kStdioClosed
  int pdeath_signal = 0;
  unsigned long propagation = 0;  // for a new mount namespace: MS_REC | MS_PRIVATE / SLAVE / SHARED, or 0
  bool has_root = false;          // chroot(root), resolved in the program's mount namespace
  std::string root;
  int root_fd = -1;               // or fchdir(root_fd) + chroot(".") (a directory opened before the joins)
  int cwd_fd = -1;                // fchdir(cwd_fd) instead of chdir(cwd)
  bool keep_capabilities = false; // permitted -> inheritable -> ambient after the credential changes
  std::vector<int> persist_kinds;          // CLONE_NEW* flag per bind mount the parent makes
  std::vector<std::string> persist_paths;  // onto which the child's namespace file is bound
  bool pid_for_children_only = false;      // a joined / new pid namespace only for the program's children
  bool loopback_up = false;                // lo up in the network namespace the child creates

  /** Reads and type-checks the JS plan; throws a TypeError naming the field on a wrong type. */
  static SpawnJob FromJs(Napi::Object plan);
};

}  // namespace nsbridge::spawn
