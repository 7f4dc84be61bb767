// Batched /proc scans for listNamespaces(): one JS->native crossing walks every process (on a
// few threads, see parallel.h), instead of one call per file. Processes that exit mid-scan are
// skipped (ENOENT/ESRCH); links we may not read (EACCES/EPERM: another user's process without
// ptrace rights) count as "not known" (0), like lsns does. Everything is returned as flat typed
// arrays, index-aligned per process.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../calls.h"
#include "../args.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "listing.h"
#include "parallel.h"

namespace nsbridge {

namespace {

// A process disappeared (or its /proc entry became unreadable because it is exiting).
bool Vanished(int err) { return err == ENOENT || err == ESRCH; }

int ParsePid(const char* name) {
  if (name[0] < '1' || name[0] > '9') return 0;
  long value = 0;
  for (const char* p = name; *p; ++p) {
    if (*p < '0' || *p > '9') return 0;
    value = value * 10 + (*p - '0');
    if (value > 0x7fffffff) return 0;
  }
  return static_cast<int>(value);
}

// Field 4 of /proc/<pid>/stat. The comm field (2) may contain spaces and ')', so parse after the
// LAST ')'.
int ReadPpid(int procfd, const char* pidName) {
  char path[64];
  std::snprintf(path, sizeof path, "%s/stat", pidName);
  UniqueFd fd(::openat(procfd, path, O_RDONLY | O_CLOEXEC));
  if (fd.get() == -1) return -1;
  char buf[512];
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* close = std::strrchr(buf, ')');
  if (close == nullptr || close[1] == '\0' || close[2] == '\0') return -1;
  // ") S 123 ..."
  const char* p = close + 2;
  while (*p && *p != ' ') ++p;
  return static_cast<int>(std::strtol(p, nullptr, 10));
}

std::vector<int> ListPids(Napi::Env env, DIR* dir) {
  std::vector<int> pids;
  pids.reserve(1024);
  errno = 0;
  while (struct dirent* entry = ::readdir(dir)) {
    const int pid = ParsePid(entry->d_name);
    if (pid > 0) pids.push_back(pid);
    errno = 0;
  }
  if (errno != 0) {
    const int err = errno;
    ThrowSystemErrorPath(env, err, "readdir", "/proc");
  }
  return pids;
}

struct ProcDir {
  DIR* dir;
  explicit ProcDir(Napi::Env env) : dir(::opendir("/proc")) {
    if (dir == nullptr) {
      const int err = errno;
      ThrowSystemErrorPath(env, err, "opendir", "/proc");
    }
  }
  ~ProcDir() { ::closedir(dir); }
  int fd() const { return ::dirfd(dir); }
};

// "<kind>:[<inode>]" -> inode, 0 when the text has another shape.
uint64_t LinkInode(const char* target) {
  const char* open = std::strchr(target, '[');
  return open == nullptr ? 0 : std::strtoull(open + 1, nullptr, 10);
}

struct ProcRecord {
  int32_t pid;
  uint32_t uid;
  uint64_t ino[kScanKinds];
};

struct FdRecord {
  int32_t pid, fd, kind;
  uint64_t ino;
};

struct Slice {
  std::vector<ProcRecord> procs;
  std::vector<FdRecord> fds;
};

// Returns the kind slot of a "<kind>:[<ino>]" link target, or -1.
int NsLinkKind(const char* target) {
  const char* colon = std::strchr(target, ':');
  if (colon == nullptr || colon[1] != '[') return -1;
  const size_t len = static_cast<size_t>(colon - target);
  for (int k = 0; k < kScanKinds; ++k) {
    const char* name = kNamespaceKinds[k].name;
    if (std::strlen(name) == len && std::memcmp(name, target, len) == 0) return k;
  }
  return -1;
}

// The fds of one process that refer to namespaces (their /proc/<pid>/fd/<n> link reads
// "<kind>:[<ino>]"). A process we may not inspect (EACCES) or that exited is skipped.
// Raw getdents64 into a stack buffer (no DIR allocation per process). getdents64 stops only when
// the next entry does not fit (filldir) or the directory is exhausted, so a reply that leaves room
// for the largest possible entry means "no more entries": the usual second call, which would
// return 0, is skipped (it is one of ~6 system calls per process here).
void ScanFds(int procfd, int pid, const char* name, Slice& out) {
  char path[64], target[128];
  std::snprintf(path, sizeof path, "%s/fd", name);
  UniqueFd dir(::openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() == -1) return;
  alignas(8) char buf[8192];
  constexpr size_t kLargestEntry = offsetof(struct dirent64, d_name) + 256;
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir.get(), buf, sizeof buf);
    if (n <= 0) return;
    for (long off = 0; off < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buf + off);
      off += entry->d_reclen;
      if (entry->d_name[0] == '.') continue;
      const ssize_t len = ::readlinkat(dir.get(), entry->d_name, target, sizeof target - 1);
      if (len <= 0) continue;
      target[len] = '\0';
      const int kind = NsLinkKind(target);
      if (kind < 0) continue;
      out.fds.push_back({pid, ParsePid(entry->d_name), kind, LinkInode(target)});
    }
    if (static_cast<size_t>(n) + kLargestEntry <= sizeof buf) return;
  }
}

