// SpawnJob::FromJs: copies the (already validated, see src/spawn/options.ts) plan out of JS.
// Only JS types are re-checked here, so a wrong call from JS cannot crash the process.
#include <string>

#include "spawn_job.h"

namespace nsbridge::spawn {

namespace {

[[noreturn]] void Wrong(Napi::Env env, const char* field, const char* expected) {
  throw Napi::TypeError::New(env, std::string("spawn plan field \"") + field + "\" must be " + expected);
}

Napi::Value Field(Napi::Object plan, const char* field) { return plan.Get(field); }

std::string CString(Napi::Env env, Napi::Value v, const char* field) {
  if (!v.IsString()) Wrong(env, field, "a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) Wrong(env, field, "a string without NUL bytes");
  return s;
}

/** A nullable string: returns whether it was a string. */
bool OptionalString(Napi::Object plan, const char* field, std::string* out) {
  Napi::Value v = Field(plan, field);
  if (v.IsNull() || v.IsUndefined()) return false;
  *out = CString(plan.Env(), v, field);
  return true;
}

std::vector<std::string> StringArray(Napi::Object plan, const char* field) {
  Napi::Value v = Field(plan, field);
  if (!v.IsArray()) Wrong(plan.Env(), field, "an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(CString(plan.Env(), a.Get(i), field));
  return out;
}

double Number(Napi::Object plan, const char* field) {
  Napi::Value v = Field(plan, field);
  if (!v.IsNumber()) Wrong(plan.Env(), field, "a number");
  return v.As<Napi::Number>().DoubleValue();
}

int Int(Napi::Object plan, const char* field) {
  double d = Number(plan, field);
  if (d != static_cast<int>(d)) Wrong(plan.Env(), field, "a 32-bit integer");
  return static_cast<int>(d);
}

template <typename T>
std::vector<T> IntArray(Napi::Object plan, const char* field, bool nullable, bool* present) {
  Napi::Value v = Field(plan, field);
  if (nullable && v.IsNull()) {
    *present = false;
    return {};
  }
  if (!v.IsArray()) Wrong(plan.Env(), field, "an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<T> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) Wrong(plan.Env(), field, "an array of integers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<T>(d))) Wrong(plan.Env(), field, "an array of in-range integers");
    out.push_back(static_cast<T>(d));
  }
  if (present != nullptr) *present = true;
  return out;
}

}  // namespace

SpawnJob SpawnJob::FromJs(Napi::Object plan) {
  Napi::Env env = plan.Env();
  SpawnJob job;
  job.paths = StringArray(plan, "paths");
  if (job.paths.empty()) Wrong(env, "paths", "a non-empty array");
  job.argv = StringArray(plan, "argv");
  job.inherit_env = Field(plan, "envp").IsNull();
  if (!job.inherit_env) job.envp = StringArray(plan, "envp");
  job.has_cwd = OptionalString(plan, "cwd", &job.cwd);
  job.clone_flags = static_cast<uint64_t>(static_cast<uint32_t>(Int(plan, "cloneFlags")));
  job.unshare_flags = static_cast<uint32_t>(Int(plan, "unshareFlags"));
  job.join_pidfd = Int(plan, "joinPidfd");
  job.join_mask = static_cast<uint32_t>(Int(plan, "joinMask"));
  job.join_fds = IntArray<int>(plan, "joinFds", false, nullptr);
  job.join_types = IntArray<int>(plan, "joinTypes", false, nullptr);
  if (job.join_fds.size() != job.join_types.size() || job.join_fds.size() > 8) {
    Wrong(env, "joinFds", "as long as joinTypes, at most 8");
  }
  Napi::Value share = Field(plan, "shareMemory");
  if (!share.IsBoolean()) Wrong(env, "shareMemory", "a boolean");
  job.share_memory = share.As<Napi::Boolean>().Value();
  job.set_tid = IntArray<pid_t>(plan, "setTid", false, nullptr);
  job.cgroup_fd = Int(plan, "cgroupFd");
  job.has_uid_map = OptionalString(plan, "uidMap", &job.uid_map);
  job.has_gid_map = OptionalString(plan, "gidMap", &job.gid_map);
  OptionalString(plan, "setgroups", &job.setgroups);
  if (!job.setgroups.empty() && job.setgroups != "allow" && job.setgroups != "deny") {
    Wrong(env, "setgroups", "'allow', 'deny' or null");
  }
  job.has_time_offsets = OptionalString(plan, "timeOffsets", &job.time_offsets);
  job.has_hostname = OptionalString(plan, "hostname", &job.hostname);
  job.has_domainname = OptionalString(plan, "domainname", &job.domainname);
  job.has_mount_proc = OptionalString(plan, "mountProc", &job.mount_proc);
  job.uid = static_cast<long>(Number(plan, "uid"));
  job.gid = static_cast<long>(Number(plan, "gid"));
  job.groups = IntArray<gid_t>(plan, "groups", true, &job.has_groups);
  job.stdio = IntArray<int>(plan, "stdio", false, nullptr);
  if (job.stdio.size() > 1024) Wrong(env, "stdio", "at most 1024 slots");
  for (int fd : job.stdio) {
    if (fd < kStdioClosed) Wrong(env, "stdio", "fds, -1 ('pipe'), -2 (/dev/null) or -3 (closed)");
  }
  job.pdeath_signal = Int(plan, "pdeathSignal");
  return job;
}

}  // namespace nsbridge::spawn
