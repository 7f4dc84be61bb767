// ParseSpawnPlan: copies and type-checks a spawn plan (src/native/binding.ts NativeSpawnPlan) from
// any PlanSource into a SpawnJob. The plan was validated in TypeScript (src/spawn/options/);
// this re-checks what a wrong call could otherwise turn into a crash or undefined behaviour, and
// names the field: 'spawn plan field "<name>" must be <what>'.
//
// A template over the source so that FromJs (N-API, spawn_job.cc) and the fuzzer
// (native/fuzz/spawn_plan_fuzzer.cc) run the same code.
#pragma once

#include <math.h>
#include <stdint.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "../ns_kinds.h"
#include "plan_source.h"
#include "spawn_job_data.h"

namespace nsbridge::spawn {

namespace plan_parser {

/** Every CLONE_NEW* flag (the masks in a plan hold nothing else). */
constexpr uint32_t AllNamespaceFlags() {
  uint32_t all = 0;
  for (const NamespaceKindInfo& k : kNamespaceKinds) all |= k.flag;
  return all;
}

/**
 * Whether d is an integer in [lo, hi]. Checked before any cast: converting NaN, an infinity or an
 * out-of-range double to an integer type is undefined behaviour in C++.
 */
inline bool IsIntegerIn(double d, double lo, double hi) { return d >= lo && d <= hi && d == trunc(d); }

// Arrays: reserve at most this many up front. A JS array's length says nothing about its memory
// (a sparse [] with length 2**32-1 is a few bytes), and bad_alloc must not escape to N-API.
constexpr uint32_t kMaxReserve = 4096;

template <PlanSource Source>
class Parser {
 public:
  explicit Parser(Source& source) : s_(source) {}

  [[noreturn]] void Wrong(const char* field, const char* expected) {
    s_.Fail(std::string("spawn plan field \"") + field + "\" must be " + expected);
    __builtin_unreachable();  // Fail does not return (it throws)
  }

  std::string CString(const typename Source::Value& v, const char* field) {
    if (s_.Kind(v) != ValueKind::kString) Wrong(field, "a string");
    std::string str = s_.String(v);
    // The kernel and the child read C strings: a NUL would silently cut the value short.
    if (str.find('\0') != std::string::npos) Wrong(field, "a string without NUL bytes");
    return str;
  }

  /** A nullable string: returns whether it was a string. */
  bool OptionalString(const char* field, std::string* out) {
    typename Source::Value v = s_.Field(field);
    const ValueKind kind = s_.Kind(v);
    if (kind == ValueKind::kNull || kind == ValueKind::kUndefined) return false;
    *out = CString(v, field);
    return true;
  }

  std::vector<std::string> StringArray(const typename Source::Value& v, const char* field) {
    if (s_.Kind(v) != ValueKind::kArray) Wrong(field, "an array of strings");
    const uint32_t n = s_.Length(v);
    std::vector<std::string> out;
    out.reserve(std::min(n, kMaxReserve));
    for (uint32_t i = 0; i < n; i++) out.push_back(CString(s_.Element(v, i), field));
    return out;
  }

  std::vector<std::string> StringArray(const char* field) { return StringArray(s_.Field(field), field); }

  bool Boolean(const char* field) {
    typename Source::Value v = s_.Field(field);
    if (s_.Kind(v) != ValueKind::kBoolean) Wrong(field, "a boolean");
    return s_.Boolean(v);
  }

  double Number(const char* field) {
    typename Source::Value v = s_.Field(field);
    if (s_.Kind(v) != ValueKind::kNumber) Wrong(field, "a number");
    return s_.Number(v);
  }

  int Int(const char* field) {
    const double d = Number(field);
    if (!IsIntegerIn(d, std::numeric_limits<int>::min(), std::numeric_limits<int>::max())) {
      Wrong(field, "a 32-bit integer");
    }
    return static_cast<int>(d);
  }

  /** A mask of CLONE_NEW* flags. Other clone flags (CLONE_FILES, CLONE_SETTLS, ...) must never
   *  reach clone3 from a plan: with CLONE_VM they would let the child rewrite this process. */
  uint32_t NamespaceMask(const char* field) {
    const uint32_t mask = static_cast<uint32_t>(Int(field));
    if ((mask & ~AllNamespaceFlags()) != 0) Wrong(field, "a mask of CLONE_NEW* flags");
    return mask;
  }

  /** setresuid / setresgid target: -1 keeps it; (uid_t)-1 itself would also mean "keep" to the
   *  kernel, and larger values would be truncated to 32 bits, so both are refused. */
  long Id(const char* field) {
    const double d = Number(field);
    if (!IsIntegerIn(d, -1, 4294967294.0)) Wrong(field, "-1 or an id from 0 to 4294967294");
    return static_cast<long>(d);
  }

  template <typename T>
  std::vector<T> IntArray(const char* field, bool nullable, bool* present) {
    typename Source::Value v = s_.Field(field);
    if (nullable && s_.Kind(v) == ValueKind::kNull) {
      *present = false;
      return {};
    }
    if (s_.Kind(v) != ValueKind::kArray) Wrong(field, "an array of integers");
    const uint32_t n = s_.Length(v);
    std::vector<T> out;
    out.reserve(std::min(n, kMaxReserve));
    for (uint32_t i = 0; i < n; i++) {
      typename Source::Value e = s_.Element(v, i);
      if (s_.Kind(e) != ValueKind::kNumber) Wrong(field, "an array of integers");
      const double d = s_.Number(e);
      if (!IsIntegerIn(d, std::numeric_limits<T>::min(), std::numeric_limits<T>::max())) {
        Wrong(field, "an array of in-range integers");
      }
      out.push_back(static_cast<T>(d));
    }
    if (present != nullptr) *present = true;
    return out;
  }

