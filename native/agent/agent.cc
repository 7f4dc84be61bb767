// nsbridge-agent: one scenario process of the kernel cross-check (src/verify/kernel-driver.ts).
//
// Not part of the addon: a program of its own, started once per scenario as 'init' (pid 1 of a
// fresh pid namespace T) by nsbridge's spawn(). Every other scenario process is a clone3 child of
// an agent, made by the agent itself, so each one is a real process with exactly the state the
// steps gave it. Single-threaded by design: the kernel refuses a multithreaded process some
// namespace changes (joining or creating a user namespace, joining a mnt or time namespace), and
// the cross-check must be able to make them.
//
// Channel: each agent connects to the driver's Unix socket (a filesystem path: it works across
// net, mnt and user namespaces, which an abstract socket does not) and says
//   hello <token> <name> <pid in T>
// Then, one line per command, one line per reply (every field a token without spaces; names are
// percent-encoded by the driver and opaque here):
//   <seq> <command> <args…>   →   <seq> ok [values…] | <seq> err <ERRNO> | <seq> refused <why>
// The commands are the scenario ops, by the same names, plus 'ping'. Their argument and reply
// words are described once, in the op descriptors (src/ops/, message schema in
// src/ops/agent-protocol.ts); protocol.inc, generated from them, is the table Dispatch checks
// each request against. A command is one system call (or the few the op needs), made as given;
// the result is the kernel's, never interpreted. A process that is killed, stopped or exits
// while it runs a command sends nothing: the driver sees that through its pidfd and /proc.
//
// Invariants:
// - Every fd the agent opens is O_CLOEXEC (nothing is exec'd, but the rule costs nothing).
// - A handle name that is not in the table, or '-', is an fd that is never open (kBadFd): the
//   kernel's EBADF.
// - Signal dispositions start at SIG_DFL (spawn() resets them) and change only by a 'handle'
//   command; the agent never waits for a child unless told to, so zombies stay.
// - clone3 children that share memory (CLONE_VM) run SleeperMain on a stack of their own and make
//   raw system calls only: they share the agent's memory and TLS, so they must not touch errno,
//   locks or the heap.
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/reboot.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "../kernel_compat.h"
#include "../spawn/clone3_trampoline.h"
#include "../spawn/raw_syscall.h"

namespace {

namespace raw = nsbridge::raw;

// An fd number that is never open: far above any RLIMIT_NOFILE, still a positive int (waitid
// with P_PIDFD rejects negative ids with EINVAL, not EBADF).
constexpr int kBadFd = 0x3fffffff;
// The inode of the initial pid namespace (PROC_PID_INIT_INO): reboot(2) there reboots the machine.
constexpr unsigned long kInitPidNsIno = 0xEFFFFFFCUL;
// Stack of a CLONE_VM sleeper: room for signal frames (xsave state) of handlers run on it.
constexpr size_t kSleeperStack = 256 * 1024;

// ---- received signals: written by the handler, read and cleared by the 'signals' command -------

struct SignalRecord {
  int signo;
  int from_pid;
};
constexpr unsigned kRingSize = 1024;
SignalRecord g_ring[kRingSize];
unsigned g_ring_count;  // atomic: handlers on threads of this agent may run concurrently
// The agent's own tgid. A CLONE_VM sleeper *process* shares this memory and may inherit the
// handler: it must not record into the agent's ring (a thread of the agent may: same process).
long g_agent_tgid;

NSBRIDGE_CHILD_CODE void OnSignal(int signo, siginfo_t* info, void*) {
  if (raw::Syscall(SYS_getpid) != __atomic_load_n(&g_agent_tgid, __ATOMIC_RELAXED)) return;
  unsigned slot = __atomic_fetch_add(&g_ring_count, 1, __ATOMIC_ACQ_REL);
  if (slot < kRingSize) {
    g_ring[slot].signo = signo;
    g_ring[slot].from_pid = info->si_pid;
  }
}

// The body of a CLONE_VM child (a sleeper process, or with CLONE_THREAD a thread of the agent):
// every signal unblocked (the clone happened with all blocked), then sleep until killed. A
// handled signal runs the handler and returns here; a fatal one ends the process like any other.
NSBRIDGE_CHILD_CODE int SleeperMain(void*) {
  uint64_t none = 0;
  raw::Syscall(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, sizeof none);
  for (;;) raw::Syscall(SYS_ppoll, 0, 0, 0, 0, 0);
}

// ---- the agent's own state (copied to a fork-style child, which then resets its part) -----------

struct State {
  std::string socket_path;
  std::string token;
  std::string name;
  unsigned long harness_pidns_ino = 0;  // reboot is refused in the driver's own pid namespace too
  int conn = -1;
  std::string inbuf;
};
State g;

[[noreturn]] void Die(const char* what) {
  // stderr is the driver's diagnostics pipe; the agent's failure becomes the driver's error.
  dprintf(2, "nsbridge-agent %s: %s: %s\n", g.name.c_str(), what, strerror(errno));
  _exit(70);
}

std::string ErrnoName(int e) {
  const char* name = strerrorname_np(e);
  if (name != nullptr) return name;
  std::string unknown = "E";  // (not "E" + to_string: GCC 12 warns falsely, -Wrestrict)
  unknown += std::to_string(e);
  return unknown;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') i++;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') j++;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}


