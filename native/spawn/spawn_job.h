// The parent's side of a spawn: the plan copied out of JS (SpawnJob), and the launch that
// clones, answers the child's handshake, and collects the outcome (launch.cc).
#pragma once

#include <napi.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "../owned_fd.h"

namespace nsbridge::spawn {

constexpr int kStdioPipe = -1;     // a new socketpair
constexpr int kStdioDevNull = -2;  // /dev/null ('ignore' for 0-2)
constexpr int kStdioClosed = -3;   // no fd in this slot ('ignore' beyond 2)

/** src/native/binding.ts NativeSpawnPlan, in C++ storage the child can read. */
struct SpawnJob {
  std::vector<std::string> paths;
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  bool inherit_env = false;  // envp null: copy this process's environ at spawn time
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
  std::vector<int> stdio;  // fd, or kStdioPipe / kStdioDevNull
  int pdeath_signal = 0;

  /** Reads and type-checks the JS plan; throws a TypeError naming the field on a wrong type. */
  static SpawnJob FromJs(Napi::Object plan);
};

/** A failed setup step, named for JS (see SpawnOutcome). */
struct Failure {
  bool failed = false;
  std::string step;
  int error = 0;
  std::string syscall;

  void Set(std::string s, int err, std::string sc) {
    if (failed) return;  // the first failure is the cause; later ones are consequences
    failed = true;
    step = std::move(s);
    error = err;
    syscall = std::move(sc);
  }
};

/** How a spawn ended. */
struct SpawnOutcome {
  pid_t pid = 0;
  UniqueFd pidfd;                 // the program's, on success
  std::vector<UniqueFd> pipes;    // this process's end per 'pipe' slot (invalid elsewhere)
  Failure failure;                // step 'setns:user', 'uid_map', 'execve', ...; positive errno
};

/**
 * Runs the spawn. Throws (SystemError) only for failures before the clone in this process;
 * everything after the clone ends up in the outcome. Never returns while a child still runs on
 * this process's memory.
 */
SpawnOutcome Launch(Napi::Env env, const SpawnJob& job);

}  // namespace nsbridge::spawn
