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
// A command is one system call (or the few the op needs), made as given; the result is the
// kernel's, never interpreted. A process that is killed, stopped or exits while it runs a command
// sends nothing: the driver sees that through the process's pidfd and /proc.
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
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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
// reboot(2) magic numbers (<linux/reboot.h>).
constexpr long kRebootMagic1 = 0xfee1dead;
constexpr long kRebootMagic2 = 672274793;

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

long long ToInt(const std::string& s) { return strtoll(s.c_str(), nullptr, 0); }
unsigned long long ToUnsigned(const std::string& s) { return strtoull(s.c_str(), nullptr, 0); }

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
  return static_cast<int>(ToInt(name));
}

// Put `fd` in handle `name` (if a name is given; else close it): move it to the handle's number.
// A handle that already held an fd gives it up (dup3 closes it): a name refers to one fd.
void StoreHandle(const std::string& name, int fd) {
  const int slot = HandleFd(name);
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

size_t CloneSize(const std::string& token, size_t page) {
  if (token == "v0") return 64;
  if (token == "v1") return 80;
  if (token == "short") return 63;
  if (token == "long-zero" || token == "long-nonzero") return 128;
  if (token == "huge") return page + 8;
  return 88;  // v2
}

// clone3 <flags> <exit_signal> <size> <set_tid a,b|-> <pidfd handle|-> <child name>
Reply Clone3(const std::vector<std::string>& a) {
  if (a.size() < 8) return {"refused usage"};
  const uint64_t flags = ToUnsigned(a[2]);
  const long page = sysconf(_SC_PAGESIZE);
  const size_t size = CloneSize(a[4], static_cast<size_t>(page));
  // Zeroed and large enough for every size, so the kernel's read of a long struct stays in bounds.
  std::vector<uint64_t> words(static_cast<size_t>(page) / 8 + 32, 0);
  auto* bytes = reinterpret_cast<unsigned char*>(words.data());
  auto* args = reinterpret_cast<nsbridge_clone_args*>(words.data());
  if (a[4] == "long-nonzero") bytes[size - 1] = 1;
  int pidfd = -1;
  std::vector<pid_t> set_tid;
  if (a[5] != "-") {
    size_t i = 0;
    while (i <= a[5].size()) {
      size_t j = a[5].find(',', i);
      if (j == std::string::npos) j = a[5].size();
      set_tid.push_back(static_cast<pid_t>(ToInt(a[5].substr(i, j - i))));
      i = j + 1;
    }
  }
  args->flags = flags;
  args->pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args->exit_signal = static_cast<uint64_t>(ToInt(a[3]));
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
      child.child_name = a[7];
      child.child_mask = old;  // restored once the child has reset its own state (Serve)
      return child;
    }
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return Err(saved_errno);
  if ((flags & CLONE_PIDFD) && pidfd >= 0) StoreHandle(a[6], pidfd);
  return Ok(std::to_string(pid));
}

Reply Open(const std::string& as, const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  StoreHandle(as, fd);
  return Ok();
}

Reply ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
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

// One write(2) of the whole content (uid_map / gid_map must be written in one go).
Reply WriteFile(const std::string& path, const std::string& hex) {
  const std::string content = hex == "-" ? "" : Unhex(hex);
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  ssize_t n = write(fd, content.data(), content.size());
  int e = errno;
  close(fd);
  if (n < 0) return Err(e);
  if (static_cast<size_t>(n) != content.size()) return {"refused short-write"};
  return Ok();
}

// readlink(2) of a /proc/<pid>/ns/<entry> link (the op's system call, with its errors), then the
// namespace's id through the same path (see NsIdOf).
Reply NsRef(const std::string& path) {
  char target[256];
  if (readlink(path.c_str(), target, sizeof target) < 0) return Err(errno);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno);
  std::string id = NsIdOf(fd);
  close(fd);
  return Ok(id);
}

// nsioctl <handle> <PARENT|USERNS|NSTYPE|OWNER_UID> <as|->
Reply NsIoctl(const std::vector<std::string>& a) {
  if (a.size() < 5) return {"refused usage"};
  const int fd = HandleFd(a[2]);
  const std::string& request = a[3];
  if (request == "PARENT" || request == "USERNS") {
    int got = ioctl(fd, request == "PARENT" ? NS_GET_PARENT : NS_GET_USERNS);
    if (got < 0) return Err(errno);
    std::string id = NsIdOf(got);
    StoreHandle(a[4], got);
    return Ok(id);
  }
  if (request == "NSTYPE") {
    int type = ioctl(fd, NS_GET_NSTYPE);
    return type < 0 ? Err(errno) : Ok(std::to_string(type));
  }
  if (request == "OWNER_UID") {
    uid_t uid = 0;
    return ioctl(fd, NS_GET_OWNER_UID, &uid) < 0 ? Err(errno) : Ok(std::to_string(uid));
  }
  return {"refused unknown-request"};
}

// pidtr <handle> <in|from> <pid>: NS_GET_PID_IN_PIDNS / NS_GET_PID_FROM_PIDNS (the pid is the
// ioctl's argument itself, not a pointer).
Reply PidTranslate(const std::vector<std::string>& a) {
  if (a.size() < 5) return {"refused usage"};
  unsigned long request = a[3] == "in" ? NS_GET_PID_IN_PIDNS : NS_GET_PID_FROM_PIDNS;
  int pid = ioctl(HandleFd(a[2]), request, static_cast<unsigned long>(ToInt(a[4])));
  return pid < 0 ? Err(errno) : Ok(std::to_string(pid));
}

