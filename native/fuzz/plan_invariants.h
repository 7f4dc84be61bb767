// The invariants the fuzzer asserts: of a SpawnJob the parser accepted (spawn_job_data.h), and of
// the ChildPlan built from it (child_plan_builder.h). The child runs on these between clone and
// exec with raw system calls only, so any violation here is a crash or a wrong exec there.
// A violation prints what failed and aborts (libFuzzer records the input as a crash).
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "../ns_kinds.h"
#include "../spawn/child_plan.h"
#include "../spawn/child_plan_builder.h"
#include "../spawn/spawn_job_data.h"

#define NSBRIDGE_FUZZ_CHECK(cond)                                                  \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                     \
    }                                                                              \
  } while (0)

namespace nsbridge::fuzz {

using spawn::ChildPlan;
using spawn::HostFacts;
using spawn::SpawnJob;

inline uint32_t AllNamespaceFlags() {
  uint32_t all = 0;
  for (const NamespaceKindInfo& k : kNamespaceKinds) all |= k.flag;
  return all;
}

inline bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

inline void CheckParsedJob(const SpawnJob& job) {
  NSBRIDGE_FUZZ_CHECK(!job.paths.empty());
  for (const auto* list : {&job.paths, &job.argv, &job.envp}) {
    for (const std::string& s : *list) NSBRIDGE_FUZZ_CHECK(!HasNul(s));
  }
  for (const std::string* s : {&job.cwd, &job.uid_map, &job.gid_map, &job.time_offsets, &job.hostname,
                               &job.domainname, &job.mount_proc, &job.setgroups, &job.root}) {
    NSBRIDGE_FUZZ_CHECK(!HasNul(*s));
  }
  NSBRIDGE_FUZZ_CHECK(job.setgroups.empty() || job.setgroups == "allow" || job.setgroups == "deny");
  // Only namespace bits may reach clone3 / unshare / setns from a plan.
  NSBRIDGE_FUZZ_CHECK((job.clone_flags & ~uint64_t{AllNamespaceFlags()}) == 0);
  NSBRIDGE_FUZZ_CHECK((job.unshare_flags & ~AllNamespaceFlags()) == 0);
  NSBRIDGE_FUZZ_CHECK((job.join_mask & ~uint64_t{AllNamespaceFlags()}) == 0);
  NSBRIDGE_FUZZ_CHECK(job.join_fds.size() == job.join_types.size());
  NSBRIDGE_FUZZ_CHECK(job.join_fds.size() <= spawn::kMaxJoinFds);
  NSBRIDGE_FUZZ_CHECK(job.uid >= -1 && job.uid <= 4294967294L);
  NSBRIDGE_FUZZ_CHECK(job.gid >= -1 && job.gid <= 4294967294L);
  NSBRIDGE_FUZZ_CHECK(job.has_groups || job.groups.empty());
  NSBRIDGE_FUZZ_CHECK(job.stdio.size() <= spawn::kMaxStdioSlots);
  for (int fd : job.stdio) NSBRIDGE_FUZZ_CHECK(fd >= spawn::kStdioClosed);
  // The propagation of a mount namespace the child creates, never of the caller's.
  NSBRIDGE_FUZZ_CHECK(job.propagation == 0 || job.propagation == spawn::kPropagationPrivate ||
                      job.propagation == spawn::kPropagationSlave || job.propagation == spawn::kPropagationShared);
  NSBRIDGE_FUZZ_CHECK(job.propagation == 0 || ((job.clone_flags | job.unshare_flags) & CLONE_NEWNS) != 0);
  NSBRIDGE_FUZZ_CHECK(!job.loopback_up || ((job.clone_flags | job.unshare_flags) & CLONE_NEWNET) != 0);
  NSBRIDGE_FUZZ_CHECK(job.root_fd >= -1 && !(job.has_root && job.root_fd >= 0));
  NSBRIDGE_FUZZ_CHECK(job.cwd_fd >= -1 && !(job.has_cwd && job.cwd_fd >= 0));
  NSBRIDGE_FUZZ_CHECK(job.persist_kinds.size() == job.persist_paths.size() && job.persist_kinds.size() <= spawn::kMaxPersist);
  uint32_t persisted = 0;
  for (int kind : job.persist_kinds) {
    const uint32_t flag = static_cast<uint32_t>(kind);
    NSBRIDGE_FUZZ_CHECK(__builtin_popcount(flag) == 1 && (flag & AllNamespaceFlags()) != 0 && (flag & persisted) == 0);
    persisted |= flag;
  }
  for (const std::string& s : job.persist_paths) NSBRIDGE_FUZZ_CHECK(!HasNul(s));
}

/** A null-terminated array holding exactly `expected`, string by string. */
template <typename Ptr>
void CheckStringArray(const Ptr* array, const std::vector<std::string>& expected) {
  NSBRIDGE_FUZZ_CHECK(array != nullptr);
  size_t i = 0;
  for (; array[i] != nullptr; i++) {
    NSBRIDGE_FUZZ_CHECK(i < expected.size());
    NSBRIDGE_FUZZ_CHECK(strlen(array[i]) == expected[i].size());
    NSBRIDGE_FUZZ_CHECK(memcmp(array[i], expected[i].data(), expected[i].size()) == 0);
  }
  NSBRIDGE_FUZZ_CHECK(i == expected.size());
}

/** A C string the child can pass to the kernel: present iff `present`, of the job's length. */
inline void CheckOptionalString(const char* s, bool present, const std::string& expected) {
  if (!present) {
    NSBRIDGE_FUZZ_CHECK(s == nullptr);
    return;
  }
  NSBRIDGE_FUZZ_CHECK(s != nullptr);
  NSBRIDGE_FUZZ_CHECK(strlen(s) == expected.size());
}

inline void CheckChildPlan(const SpawnJob& job, const std::vector<int>& stdio, const HostFacts& facts,
                           const ChildPlan& p) {
  CheckStringArray(p.paths, job.paths);
  CheckStringArray(p.argv, job.argv);
  CheckStringArray(p.envp, job.envp);
  CheckOptionalString(p.cwd, job.has_cwd, job.cwd);
  CheckOptionalString(p.mount_proc, job.has_mount_proc, job.mount_proc);
  CheckOptionalString(p.root, job.has_root, job.root);
  NSBRIDGE_FUZZ_CHECK(p.root_fd == job.root_fd && p.cwd_fd == job.cwd_fd);
  NSBRIDGE_FUZZ_CHECK(p.propagation == job.propagation && p.keep_capabilities == job.keep_capabilities);
  NSBRIDGE_FUZZ_CHECK(p.loopback_up == job.loopback_up);
  CheckOptionalString(p.hostname, job.has_hostname, job.hostname);
  CheckOptionalString(p.domainname, job.has_domainname, job.domainname);
  NSBRIDGE_FUZZ_CHECK(p.hostname_len == job.hostname.size());
  NSBRIDGE_FUZZ_CHECK(p.domainname_len == job.domainname.size());

  // Joins: one type per fd, at most one per kind.
  NSBRIDGE_FUZZ_CHECK(p.join_count >= 0 && static_cast<size_t>(p.join_count) == job.join_fds.size());
  NSBRIDGE_FUZZ_CHECK(p.join_count <= static_cast<int>(spawn::kMaxJoinFds));
  for (int i = 0; i < p.join_count; i++) {
    NSBRIDGE_FUZZ_CHECK(p.join_fds[i] == job.join_fds[i] && p.join_types[i] == job.join_types[i]);
  }
  NSBRIDGE_FUZZ_CHECK(p.join_pidfd == job.join_pidfd && p.join_mask == job.join_mask);

  // Unshares: exactly the kinds asked for, each once, in table order - so user first, whose
  // capabilities the others need (user_namespaces(7)).
  NSBRIDGE_FUZZ_CHECK(p.unshare_count == __builtin_popcount(job.unshare_flags));
  NSBRIDGE_FUZZ_CHECK(p.unshare_count >= 0 && p.unshare_count <= spawn::kMaxUnshareKinds);
  uint32_t seen = 0;
  int last_index = -1;
  for (int i = 0; i < p.unshare_count; i++) {
    const uint32_t flag = p.unshare_order[i];
    NSBRIDGE_FUZZ_CHECK(__builtin_popcount(flag) == 1 && (flag & job.unshare_flags) != 0 && (flag & seen) == 0);
    seen |= flag;
    int index = 0;
    while (kNamespaceKinds[index].flag != flag) index++;
    NSBRIDGE_FUZZ_CHECK(index > last_index);
    last_index = index;
  }
  NSBRIDGE_FUZZ_CHECK(seen == job.unshare_flags);
  if (job.unshare_flags & CLONE_NEWUSER) NSBRIDGE_FUZZ_CHECK(p.unshare_order[0] == CLONE_NEWUSER);

  // A pid namespace joined or created: the program must be cloned into it.
  const bool pid_joined = [&] {
    for (int t : job.join_types) {
      if (t == CLONE_NEWPID) return true;
    }
    return false;
  }();
  NSBRIDGE_FUZZ_CHECK(p.clone_into_pidns == (!job.pid_for_children_only &&
                                              (((job.unshare_flags | job.join_mask) & CLONE_NEWPID) != 0 || pid_joined)));
  NSBRIDGE_FUZZ_CHECK(p.wait_for_parent == (job.has_uid_map || job.has_gid_map || job.has_time_offsets ||
                                            !job.setgroups.empty() || !job.persist_kinds.empty()));

  // Credentials.
  NSBRIDGE_FUZZ_CHECK(p.uid == job.uid && p.gid == job.gid);
  NSBRIDGE_FUZZ_CHECK(p.has_groups == job.has_groups);
  NSBRIDGE_FUZZ_CHECK(p.group_count >= 0 && static_cast<size_t>(p.group_count) == job.groups.size());
  NSBRIDGE_FUZZ_CHECK(!(p.has_groups && p.clear_groups));
  NSBRIDGE_FUZZ_CHECK(p.clear_groups == (!job.has_groups && (job.uid >= 0 || job.gid >= 0)));
  for (long i = 0; i < p.group_count; i++) NSBRIDGE_FUZZ_CHECK(p.groups[i] == job.groups[i]);

  // Stdio: the resolved slots, -1 at most for a closed one.
  NSBRIDGE_FUZZ_CHECK(p.stdio_count >= 0 && static_cast<size_t>(p.stdio_count) == stdio.size());
  NSBRIDGE_FUZZ_CHECK(p.stdio_count <= static_cast<int>(spawn::kMaxStdioSlots));
  for (int i = 0; i < p.stdio_count; i++) NSBRIDGE_FUZZ_CHECK(p.stdio[i] == stdio[i] && p.stdio[i] >= -1);
  NSBRIDGE_FUZZ_CHECK(p.close_range_cloexec == facts.close_range_cloexec);
  NSBRIDGE_FUZZ_CHECK(p.close_range_cloexec ? p.max_fd == 0 : p.max_fd == facts.max_fd);

  // Parent death, signals, and what launch.cc fills in later.
  NSBRIDGE_FUZZ_CHECK(p.pdeath_signal == job.pdeath_signal);
  NSBRIDGE_FUZZ_CHECK(p.proc_fd == (job.pdeath_signal != 0 ? facts.proc_fd : -1));
  NSBRIDGE_FUZZ_CHECK(p.default_action != nullptr && p.default_action->handler == 0 && p.default_action->flags == 0 &&
                      p.default_action->mask == 0);
  NSBRIDGE_FUZZ_CHECK(p.program_clone_args == nullptr && !p.probe_only);
}

}  // namespace nsbridge::fuzz