std::string Hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(strtol(hex.substr(i, 2).c_str(), nullptr, 16)));
  return out;
}

// Handles are fds at numbers the driver chooses per name ('-' = none): the fd table itself is the
// name table, so CLONE_FILES children share handles and a fork-style child gets a copy, exactly as
// the kernel shares or copies the fds; a number that is not open is EBADF like any closed fd.
int HandleFd(const std::string& name) {
  if (name.empty() || name == "-") return kBadFd;
  return static_cast<int>(strtol(name.c_str(), nullptr, 10));
}

// Put `fd` in the handle at fd number `slot` (kBadFd: none, close it). A handle that already held
// an fd gives it up (dup3 closes it): a name refers to one fd.
void StoreHandle(int slot, int fd) {
  if (slot == kBadFd) {
    close(fd);
    return;
  }
  if (fd == slot) return;
  if (dup3(fd, slot, O_CLOEXEC) < 0) Die("dup3 (handle slot)");
  close(fd);
}

// A namespace's identity for results: NS_GET_ID (6.18+: 64-bit, never reused) where the kernel
// has it, else the nsfs inode. Inodes are not enough on their own: the kernel gives a freed
// namespace's inode number to the next namespace at once (of any kind), and the harness would
// then take two namespaces of one scenario for one.
std::string NsIdOf(int fd) {
  __u64 id = 0;
  if (ioctl(fd, NS_GET_ID, &id) == 0) return std::to_string(id);
  struct stat st;
  if (fstat(fd, &st) != 0) return "0";
  return std::to_string(static_cast<unsigned long long>(st.st_ino));
}

// ---- the channel ----------------------------------------------------------------------------------

void SendAll(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = send(g.conn, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);  // the driver is gone: nothing left to do
    done += static_cast<size_t>(n);
  }
}

