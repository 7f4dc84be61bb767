// ChildPlanBuilder (see child_plan_builder.h): the SpawnJob -> ChildPlan step of a spawn.
#include "child_plan_builder.h"

#include <algorithm>

#include "../ns_kinds.h"

namespace nsbridge::spawn {

namespace {

// rt_sigaction with this resets a disposition: SIG_DFL, no flags, empty mask. Static storage: the
// child reads it after the clone.
const KernelSigaction kDefaultAction = {0, 0, 0, 0};

}  // namespace

/** User first: the other namespaces are then created with its capabilities (and owned by it). */
int UnshareOrder(uint32_t flags, uint32_t order[kMaxUnshareKinds]) {
  int n = 0;
  for (const NamespaceKindInfo& k : kNamespaceKinds) {
    if (flags & k.flag) order[n++] = k.flag;
  }
  return n;
}

bool NeedsParentHandshake(const SpawnJob& job) {
  return job.has_uid_map || job.has_gid_map || job.has_time_offsets || !job.setgroups.empty() ||
         !job.persist_kinds.empty();
}

bool NeedsCloneIntoPidns(const SpawnJob& job) {
  if (job.pid_for_children_only) return false;
  return ((job.unshare_flags | job.join_mask) & CLONE_NEWPID) != 0 ||
         std::find(job.join_types.begin(), job.join_types.end(), CLONE_NEWPID) != job.join_types.end();
}

ChildPlanBuilder::ChildPlanBuilder(const SpawnJob& job, std::vector<int> stdio, const HostFacts& facts)
    : stdio_(std::move(stdio)) {
  // execve takes char* const[]: the child never writes through these (child_plan.h).
  for (const std::string& s : job.paths) paths_.push_back(s.c_str());
  paths_.push_back(nullptr);
  for (const std::string& s : job.argv) argv_.push_back(const_cast<char*>(s.c_str()));
  argv_.push_back(nullptr);
  for (const std::string& s : job.envp) envp_.push_back(const_cast<char*>(s.c_str()));
  envp_.push_back(nullptr);

  ChildPlan* p = &plan_;
  p->paths = paths_.data();
  p->argv = argv_.data();
  p->envp = envp_.data();
  p->cwd = job.has_cwd ? job.cwd.c_str() : nullptr;
  p->cwd_fd = job.cwd_fd;
  p->join_pidfd = job.join_pidfd;
  p->join_mask = job.join_mask;
  p->join_fds = job.join_fds.data();
  p->join_types = job.join_types.data();
  p->join_count = static_cast<int>(job.join_fds.size());
  p->unshare_count = UnshareOrder(job.unshare_flags, unshare_order_);
  p->unshare_order = unshare_order_;
  p->clone_into_pidns = NeedsCloneIntoPidns(job);
  p->wait_for_parent = NeedsParentHandshake(job);
  p->hostname = job.has_hostname ? job.hostname.c_str() : nullptr;
  p->hostname_len = job.hostname.size();
  p->domainname = job.has_domainname ? job.domainname.c_str() : nullptr;
  p->domainname_len = job.domainname.size();
  p->propagation = job.propagation;
  p->loopback_up = job.loopback_up;
  p->mount_proc = job.has_mount_proc ? job.mount_proc.c_str() : nullptr;
  p->root = job.has_root ? job.root.c_str() : nullptr;
  p->root_fd = job.root_fd;
  p->keep_capabilities = job.keep_capabilities;
  p->uid = job.uid;
  p->gid = job.gid;
  p->groups = job.groups.data();
  p->group_count = static_cast<long>(job.groups.size());
  p->has_groups = job.has_groups;
  // Like libuv: a uid/gid change without an explicit list drops the supplementary groups.
  p->clear_groups = !job.has_groups && (job.uid >= 0 || job.gid >= 0);
  p->stdio = stdio_.data();
  p->stdio_count = static_cast<int>(stdio_.size());
  p->close_range_cloexec = facts.close_range_cloexec;
  p->max_fd = facts.close_range_cloexec ? 0 : facts.max_fd;
  p->pdeath_signal = job.pdeath_signal;
  p->proc_fd = job.pdeath_signal != 0 ? facts.proc_fd : -1;
  p->parent_pid_in_proc = facts.parent_pid_in_proc;
  p->default_action = &kDefaultAction;
}

}  // namespace nsbridge::spawn
