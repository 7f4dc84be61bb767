// The parent's side of a spawn: the plan copied out of JS (SpawnJob, spawn_job_data.h), and the
// launch that clones, answers the child's handshake, and collects the outcome (launch.cc).
#pragma once

#include <napi.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "../owned_fd.h"
#include "spawn_job_data.h"  // SpawnJob itself (N-API free, shared with the fuzzer)

namespace nsbridge::spawn {

/** A failed setup step, named for JS (see SpawnOutcome). */
struct Failure {
  bool failed = false;
  std::string step;
  int error = 0;
  std::string syscall;
  std::vector<int> candidates;  // step 'execve': the errno of each execve candidate tried, in order
  std::vector<int> candidate_details;  // and for an EACCES, why (CandidateDetail)

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