// wait <pid N|all|pidfd H>: waitid(WEXITED | WNOHANG).
Reply Wait(const std::vector<std::string>& a) {
  if (a.size() < 3) return {"refused usage"};
  long type = P_ALL, id = 0;
  if (a[2] == "pid" && a.size() > 3) {
    type = P_PID;
    id = ToInt(a[3]);
  } else if (a[2] == "pidfd" && a.size() > 3) {
    type = P_PIDFD;
    id = HandleFd(a[3]);
  }
  siginfo_t info;
  memset(&info, 0, sizeof info);
  if (syscall(SYS_waitid, type, id, &info, WEXITED | WNOHANG, nullptr) < 0) return Err(errno);
  if (info.si_pid == 0) return Ok("none");
  const char* how = info.si_code == CLD_EXITED ? "code" : "signal";
  return Ok(std::to_string(info.si_pid) + " " + how + " " + std::to_string(info.si_status));
}

Reply Signals() {
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

Reply Handle(int signo) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  return Result(sigaction(signo, &action, nullptr));
}

Reply Clock(const std::string& which) {
  timespec ts;
  if (clock_gettime(which == "boot" ? CLOCK_BOOTTIME : CLOCK_MONOTONIC, &ts) != 0) return Err(errno);
  return Ok(std::to_string(ts.tv_sec) + " " + std::to_string(ts.tv_nsec));
}

Reply SetIds(long id) {
  // Raw system calls: credentials of this thread (glibc's wrappers would do the same here, since
  // it knows of no other thread), gid first while the uid still allows it.
  if (syscall(SYS_setresgid, id, id, id) < 0) return Err(errno);
  if (syscall(SYS_setresuid, id, id, id) < 0) return Err(errno);
  return Ok();
}

// reboot <restart|restart2|power_off|halt|cad_on|cad_off|bad-magic>
// Safety: only inside a pid namespace that is neither the initial one (there it would reboot the
// machine) nor the driver's own. In a child pid namespace the kernel turns restart / power_off /
// halt into killing that namespace's init, and the caller exits.
Reply Reboot(const std::string& cmd) {
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) != 0) return {"refused cannot-check-pid-namespace"};
  if (st.st_ino == kInitPidNsIno || st.st_ino == g.harness_pidns_ino) return {"refused initial-pid-namespace"};
  long magic1 = kRebootMagic1;
  long command;
  if (cmd == "restart") {
    command = 0x01234567;
  } else if (cmd == "restart2") {
    command = static_cast<long>(0xA1B2C3D4);
  } else if (cmd == "power_off") {
    command = 0x4321FEDC;
  } else if (cmd == "halt") {
    command = static_cast<long>(0xCDEF0123);
  } else if (cmd == "cad_on") {
    command = static_cast<long>(0x89ABCDEF);
  } else if (cmd == "cad_off") {
    command = 0;
  } else if (cmd == "bad-magic") {
    command = 0x01234567;
    magic1 = 0;
  } else {
    return {"refused unknown-reboot-command"};
  }
  static const char restart2_arg[] = "";
  return Result(syscall(SYS_reboot, magic1, kRebootMagic2, command, restart2_arg));
}

Reply Dispatch(const std::vector<std::string>& a) {
  const std::string& cmd = a[1];
  const size_t n = a.size();
  auto arg = [&](size_t i) -> const std::string& {
    static const std::string none = "-";
    return i < n ? a[i] : none;
  };
  if (cmd == "ping") return Ok();
  if (cmd == "clone3") return Clone3(a);
  if (cmd == "unshare") return Result(unshare(static_cast<int>(ToUnsigned(arg(2)))));
  if (cmd == "setns") return Result(setns(HandleFd(arg(2)), static_cast<int>(ToUnsigned(arg(3)))));
  if (cmd == "open") return Open(arg(2), arg(3));
  if (cmd == "pidfd_open") {
    long fd = syscall(__NR_pidfd_open, ToInt(arg(3)), ToUnsigned(arg(4)));
    if (fd < 0) return Err(errno);
    StoreHandle(arg(2), static_cast<int>(fd));
    return Ok();
  }
  if (cmd == "close") return Result(close(HandleFd(arg(2))));
  if (cmd == "exit") syscall(SYS_exit_group, ToInt(arg(2)));  // never returns
  if (cmd == "kill") return Result(syscall(SYS_kill, ToInt(arg(2)), ToInt(arg(3))));
  if (cmd == "pidfd_send_signal") return Result(syscall(__NR_pidfd_send_signal, HandleFd(arg(2)), ToInt(arg(3)), nullptr, 0));
  if (cmd == "handle") return Handle(static_cast<int>(ToInt(arg(2))));
  if (cmd == "signals") return Signals();
  if (cmd == "wait") return Wait(a);
  if (cmd == "getpid") return Ok(std::to_string(syscall(SYS_getpid)));
  if (cmd == "getppid") return Ok(std::to_string(syscall(SYS_getppid)));
  if (cmd == "read") return ReadFile(arg(2));
  if (cmd == "write") return WriteFile(arg(2), arg(3));
  if (cmd == "nsref") return NsRef(arg(2));
  if (cmd == "nsioctl") return NsIoctl(a);
  if (cmd == "pidtr") return PidTranslate(a);
  if (cmd == "clock") return Clock(arg(2));
  if (cmd == "setuid") return SetIds(static_cast<long>(ToInt(arg(2))));
  if (cmd == "subreaper") return Result(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
  if (cmd == "reboot") return Reboot(arg(2));
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
