// Work that has to happen inside another namespace (opening a netlink socket there, unsharing a
// namespace to keep it without a process) runs on a new native thread that joins the namespace,
// does the work and ends. Namespace membership is per thread, so the JavaScript thread and
// libuv's pool never change namespace; a thread that joined one dies with it.
#pragma once

#include <functional>

namespace nsbridge::net {

/** A positive errno and the call that gave it, or err 0. */
struct ThreadOutcome {
  int err = 0;
  const char* syscall = "";
};

/**
 * Runs `work` on a fresh thread, after setns(ns_fd, nstype) there when ns_fd >= 0, and waits for
 * it. Returns the setns failure (syscall "setns") or what `work` returned; a thread that cannot be
 * created is EAGAIN from "pthread_create".
 */
ThreadOutcome RunOnNamespaceThread(int ns_fd, int nstype, const std::function<ThreadOutcome()>& work);

}  // namespace nsbridge::net
