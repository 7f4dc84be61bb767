// nsbridge-init: the init (pid 1) of a new pid namespace, like tini or bubblewrap's do_init.
//
// Not part of the addon: a tiny program of its own, forked by the spawn engine in front of the
// user's program when that program must not be the namespace's pid 1 (a pid 1 gets no default
// signal actions, and every orphan of the namespace becomes its child).
//
//   nsbridge-init STATUS_FD FILE ARGV0 [ARG...]
//
// STATUS_FD (decimal, >= 3) is open for writing (a socket); it is close-on-exec for the program.
// FILE is run as execvp would find it on PATH (without execvp's /bin/sh fallback), with argv
// ARGV0 ARG... (the environment is already the program's).
// init forwards every signal it receives to the program, reaps every child, and when the program
// ends exits the same way (as pid 1: the kernel then kills the rest of the namespace).
// STATUS_FD gets one line per write:
//   running <pid>            the program was exec'd; <pid> as init sees it (normally 2)
//   error <call> <errno>     fork, pipe2 or sigwaitinfo failed (exit 125), or the program's
//                            execve failed (call 'execve': exit 127 for ENOENT, else 126)
//   exit <code>              the program exited; init exits <code>
//   signal <signo>           a signal killed the program; init exits 128 + <signo>
// Bad usage: a message on stderr, exit 125.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// What spawn() searches when the environment has no PATH (src/spawn/options/program.ts DEFAULT_PATH).
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

// execvp's search without its shell fallback (execvp runs a file that fails with ENOEXEC through
// /bin/sh; nsbridge never starts a shell): the spawn engine's rules (native/spawn/child.cc Exec)
// — ENOENT-like errors try the next PATH entry ('' is '.'), EACCES is remembered and reported if
// nothing else runs, anything else stops. Returns the errno; returns only on failure.
int ExecOnPath(const char* file, char* const* args) {
  if (strchr(file, '/') != nullptr) {
    execve(file, args, environ);
    return errno;
  }
  const char* path = getenv("PATH");
  if (path == nullptr) path = kDefaultPath;
  const size_t file_length = strlen(file);
  bool saw_eacces = false;
  for (const char* dir = path;; dir++) {
    const char* end = strchrnul(dir, ':');
    const size_t dir_length = end == dir ? 1 : static_cast<size_t>(end - dir);
    char candidate[PATH_MAX];
    if (dir_length + 1 + file_length < sizeof candidate) {
      memcpy(candidate, end == dir ? "." : dir, dir_length);
      candidate[dir_length] = '/';
      memcpy(candidate + dir_length + 1, file, file_length + 1);
      execve(candidate, args, environ);
      const int error = errno;
      if (error == EACCES) {
        saw_eacces = true;
      } else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV && error != ETIMEDOUT) {
        return error;
      }
    }
    if (*end == '\0') break;
    dir = end;
  }
  return saw_eacces ? EACCES : ENOENT;
}

constexpr char kUsage[] = "nsbridge-init: usage: nsbridge-init STATUS_FD FILE ARGV0 [ARG...]\n";

int status_fd = -1;

void WriteAll(int fd, const char* text, size_t length) {
  // A failed write (EPIPE: nobody listens any more) is ignored; init goes on for the program.
  while (write(fd, text, length) < 0 && errno == EINTR) {
  }
}

// One write() per line, so a reader on the socket sees whole lines.
void Report(const char* word, long value) {
  char line[64];
  int length = snprintf(line, sizeof line, "%s %ld\n", word, value);
  WriteAll(status_fd, line, static_cast<size_t>(length));
}

[[noreturn]] void Fail(const char* call, int error) {
  char word[32];
  snprintf(word, sizeof word, "error %s", call);
  Report(word, error);
  _exit(125);
}