void ScanSlice(int procfd, const int* pids, size_t n, uint32_t flags, bool withFds, Slice& out) {
  out.procs.reserve(n);
  char name[16], target[64];
  for (size_t i = 0; i < n; ++i) {
    const int pid = pids[i];
    std::snprintf(name, sizeof name, "%d", pid);
    if (withFds) ScanFds(procfd, pid, name, out);
    char path[32];
    std::snprintf(path, sizeof path, "%s/ns", name);
    UniqueFd ns(::openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (ns.get() == -1) continue;  // gone: skip
    struct stat st;
    // /proc/<pid>/ns is owned by the process's effective uid, like /proc/<pid> (what lsns shows
    // as USER): fstat of the fd we hold anyway saves a path walk.
    if (::fstat(ns.get(), &st) == -1) continue;
    ProcRecord rec{pid, st.st_uid, {}};
    bool gone = false;
    for (int k = 0; k < kScanKinds; ++k) {
      if ((flags & kNamespaceKinds[k].flag) == 0) continue;
      // readlink, not stat: the link text "net:[4026531840]" carries the inode, and stat would
      // also make the kernel look up (or create) the nsfs dentry — about twice the cost.
      const ssize_t len = ::readlinkat(ns.get(), kNamespaceKinds[k].name, target, sizeof target - 1);
      if (len > 0) {
        target[len] = '\0';
        rec.ino[k] = LinkInode(target);
      } else if (Vanished(errno)) {
        // A zombie has no namespaces left (ENOENT on each link) while /proc/<pid> exists; a
        // process that exited after the readdir fails the same way. Both: skip it.
        gone = true;
        break;
      }
      // EACCES/EPERM (another user's process without ptrace rights): 0, not counted, like lsns.
    }
    if (!gone) out.procs.push_back(rec);
  }
}

// scanProcesses(flags, withFds) -> { kinds, pids, uids, inodes, device, fdPids, fds, fdKinds,
// fdInodes }: `flags` are the CLONE_NEW* flags of the kinds to read; `kinds` names the slots
// (kNamespaceKinds order); per process its effective uid and the inodes of its namespaces (slot k
// of process i at i*kinds.length+k; 0 where not asked for or not readable); with withFds, every fd that refers to a
// namespace. All of nsfs is one device (`device`: st_dev of our own user namespace link).
Napi::Value ScanProcesses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t flags = ArgUint32(info, 0, "flags");
  const bool withFds = ArgBool(info, 1, "withFds");
  ProcDir proc(env);
  const std::vector<int> candidates = ListPids(env, proc.dir);
  struct stat self;
  if (::fstatat(proc.fd(), "self/ns/user", &self, 0) == -1) {
    const int err = errno;
    ThrowSystemErrorPath(env, err, "stat", "/proc/self/ns/user");
  }

  std::vector<Slice> slices(SlicesFor(candidates.size()));
  ParallelSlices(candidates.size(), slices.size(), [&](size_t begin, size_t end, size_t s) {
    ScanSlice(proc.fd(), candidates.data() + begin, end - begin, flags, withFds, slices[s]);
  });

  size_t procs = 0, fds = 0;
  for (const Slice& s : slices) procs += s.procs.size(), fds += s.fds.size();
  Napi::Int32Array pids = Napi::Int32Array::New(env, procs);
  Napi::Uint32Array uids = Napi::Uint32Array::New(env, procs);
  Napi::BigUint64Array inodes = Napi::BigUint64Array::New(env, procs * kScanKinds);
  Napi::Int32Array fdPids = Napi::Int32Array::New(env, fds), fdNums = Napi::Int32Array::New(env, fds), fdKinds = Napi::Int32Array::New(env, fds);
  Napi::BigUint64Array fdInodes = Napi::BigUint64Array::New(env, fds);
  size_t i = 0, j = 0;
  for (const Slice& s : slices) {
    for (const ProcRecord& r : s.procs) {
      pids[i] = r.pid;
      uids[i] = r.uid;
      std::memcpy(inodes.Data() + i * kScanKinds, r.ino, sizeof r.ino);
      ++i;
    }
    for (const FdRecord& r : s.fds) {
      fdPids[j] = r.pid, fdNums[j] = r.fd, fdKinds[j] = r.kind, fdInodes[j] = r.ino;
      ++j;
    }
  }
  Napi::Array kinds = Napi::Array::New(env, kScanKinds);
  for (int k = 0; k < kScanKinds; ++k) kinds[static_cast<uint32_t>(k)] = Napi::String::New(env, kNamespaceKinds[k].name);
  Napi::Object result = Napi::Object::New(env);
  result.Set("kinds", kinds);
  result.Set("pids", pids);
  result.Set("uids", uids);
  result.Set("inodes", inodes);
  result.Set("device", Napi::BigInt::New(env, static_cast<uint64_t>(self.st_dev)));
  result.Set("fdPids", fdPids);
  result.Set("fds", fdNums);
  result.Set("fdKinds", fdKinds);
  result.Set("fdInodes", fdInodes);
  return result;
}