// One line from the driver; the agent exits when the driver closes the channel.
std::string ReadLine() {
  for (;;) {
    size_t nl = g.inbuf.find('\n');
    if (nl != std::string::npos) {
      std::string line = g.inbuf.substr(0, nl);
      g.inbuf.erase(0, nl + 1);
      return line;
    }
    char chunk[4096];
    ssize_t n = read(g.conn, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;  // a handled signal: the handler has run
    if (n <= 0) _exit(0);
    g.inbuf.append(chunk, static_cast<size_t>(n));
  }
}

long PidInProcMount() {
  // /proc is T's proc mount in every scenario mount namespace, so this is the pid in T.
  char buf[32];
  ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = '\0';
  return strtol(buf, nullptr, 10);
}

void ConnectAndHello() {
  g.conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (g.conn < 0) Die("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (g.socket_path.size() >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    Die("socket path");
  }
  memcpy(addr.sun_path, g.socket_path.c_str(), g.socket_path.size() + 1);
  while (connect(g.conn, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINTR) Die("connect");
  }
  SendAll("hello " + g.token + " " + g.name + " " + std::to_string(PidInProcMount()) + "\n");
}

// ---- commands ---------------------------------------------------------------------------------
//
// Each command is one scenario op of the same name (src/ops/), or the protocol's 'ping'. The
// table of commands, with the kind of each argument word, is generated from the op descriptors
// (protocol.inc, included below the handlers): Dispatch checks a request's words against it, so a
// handler reads only words of the kind it expects.

struct Reply {
  Reply(std::string reply = {}) : text(std::move(reply)) { sigemptyset(&child_mask); }
  std::string text;           // without seq and newline; empty: send nothing
  bool became_child = false;  // this is the fork-style child of a clone3: start over as it
  uint64_t child_flags = 0;
  std::string child_name;
  sigset_t child_mask;  // the mask to restore once the child has reset its state
};

Reply Ok(const std::string& value = "") { return {value.empty() ? "ok" : "ok " + value}; }
Reply Err(int e) { return {"err " + ErrnoName(e)}; }
Reply Result(long r) { return r < 0 ? Err(errno) : Ok(); }

// The kinds of argument word (src/ops/agent-protocol.ts ARG_KINDS).
enum class ArgKind { kFd, kInt, kMask, kEnum, kPath, kBytes, kName, kInts };

struct ArgSpec {
  ArgKind kind;
  const char* const* words;  // kEnum: the words it may be, up to a nullptr
};

bool IsDecimal(const std::string& s, size_t from = 0) {
  if (from < s.size() && s[from] == '-') from++;
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool IsHexDigits(const std::string& s, size_t from) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); i++) {
    if (!isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsInts(const std::string& s) {
  if (s == "-") return true;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (!IsDecimal(s.substr(i, j - i))) return false;
    i = j + 1;
  }
  return true;
}

bool Matches(const ArgSpec& spec, const std::string& w) {
  switch (spec.kind) {
    case ArgKind::kFd: return w == "-" || (IsDecimal(w) && w[0] != '-');
    case ArgKind::kInt: return IsDecimal(w);
    case ArgKind::kMask: return w.size() > 2 && w[0] == '0' && w[1] == 'x' && IsHexDigits(w, 2);
    case ArgKind::kEnum:
      for (const char* const* word = spec.words; *word != nullptr; word++) {
        if (w == *word) return true;
      }
      return false;
    case ArgKind::kPath: return !w.empty() && w[0] == '/';
    case ArgKind::kBytes: return w == "-" || (w.size() % 2 == 0 && IsHexDigits(w, 0));
    case ArgKind::kName: return w.size() > 1 && w[0] == 'n';
    case ArgKind::kInts: return IsInts(w);
  }
  return false;
}

// A request's argument words, already checked against the command's kinds.
class Args {
 public:
  explicit Args(const std::vector<std::string>& words) : words_(words) {}
  // Argument i (after the seq and the command name).
  const std::string& Word(size_t i) const { return words_[i + 2]; }
  int Fd(size_t i) const { return HandleFd(Word(i)); }
  long long Int(size_t i) const { return strtoll(Word(i).c_str(), nullptr, 10); }
  uint64_t Mask(size_t i) const { return strtoull(Word(i).c_str() + 2, nullptr, 16); }
  std::string Bytes(size_t i) const { return Word(i) == "-" ? "" : Unhex(Word(i)); }
  std::vector<pid_t> Ints(size_t i) const {
    std::vector<pid_t> out;
    const std::string& w = Word(i);
    if (w == "-") return out;
    size_t from = 0;
    while (from <= w.size()) {
      size_t comma = w.find(',', from);
      if (comma == std::string::npos) comma = w.size();
      out.push_back(static_cast<pid_t>(strtoll(w.substr(from, comma - from).c_str(), nullptr, 10)));
      from = comma + 1;
    }
    return out;
  }

 private:
  const std::vector<std::string>& words_;
};

struct Command {
  const char* name;
  Reply (*run)(const Args&);
  int reply_words;  // the words an 'ok' reply has after 'ok'; -1: a list of any length
  size_t argc;
  ArgSpec args[6];
};

Reply Ping(const Args&) { return Ok(); }

size_t CloneSize(const std::string& token, size_t page) {
  if (token == "v0") return 64;
  if (token == "v1") return 80;
  if (token == "short") return 63;
  if (token == "long-zero" || token == "long-nonzero") return 128;
  if (token == "huge") return page + 8;
  return 88;  // v2
}

// clone3 <flags> <exit_signal> <size> <set_tid> <pidfd handle> <child name>
Reply Clone3(const Args& a) {
  const uint64_t flags = a.Mask(0);
  const long page = sysconf(_SC_PAGESIZE);
  const size_t size = CloneSize(a.Word(2), static_cast<size_t>(page));
  // Zeroed and large enough for every size, so the kernel's read of a long struct stays in bounds.
  std::vector<uint64_t> words(static_cast<size_t>(page) / 8 + 32, 0);
  auto* bytes = reinterpret_cast<unsigned char*>(words.data());
  auto* args = reinterpret_cast<nsbridge_clone_args*>(words.data());
  if (a.Word(2) == "long-nonzero") bytes[size - 1] = 1;
  int pidfd = -1;
  std::vector<pid_t> set_tid = a.Ints(3);
  args->flags = flags;
  args->pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args->exit_signal = static_cast<uint64_t>(a.Int(1));
  if (!set_tid.empty()) {
    args->set_tid = reinterpret_cast<uintptr_t>(set_tid.data());
    args->set_tid_size = set_tid.size();
  }

  // All signals blocked across the clone: the child starts with nothing delivered before it has
  // set itself up (a fork-style child resets its signal record, a sleeper unblocks).
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  long pid;
  int saved_errno = 0;
  if (flags & CLONE_VM) {
    void* stack = mmap(nullptr, kSleeperStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
      saved_errno = errno;
      sigprocmask(SIG_SETMASK, &old, nullptr);
      return Err(saved_errno);
    }
    args->stack = reinterpret_cast<uintptr_t>(stack);
    args->stack_size = kSleeperStack;
    pid = nsbridge_clone3(args, size, SleeperMain, nullptr);
    if (pid < 0) {
      saved_errno = static_cast<int>(-pid);
      munmap(stack, kSleeperStack);
    }
    // On success the stack belongs to the sleeper for the rest of its life (never unmapped).
  } else {
    // Fork-style: the child continues right here on its copy of this stack.
    pid = syscall(__NR_clone3, args, size);
    if (pid < 0) saved_errno = errno;
    if (pid == 0) {
      Reply child;
      child.became_child = true;
      child.child_flags = flags;
      child.child_name = a.Word(5);
      child.child_mask = old;  // restored once the child has reset its own state (Serve)
      return child;
    }
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return Err(saved_errno);
  if ((flags & CLONE_PIDFD) && pidfd >= 0) StoreHandle(a.Fd(4), pidfd);
  return Ok(std::to_string(pid));
}

Reply Unshare(const Args& a) { return Result(unshare(static_cast<int>(a.Mask(0)))); }

Reply Setns(const Args& a) { return Result(setns(a.Fd(0), static_cast<int>(a.Mask(1)))); }

// <handle> <path>: open(2) read-only into the handle.
Reply OpenFile(const Args& a) {
  int fd = open(a.Word(1).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  StoreHandle(a.Fd(0), fd);
  return Ok();
}

// <handle> <pid> <flags>
Reply PidfdOpen(const Args& a) {
  long fd = syscall(__NR_pidfd_open, a.Int(1), a.Mask(2));
  if (fd < 0) return Err(errno);
  StoreHandle(a.Fd(0), static_cast<int>(fd));
  return Ok();
}

Reply Close(const Args& a) { return Result(close(a.Fd(0))); }

Reply Exit(const Args& a) {
  syscall(SYS_exit_group, a.Int(0));  // never returns
  return {"refused exit-returned"};
}

Reply Kill(const Args& a) { return Result(syscall(SYS_kill, a.Int(0), a.Int(1))); }

Reply PidfdSendSignal(const Args& a) { return Result(syscall(__NR_pidfd_send_signal, a.Fd(0), a.Int(1), nullptr, 0)); }

Reply Getpid(const Args&) { return Ok(std::to_string(syscall(SYS_getpid))); }

Reply Getppid(const Args&) { return Ok(std::to_string(syscall(SYS_getppid))); }

// <uid|gid>: getuid(2) / getgid(2), the id as the caller's user namespace maps it.
Reply Getuid(const Args& a) { return Ok(std::to_string(syscall(a.Word(0) == "uid" ? SYS_getuid : SYS_getgid))); }

// <path>: the whole file, hex-encoded ('-' when empty).
Reply ReadFile(const Args& a) {
  int fd = open(a.Word(0).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  std::string content;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return Err(e);
    }
    if (n == 0) break;
    content.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  return Ok(content.empty() ? "-" : Hex(content));
}

// <path> <bytes>: one write(2) of the whole content (uid_map / gid_map must be written in one go).
Reply WriteFile(const Args& a) {
  const std::string content = a.Bytes(1);
  int fd = open(a.Word(0).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  ssize_t n = write(fd, content.data(), content.size());
  int e = errno;
  close(fd);
  if (n < 0) return Err(e);
  if (static_cast<size_t>(n) != content.size()) return {"refused short-write"};
  return Ok();
}

// <path of a /proc/<pid>/ns/<entry> link>: readlink(2) (the op's system call, with its errors),
// then the namespace's id through the same path (see NsIdOf).
Reply NsId(const Args& a) {
  const std::string& path = a.Word(0);
  char target[256];
  if (readlink(path.c_str(), target, sizeof target) < 0) return Err(errno);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  std::string id = NsIdOf(fd);
  close(fd);
  return Ok(id);
}

// <handle> <NS_GET_PARENT|NS_GET_USERNS|NS_GET_NSTYPE|NS_GET_OWNER_UID> <handle for the new fd>
Reply NsIoctl(const Args& a) {
  const int fd = a.Fd(0);
  const std::string& request = a.Word(1);
  if (request == "NS_GET_PARENT" || request == "NS_GET_USERNS") {
    int got = ioctl(fd, request == "NS_GET_PARENT" ? NS_GET_PARENT : NS_GET_USERNS);
    if (got < 0) return Err(errno);
    std::string id = NsIdOf(got);
    StoreHandle(a.Fd(2), got);
    return Ok(id);
  }
  if (request == "NS_GET_NSTYPE") {
    int type = ioctl(fd, NS_GET_NSTYPE);
    return type < 0 ? Err(errno) : Ok(std::to_string(type));
  }
  uid_t uid = 0;  // NS_GET_OWNER_UID
  return ioctl(fd, NS_GET_OWNER_UID, &uid) < 0 ? Err(errno) : Ok(std::to_string(uid));
}

// <handle> <in|from> <pid>: NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS (the pid is the ioctl's
// argument itself, not a pointer).
Reply TranslatePid(const Args& a) {
  unsigned long request = a.Word(1) == "in" ? NS_GET_PID_IN_PIDNS : NS_GET_PID_FROM_PIDNS;
  int pid = ioctl(a.Fd(0), request, static_cast<unsigned long>(a.Int(2)));
  return pid < 0 ? Err(errno) : Ok(std::to_string(pid));
}

// <all|pid|pidfd> <pid> <pidfd handle>: waitid(WEXITED | WNOHANG). Reply: <pid> <code|signal>
// <status>, or 0 none 0 when no child has exited yet.
Reply Wait(const Args& a) {
  long type = P_ALL, id = 0;
  if (a.Word(0) == "pid") {
    type = P_PID;
    id = a.Int(1);
  } else if (a.Word(0) == "pidfd") {
    type = P_PIDFD;
    id = a.Fd(2);
  }
  siginfo_t info;
  memset(&info, 0, sizeof info);
  if (syscall(SYS_waitid, type, id, &info, WEXITED | WNOHANG, nullptr) < 0) return Err(errno);
  if (info.si_pid == 0) return Ok("0 none 0");
  const char* how = info.si_code == CLD_EXITED ? "code" : "signal";
  return Ok(std::to_string(info.si_pid) + " " + how + " " + std::to_string(info.si_status));
}

// Reply: <signo>:<sender pid> per signal handled since the last 'signals'.
Reply Signals(const Args&) {
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  unsigned count = __atomic_exchange_n(&g_ring_count, 0, __ATOMIC_ACQ_REL);
  std::string out;
  for (unsigned i = 0; i < count && i < kRingSize; i++) {
    if (!out.empty()) out += ' ';
    out += std::to_string(g_ring[i].signo) + ":" + std::to_string(g_ring[i].from_pid);
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (count > kRingSize) return {"refused signal-record-overflow"};
  return Ok(out);
}

// <signo>: a recording handler.
Reply Handle(const Args& a) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  return Result(sigaction(static_cast<int>(a.Int(0)), &action, nullptr));
}

// <monotonic|boottime>: the clock in the caller's time namespace. Reply: <sec> <nsec>.
Reply Clock(const Args& a) {
  timespec ts;
  if (clock_gettime(a.Word(0) == "boottime" ? CLOCK_BOOTTIME : CLOCK_MONOTONIC, &ts) != 0) return Err(errno);
  return Ok(std::to_string(ts.tv_sec) + " " + std::to_string(ts.tv_nsec));
}

// <id>: setresgid then setresuid.
Reply SetIds(const Args& a) {
  const long id = static_cast<long>(a.Int(0));
  // Raw system calls: credentials of this thread (glibc's wrappers would do the same here, since
  // it knows of no other thread), gid first while the uid still allows it.
  if (syscall(SYS_setresgid, id, id, id) < 0) return Err(errno);
  if (syscall(SYS_setresuid, id, id, id) < 0) return Err(errno);
  return Ok();
}

Reply SetSubreaper(const Args&) { return Result(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)); }

// The reboot commands a step names (<linux/reboot.h>); 'bad-magic' is RESTART with a wrong magic1.
struct RebootCommand {
  const char* name;
  unsigned int cmd;
  unsigned int magic1;
};
constexpr RebootCommand kRebootCommands[] = {
    {"restart", LINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_MAGIC1},
    {"restart2", LINUX_REBOOT_CMD_RESTART2, LINUX_REBOOT_MAGIC1},
    {"power_off", LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_MAGIC1},
    {"halt", LINUX_REBOOT_CMD_HALT, LINUX_REBOOT_MAGIC1},
    {"cad_on", LINUX_REBOOT_CMD_CAD_ON, LINUX_REBOOT_MAGIC1},
    {"cad_off", LINUX_REBOOT_CMD_CAD_OFF, LINUX_REBOOT_MAGIC1},
    {"bad-magic", LINUX_REBOOT_CMD_RESTART, 0},
};

// <command>. Safety: only inside a pid namespace that is neither the initial one (there it would
// reboot the machine) nor the driver's own. In a child pid namespace the kernel turns restart /
// power_off / halt into killing that namespace's init, and the caller exits.
Reply Reboot(const Args& a) {
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) != 0) return {"refused cannot-check-pid-namespace"};
  if (st.st_ino == kInitPidNsIno || st.st_ino == g.harness_pidns_ino) return {"refused initial-pid-namespace"};
  for (const RebootCommand& command : kRebootCommands) {
    if (a.Word(0) != command.name) continue;
    static const char restart2_arg[] = "";
    return Result(syscall(SYS_reboot, static_cast<long>(command.magic1), static_cast<long>(LINUX_REBOOT_MAGIC2),
                          static_cast<long>(command.cmd), restart2_arg));
  }
  return {"refused unknown-reboot-command"};
}

#include "protocol.inc"

// words: <seq> <command> <args…>. A command the table does not have, or words that are not of
// the kinds it lists, are refused without running anything (the driver's error, not the kernel's).
Reply Dispatch(const std::vector<std::string>& words) {
  for (const Command& command : kCommands) {
    if (words[1] != command.name) continue;
    if (words.size() - 2 != command.argc) return {"refused usage"};
    for (size_t i = 0; i < command.argc; i++) {
      if (!Matches(command.args[i], words[i + 2])) return {"refused bad-argument-" + std::to_string(i)};
    }
    Reply reply = command.run(Args(words));
    // A handler that answers other than its schema says is the agent's bug: say so rather than
    // let the driver misread the words.
    if (command.reply_words >= 0 && reply.text.compare(0, 2, "ok") == 0 &&
        static_cast<int>(Split(reply.text).size()) - 1 != command.reply_words) {
      return {"refused reply-breaks-schema"};
    }
    return reply;
  }
  return {"refused unknown-command"};
}

[[noreturn]] void Serve() {
  for (;;) {
    const std::vector<std::string> words = Split(ReadLine());
    if (words.size() < 2) {
      SendAll("0 refused empty-command\n");
      continue;
    }
    Reply reply = Dispatch(words);
    if (reply.became_child) {
      // The fork-style child of a clone3: it has the parent's memory (handle table included,
      // like the fd table it copied) but is a process of its own. Its record of received signals
      // starts empty; the parent's channel is closed unless the fd table is shared (CLONE_FILES:
      // closing it would close the parent's), then it says hello under its own name.
      g_agent_tgid = syscall(SYS_getpid);
      __atomic_store_n(&g_ring_count, 0, __ATOMIC_RELEASE);
      if (!(reply.child_flags & CLONE_FILES)) close(g.conn);
      g.conn = -1;
      g.inbuf.clear();
      g.name = reply.child_name;
      sigprocmask(SIG_SETMASK, &reply.child_mask, nullptr);
      ConnectAndHello();
      continue;
    }
    if (!reply.text.empty()) SendAll(words[0] + " " + reply.text + "\n");
  }
}

}  // namespace

// argv: <socket path> <token> <name> <inode of the driver's pid namespace>
int main(int argc, char** argv) {
  if (argc < 5) {
    dprintf(2, "usage: nsbridge-agent <socket path> <token> <name> <driver pid-namespace inode>\n"
               "(started by nsbridge's kernel cross-check driver, not by hand)\n");
    return 64;
  }
  g.socket_path = argv[1];
  g.token = argv[2];
  g.name = argv[3];
  g.harness_pidns_ino = strtoul(argv[4], nullptr, 10);
  g_agent_tgid = syscall(SYS_getpid);
  // Safety: a session (and process group) of the world's own. Otherwise the agents would share
  // the driver's process group, and kill(0, …) — or kill(-pgid) — by any of them would reach the
  // driver and its siblings: the kernel resolves a process group across pid namespaces.
  if (setsid() < 0) Die("setsid");
  // No core files from agents killed by SIGQUIT & co. (a limit of 1 also stops a core_pattern
  // pipe; the result a wait reports is the killing signal either way).
  rlimit no_core = {1, 1};
  if (setrlimit(RLIMIT_CORE, &no_core) < 0) Die("setrlimit(RLIMIT_CORE)");
  ConnectAndHello();
  Serve();
}