// STATUS_FD: all digits, >= 3, and an open fd.
bool ParseFd(const char* text, int* fd) {
  char* end = nullptr;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value < 3 ||
      value > 0x7fffffff) {
    return false;
  }
  *fd = static_cast<int>(value);
  return fcntl(*fd, F_GETFD) >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    WriteAll(2, kUsage, sizeof kUsage - 1);
    return 125;
  }
  if (!ParseFd(argv[1], &status_fd)) {
    char message[256];
    int length = snprintf(message, sizeof message,
                          "nsbridge-init: STATUS_FD '%.100s' is not an open fd number >= 3\n%s",
                          argv[1], kUsage);
    WriteAll(2, message, static_cast<size_t>(length));  // fits: argv[1] is cut at 100 chars
    return 125;
  }
  fcntl(status_fd, F_SETFD, FD_CLOEXEC);

  // The init of a pid namespace is SIGNAL_UNKILLABLE: a signal whose action is SIG_DFL is
  // dropped (kernel/signal.c sig_task_ignored(); only SIGKILL and SIGSTOP from an ancestor
  // namespace are forced), so init has no default actions. But a blocked signal is never
  // ignored, even if SIG_IGN (sig_ignored(); nor is one that sigwaitinfo() waits for,
  // real_blocked): it is queued. So with everything blocked, sigwaitinfo() receives every signal
  // sent from inside or outside the namespace, except SIGKILL and SIGSTOP, which cannot be
  // blocked. (glibc keeps its internal signals 32 and 33 out of any mask: to this pid 1 they are
  // SIG_DFL, so dropped.) A SIGPIPE from a write to a closed STATUS_FD is queued too (see the
  // loop).
  sigset_t all, old_mask;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old_mask);
  // A SIGCHLD of SIG_IGN inherited from the caller would make the kernel reap init's children at
  // once (kernel/signal.c do_notify_parent(): autoreap), and waitpid() would never see the
  // program's end. init takes SIG_DFL; the program gets the inherited action back.
  struct sigaction default_action = {}, old_chld;
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &default_action, &old_chld);

  // Started in a joined pid namespace, init is not its pid 1: as a child subreaper it still gets
  // the orphans of its descendants.
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  // The exec is seen through a close-on-exec pipe: EOF if it succeeded, else the errno.
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) < 0) Fail("pipe2", errno);
  pid_t program = fork();
  if (program < 0) Fail("fork", errno);
  if (program == 0) {
    close(exec_pipe[0]);
    // init sets no handlers, so the other dispositions are already those init was started with.
    // The mask is inherited across execve: restore it.
    sigaction(SIGCHLD, &old_chld, nullptr);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    int error = ExecOnPath(argv[2], &argv[3]);
    WriteAll(exec_pipe[1], reinterpret_cast<const char*>(&error), sizeof error);
    _exit(127);
  }
  close(exec_pipe[1]);
  int exec_error = 0;
  ssize_t n;
  while ((n = read(exec_pipe[0], &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
  }
  close(exec_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    while (waitpid(program, nullptr, 0) < 0 && errno == EINTR) {
    }
    Report("error execve", exec_error);
    return exec_error == ENOENT ? 127 : 126;
  }
  Report("running", program);

  const pid_t self = getpid();
  int program_status = 0;
  for (bool ended = false; !ended;) {
    siginfo_t info;
    int signo = sigwaitinfo(&all, &info);
    if (signo < 0) {
      if (errno == EINTR) continue;
      Fail("sigwaitinfo", errno);
    }
    if (signo == SIGCHLD) {
      // SIGCHLD is not queued per child: one pending SIGCHLD may stand for many dead children,
      // so reap until none is left (orphans included, else they stay zombies).
      for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR) continue;
        if (pid <= 0) break;  // 0: children left, none dead; ECHILD: no children
        if (pid == program) {
          program_status = status;
          ended = true;
        }
      }
      continue;
    }
    // A signal init sent itself is the kernel's doing on init's own behalf (SIGPIPE from a write
    // to a closed STATUS_FD, SIGXFSZ: send_sig() records the current task as sender), not one for
    // the program. Anyone else's has si_pid != init's (0 if sent from outside the namespace).
    if (info.si_code <= 0 && info.si_pid == self) continue;
    kill(program, signo);  // a program that is already a zombie takes it silently
  }

  if (WIFSIGNALED(program_status)) {
    Report("signal", WTERMSIG(program_status));
    return 128 + WTERMSIG(program_status);
  }
  Report("exit", WEXITSTATUS(program_status));
  return WEXITSTATUS(program_status);
}