// Appends /proc/<pid>/cmdline with NULs turned into spaces (like lsns's COMMAND), or the comm
// when the cmdline is empty (kernel threads, zombies).
void AppendCommand(int procfd, int pid, std::string& out) {
  char path[64];
  std::snprintf(path, sizeof path, "%d/cmdline", pid);
  char buf[4096];
  size_t start = out.size();
  {
    UniqueFd fd(::openat(procfd, path, O_RDONLY | O_CLOEXEC));
    if (fd.get() != -1) {
      ssize_t n;
      while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  while (out.size() > start && out.back() == '\0') out.pop_back();
  if (out.size() > start) {
    for (size_t i = start; i < out.size(); ++i) {
      if (out[i] == '\0') out[i] = ' ';
    }
    return;
  }
  std::snprintf(path, sizeof path, "%d/comm", pid);
  UniqueFd fd(::openat(procfd, path, O_RDONLY | O_CLOEXEC));
  if (fd.get() == -1) return;
  const ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n > 0) out.append(buf, static_cast<size_t>(buf[n - 1] == '\n' ? n - 1 : n));
}

// readProcessDetails(pids: Int32Array) -> { commands, ppids }: for the few representative
// processes only (lsns reads these for the printed pid, not for every process). `commands` holds
// one command per pid, separated by NUL ('' when gone); ppids[i] is -1 when gone.
Napi::Value ReadProcessDetails(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(env, "The \"pids\" argument must be an Int32Array");
  }
  Napi::Int32Array pids = info[0].As<Napi::Int32Array>();
  ProcDir proc(env);
  std::string out;
  std::vector<int32_t> ppids(pids.ElementLength(), -1);
  char name[16];
  for (size_t i = 0; i < pids.ElementLength(); ++i) {
    if (i > 0) out.push_back('\0');
    AppendCommand(proc.fd(), pids[i], out);
    std::snprintf(name, sizeof name, "%d", pids[i]);
    ppids[i] = ReadPpid(proc.fd(), name);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("commands", Napi::String::New(env, out));
  result.Set("ppids", CopyInt32(env, ppids));
  return result;
}

}  // namespace

Napi::Int32Array CopyInt32(Napi::Env env, const std::vector<int32_t>& v) {
  Napi::Int32Array a = Napi::Int32Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(int32_t));
  return a;
}

Napi::Uint32Array CopyUint32(Napi::Env env, const std::vector<uint32_t>& v) {
  Napi::Uint32Array a = Napi::Uint32Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(uint32_t));
  return a;
}

Napi::BigUint64Array CopyUint64(Napi::Env env, const std::vector<uint64_t>& v) {
  Napi::BigUint64Array a = Napi::BigUint64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(uint64_t));
  return a;
}

void RegisterProcScan(Napi::Env env, Napi::Object exports) {
  exports.Set("scanProcesses", Napi::Function::New<ScanProcesses>(env, "scanProcesses"));
  exports.Set("readProcessDetails", Napi::Function::New<ReadProcessDetails>(env, "readProcessDetails"));
}

}  // namespace nsbridge
