// See child_reaper.h. One detached thread for the whole process, blocking in epoll_wait over the
// handed-over pidfds (the fd number is the epoll key: no other bookkeeping), so it costs nothing
// until a worker ends with children still running.
#include "child_reaper.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "kernel_compat.h"

namespace nsbridge {

namespace {

int g_epoll_fd = -1;  // written once before the thread starts; never closed (lives with the process)

/** `pidfd` was reported readable: its process exited. Reap it, then forget it. */
void ReapReady(int pidfd) noexcept {
  siginfo_t si{};
  // WNOHANG: readable means exited, but never block the only reaper on a surprise.
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, WEXITED | WNOHANG) ==
          0 &&
      si.si_pid == 0) {
    return;  // not exited after all: stays registered
  }
  // Reaped — or ECHILD (someone reaped it first): either way nothing more to wait for.
  // EPOLL_CTL_DEL before close(): after close() the number may be reused at once.
  (void)::epoll_ctl(g_epoll_fd, EPOLL_CTL_DEL, pidfd, nullptr);
  (void)::close(pidfd);
}

void* RunReaper(void* /*unused*/) {
  epoll_event events[32];
  for (;;) {
    const int n = ::epoll_wait(g_epoll_fd, events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return nullptr;  // EBADF/EINVAL cannot happen on our own epoll fd
    }
    for (int i = 0; i < n; i++) ReapReady(events[i].data.fd);
  }
}

/**
 * Keeps this shared object loaded for the life of the process. Node dlclose()s an addon when the
 * last environment that loaded it ends — a worker that was the only user would unmap the code
 * the reaper thread is running. dlopen(RTLD_NOLOAD | RTLD_NODELETE) of ourselves pins it.
 */
bool PinThisLibrary() noexcept {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&RunReaper), &info) == 0 || info.dli_fname == nullptr) {
    return false;
  }
  return ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != nullptr;
}

/** Creates the epoll instance and the thread; false if anything fails. */
bool StartReaper() noexcept {
  if (!PinThisLibrary()) return false;
  g_epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (g_epoll_fd == -1) return false;
  // The thread starts with every signal blocked (it inherits this mask): process-directed
  // signals (SIGINT, SIGTERM, libuv's SIGCHLD) must go to Node's threads, never to this one.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int err = pthread_create(&thread, &attr, RunReaper, nullptr);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) {
    (void)::close(g_epoll_fd);
    g_epoll_fd = -1;
    return false;
  }
  pthread_setname_np(thread, "nsbridge-reaper");
  return true;
}


// The reaper's state, under g_lock: whether it runs, and the children handed over while it could
// not be started (a pids limit, as in containers: pthread_create says EAGAIN). A failed start is
// retried at every hand-over, and the waiting children go to the reaper once it runs: a failure
// must not leave every later child a zombie for the life of the process.
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
bool g_started = false;
std::vector<int>* g_waiting = nullptr;  // pidfds; allocated on first need, never freed

/** Registers `pidfd` with the running reaper; false (and the fd still ours) if epoll refuses it. */
bool Register(int pidfd) noexcept {
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: a child that exited already is reported at once
  event.data.fd = pidfd;
  return ::epoll_ctl(g_epoll_fd, EPOLL_CTL_ADD, pidfd, &event) == 0;
}

/** Reaps an exited child now (WNOHANG); true if it has been reaped (or is not ours to reap). */
bool ReapIfExited(int pidfd) noexcept {
  siginfo_t si{};
  const int r = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, WEXITED | WNOHANG);
  return r != 0 || si.si_pid != 0;
}

}  // namespace

void ReapInBackground(UniqueFd pidfd) noexcept {
  pthread_mutex_lock(&g_lock);
  if (!g_started) g_started = StartReaper();
  if (g_started) {
    if (g_waiting != nullptr) {
      for (int fd : *g_waiting) {
        if (!Register(fd)) (void)::close(fd);
      }
      g_waiting->clear();
    }
    if (pidfd.get() >= 0 && Register(pidfd.get())) (void)pidfd.release();
  } else {
    // Still no reaper: reap the waiting children that have exited meanwhile, here (a zombie keeps
    // its slot in the very pids limit that stops the thread), and keep the rest, with this one
    // unless it has exited too, for the next hand-over or the next attempt to start the reaper.
    if (g_waiting != nullptr) {
      std::erase_if(*g_waiting, [](int fd) {
        if (!ReapIfExited(fd)) return false;
        (void)::close(fd);
        return true;
      });
    }
    if (pidfd.get() >= 0 && !ReapIfExited(pidfd.get())) {
      try {
        if (g_waiting == nullptr) g_waiting = new std::vector<int>();
        g_waiting->push_back(pidfd.get());
        (void)pidfd.release();
      } catch (...) {
        // Out of memory: the child is left as it was.
      }
    }
  }
  pthread_mutex_unlock(&g_lock);
}

void RetryReaperStart() noexcept {
  pthread_mutex_lock(&g_lock);
  const bool waiting = g_waiting != nullptr && !g_waiting->empty();
  pthread_mutex_unlock(&g_lock);
  if (waiting) ReapInBackground(UniqueFd());
}

bool ProcessOutlivesThisThread() noexcept { return ::gettid() != ::getpid(); }

}  // namespace nsbridge
