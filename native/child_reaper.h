// The process-wide reaper: reaps nsbridge's children that their own environment can no longer
// reap. A child's exit is normally collected by ProcessHandle.exited() on the event loop of the
// thread that spawned it (fd_watcher.cc, watchChildExit). When that watch ends first — its worker
// thread exits or is terminated, or the handle is closed while the child runs — the pidfd is
// handed over here, so that the child (which keeps running, like a child_process child) does not
// stay a zombie for the life of the process: libuv reaps only its own pids, and nobody else
// waits for ours.
#pragma once

#include "owned_fd.h"

namespace nsbridge {

/**
 * Takes over `pidfd` (a pidfd of a child of this process, not reaped yet): one process-wide
 * thread, started on first use, waits in epoll until it is readable (the child exited), reaps it
 * with waitid(P_PIDFD) and closes it. If that thread cannot be started (EAGAIN under a pids
 * limit), a child that exited already is reaped at once, and the others wait: the start is tried
 * again at the next hand-over, which then takes them over too.
 */
void ReapInBackground(UniqueFd pidfd) noexcept;

/**
 * If children wait because the reaper could not be started, tries again (called at every spawn,
 * so that a passing pids limit does not leave them zombies until the next hand-over).
 */
void RetryReaperStart() noexcept;

/**
 * False on the main thread (the thread group leader: its environment ends when the process
 * does, and then the children are re-parented and reaped by init or a subreaper); true on any
 * other thread (a worker), whose end the process outlives.
 */
bool ProcessOutlivesThisThread() noexcept;

}  // namespace nsbridge
