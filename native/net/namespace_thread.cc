// RunOnNamespaceThread (namespace_thread.h).
#include "namespace_thread.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

namespace nsbridge::net {

namespace {

struct Job {
  int ns_fd;
  int nstype;
  const std::function<ThreadOutcome()>* work;
  ThreadOutcome outcome;
};

void* Run(void* arg) {
  Job* job = static_cast<Job*>(arg);
  if (job->ns_fd >= 0 && ::setns(job->ns_fd, job->nstype) != 0) {
    job->outcome = {errno, "setns"};
    return nullptr;
  }
  job->outcome = (*job->work)();
  return nullptr;
}

}  // namespace

ThreadOutcome RunOnNamespaceThread(int ns_fd, int nstype, const std::function<ThreadOutcome()>& work) {
  Job job{ns_fd, nstype, &work, {}};
  // Every signal blocked on the thread (it inherits the mask): a process-directed signal must be
  // handled by a thread that is in the process's own namespaces, not by this one.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  const int err = pthread_create(&thread, nullptr, Run, &job);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) return {err, "pthread_create"};
  pthread_join(thread, nullptr);
  return job.outcome;
}

}  // namespace nsbridge::net
