// ChildPlanBuilder: turns a SpawnJob into the ChildPlan the child reads between clone and exec,
// and owns the arrays the plan points into (the execve argv / envp / paths vectors, the unshare
// order, the resolved stdio slots). No system calls: what it needs to know about this process
// comes in as HostFacts, so the fuzzer can build plans too. launch.cc adds the fds of the report
// and go pipes and the program's clone args, then clones.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "child_plan.h"
#include "spawn_job_data.h"

namespace nsbridge::spawn {

/** What the plan needs from this process (launch.cc asks Resources and /proc for it). */
struct HostFacts {
  bool close_range_cloexec = false;  // close_range(CLOSE_RANGE_CLOEXEC) works (5.11)
  int max_fd = 0;                    // highest fd to mark close-on-exec when it does not
  int proc_fd = -1;                  // O_PATH fd of this process's /proc, for the parent-death check
  long parent_pid_in_proc = 0;       // this process's pid as that /proc shows it
};

/** The CLONE_NEW* flags of `flags` in table order, user first (ns_kinds.h); returns the count. */
constexpr int kMaxUnshareKinds = 8;
int UnshareOrder(uint32_t flags, uint32_t order[kMaxUnshareKinds]);

/** uid/gid maps, setgroups, time offsets and the persisting bind mounts are the parent's part,
 *  done while the child waits. */
bool NeedsParentHandshake(const SpawnJob& job);

/** Joining or creating a pid namespace changes only pid_for_children: the program needs a clone
 *  (unless only its children are to be in it, nsenter --no-fork). */
bool NeedsCloneIntoPidns(const SpawnJob& job);

/**
 * Invariants of plan(): paths / argv / envp are null-terminated arrays of the job's strings;
 * unshare_order has unshare_count entries, user first; stdio points to stdio_count slots; the report / go fds and program_clone_args are
 * left for launch.cc to set.
 * The plan also points into `job`'s strings and vectors: the job must outlive the builder. The
 * builder is neither copied nor moved, because the plan points into it.
 */
class ChildPlanBuilder {
 public:
  /** `stdio` holds the fd per slot as the child must see it (-1: leave the slot closed). */
  ChildPlanBuilder(const SpawnJob& job, std::vector<int> stdio, const HostFacts& facts);
  ChildPlanBuilder(const ChildPlanBuilder&) = delete;
  ChildPlanBuilder& operator=(const ChildPlanBuilder&) = delete;

  ChildPlan& plan() { return plan_; }
  const ChildPlan& plan() const { return plan_; }

 private:
  std::vector<const char*> paths_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
  std::vector<int> stdio_;
  uint32_t unshare_order_[kMaxUnshareKinds] = {};
  ChildPlan plan_{};
};

}  // namespace nsbridge::spawn