  /** The fields in the order FromJs has always read them (the first bad one is reported). */
  SpawnJob Parse() {
    SpawnJob job;
    job.paths = StringArray("paths");
    if (job.paths.empty()) Wrong("paths", "a non-empty array");
    job.argv = StringArray("argv");
    // Always given: copying this process's C environ here raced with setenv on other threads
    // (a Worker with SHARE_ENV, a native thread) and crashed; JS reads it under Node's lock.
    job.envp = StringArray("envp");
    job.has_cwd = OptionalString("cwd", &job.cwd);
    job.clone_flags = NamespaceMask("cloneFlags");
    job.unshare_flags = NamespaceMask("unshareFlags");
    job.join_pidfd = Int("joinPidfd");
    job.join_mask = NamespaceMask("joinMask");
    job.join_fds = IntArray<int>("joinFds", false, nullptr);
    job.join_types = IntArray<int>("joinTypes", false, nullptr);
    if (job.join_fds.size() != job.join_types.size() || job.join_fds.size() > kMaxJoinFds) {
      Wrong("joinFds", "as long as joinTypes, at most 8");
    }
    job.share_memory = Boolean("shareMemory");
    job.set_tid = IntArray<pid_t>("setTid", false, nullptr);
    job.cgroup_fd = Int("cgroupFd");
    job.has_uid_map = OptionalString("uidMap", &job.uid_map);
    job.has_gid_map = OptionalString("gidMap", &job.gid_map);
    OptionalString("setgroups", &job.setgroups);
    if (!job.setgroups.empty() && job.setgroups != "allow" && job.setgroups != "deny") {
      Wrong("setgroups", "'allow', 'deny' or null");
    }
    job.has_time_offsets = OptionalString("timeOffsets", &job.time_offsets);
    job.has_hostname = OptionalString("hostname", &job.hostname);
    job.has_domainname = OptionalString("domainname", &job.domainname);
    job.has_mount_proc = OptionalString("mountProc", &job.mount_proc);
    job.uid = Id("uid");
    job.gid = Id("gid");
    job.groups = IntArray<gid_t>("groups", true, &job.has_groups);
    job.stdio = IntArray<int>("stdio", false, nullptr);
    if (job.stdio.size() > kMaxStdioSlots) Wrong("stdio", "at most 1024 slots");
    for (int fd : job.stdio) {
      if (fd < kStdioClosed) Wrong("stdio", "fds, -1 ('pipe'), -2 (/dev/null) or -3 (closed)");
    }
    job.pdeath_signal = Int("pdeathSignal");
    // Fields added later come last, so that older fuzzer corpus inputs decode the same.
    const double propagation = Number("propagation");
    if (propagation != 0 && propagation != kPropagationPrivate && propagation != kPropagationSlave &&
        propagation != kPropagationShared) {
      Wrong("propagation", "0 or MS_REC with one of MS_PRIVATE, MS_SLAVE, MS_SHARED");
    }
    job.propagation = static_cast<unsigned long>(propagation);
    // Only ever the propagation of a mount namespace this child creates: never the caller's own.
    if (job.propagation != 0 && ((job.clone_flags | job.unshare_flags) & CLONE_NEWNS) == 0) {
      Wrong("propagation", "0 unless cloneFlags or unshareFlags has CLONE_NEWNS");
    }
    job.has_root = OptionalString("root", &job.root);
    job.root_fd = Int("rootFd");
    if (job.root_fd < -1 || (job.has_root && job.root_fd >= 0)) Wrong("rootFd", "-1 (with root) or an fd (without)");
    job.cwd_fd = Int("cwdFd");
    if (job.cwd_fd < -1 || (job.has_cwd && job.cwd_fd >= 0)) Wrong("cwdFd", "-1 (with cwd) or an fd (without)");
    job.keep_capabilities = Boolean("keepCapabilities");
    job.persist_kinds = IntArray<int>("persistKinds", false, nullptr);
    uint32_t seen = 0;
    for (int kind : job.persist_kinds) {
      const uint32_t flag = static_cast<uint32_t>(kind);
      if (kind <= 0 || __builtin_popcount(flag) != 1 || (flag & ~AllNamespaceFlags()) != 0 || (flag & seen) != 0) {
        Wrong("persistKinds", "distinct CLONE_NEW* flags");
      }
      seen |= flag;
    }
    job.persist_paths = StringArray("persistPaths");
    if (job.persist_paths.size() != job.persist_kinds.size() || job.persist_paths.size() > kMaxPersist) {
      Wrong("persistPaths", "as long as persistKinds, at most 8");
    }
    job.pid_for_children_only = Boolean("pidForChildrenOnly");
    job.loopback_up = Boolean("loopbackUp");
    // Only ever in a network namespace this child creates: never the caller's own.
    if (job.loopback_up && ((job.clone_flags | job.unshare_flags) & CLONE_NEWNET) == 0) {
      Wrong("loopbackUp", "false unless cloneFlags or unshareFlags has CLONE_NEWNET");
    }
    return job;
  }

 private:
  Source& s_;
};

}  // namespace plan_parser

/** Reads and checks a plan; on a bad field calls source.Fail (which throws). */
template <PlanSource Source>
SpawnJob ParseSpawnPlan(Source& source) {
  return plan_parser::Parser<Source>(source).Parse();
}

}  // namespace nsbridge::spawn
