// watchReadable(fd, cb) / watchHangup(fd, cb) / watchChildExit(pidfd, cb): one-shot uv_poll_t
// watches on this environment's loop, for readability, or for hang-up only.
//
// Child exit: watchReadable of a pidfd of a child nsbridge created, which the callback reaps.
// If the watch ends before the callback could run — stop() (the handle was closed while the
// child runs), a worker's environment torn down, a callback that can no longer call into JS —
// nobody on this thread will ever reap the child, so its pidfd (our duplicate) goes to the
// process-wide reaper (child_reaper.h) once libuv is done with it. Not at the main thread's
// teardown: that is process exit, after which init or a subreaper reaps the orphans.
//
// Hang-up: a pidfd is readable from the moment its process exits (a zombie) and reports EPOLLHUP
// only once the process has been reaped. Waiting for HUP alone is not possible with uv_poll (it
// always asks for EPOLLIN, so an already-readable fd would fire in a loop). Instead the fd goes
// into a private epoll instance with an empty event mask — epoll then reports only EPOLLHUP and
// EPOLLERR for it — and uv_poll watches that epoll fd, which becomes readable exactly then.
//
// Ownership and lifetimes (the hard part):
// - PollState owns the uv_poll_t. It is heap-allocated and freed only in the uv_close callback,
//   because libuv may touch the handle until then - whatever happens to the JS object.
// - FdWatcher is the JS object (ObjectWrap). While the watch is active it holds a strong
//   reference to itself (so dropping the returned object cannot GC it and cancel the watch) and
//   to the callback. Firing or stop() detaches it from PollState and drops both references.
// - Each active PollState registers an async cleanup hook. When the environment is torn down
//   (worker exit or terminate(), or the main env at exit) the hook stops the poll and uv_close()s
//   it; the close callback removes the hook and frees PollState, which is exactly what lets
//   Node finish the teardown: no handle is leaked and nothing runs after the loop is gone.
// - The callback runs through napi_make_callback (async hooks, microtasks, domains as for any
//   callback). If it throws, the error goes to 'uncaughtException' like any other callback error
//   (napi_fatal_exception); it never unwinds into libuv.
//
// The watched fd is a private duplicate (F_DUPFD_CLOEXEC) owned by PollState and closed only
// after uv_close completes. libuv must never see its fd closed while the poll is registered (it
// aborts when epoll_ctl fails with EBADF), and the caller's fd may be closed at any time - by
// close(), or by the GC/teardown finalizer of an OwnedFd dropped while still watched. The
// duplicate shares the open file description, so readiness is the same; it also lets several
// watches of one fd coexist (libuv allows one uv_poll per fd number per loop). uv_poll_init
// puts the file description in O_NONBLOCK mode (harmless for pidfds: waitidPidfd always uses
// WNOHANG).
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <uv.h>

#include "addon_data.h"
#include "args.h"
#include "calls.h"
#include "child_reaper.h"
#include "owned_fd.h"
#include "system_error.h"

namespace nsbridge {

namespace {

class FdWatcher;

// Type tag of FdWatcher objects: methods re-check `this` (napi_unwrap does not check C++ types).
constexpr napi_type_tag kFdWatcherTag = {0x6e7362726964676fULL, 0x4664576174636865ULL};

void CheckThis(const Napi::CallbackInfo& info) {
  Napi::Value self = info.This();
  if (!self.IsObject() || !self.As<Napi::Object>().CheckTypeTag(&kFdWatcherTag)) {
    throw Napi::TypeError::New(info.Env(), "Illegal invocation");
  }
}

struct PollState {
  UniqueFd fd;  // what uv_poll watches: our duplicate of the watched fd, or the hang-up epoll fd
  UniqueFd watched;  // hang-up mode: our duplicate of the watched fd, registered in `fd`
  uv_poll_t poll;
  FdWatcher* owner = nullptr;  // null once fired, stopped or torn down
  napi_async_cleanup_hook_handle hook = nullptr;
  bool child_exit = false;  // `fd` duplicates a pidfd of our child, which the callback reaps
  bool hand_to_reaper = false;  // child_exit, and the callback will not run: reap elsewhere
};

/** A child watch ends without its callback: its child must be reaped by someone else. */
void AbandonChild(PollState* state, bool process_lives_on) {
  if (state->child_exit && process_lives_on) state->hand_to_reaper = true;
}

void OnPollClosed(uv_handle_t* handle) {
  auto* state = static_cast<PollState*>(handle->data);
  if (state->hook != nullptr) napi_remove_async_cleanup_hook(state->hook);
  // Only now: libuv no longer uses the fd, and the reaper closes it whenever it likes.
  if (state->hand_to_reaper) ReapInBackground(std::move(state->fd));
  delete state;
}

/** Stops the poll and starts closing it (idempotent: uv_close only once). */
void ClosePoll(PollState* state) {
  state->owner = nullptr;
  auto* handle = reinterpret_cast<uv_handle_t*>(&state->poll);
  if (!uv_is_closing(handle)) {
    uv_poll_stop(&state->poll);
    uv_close(handle, OnPollClosed);
  }
}

class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static Napi::Function DefineClass(Napi::Env env) {
    return ObjectWrap<FdWatcher>::DefineClass(env, "FdWatcher",
                                              {InstanceMethod<&FdWatcher::Stop>("stop"),
                                               InstanceMethod<&FdWatcher::SetRef>("setRef")});
  }

  explicit FdWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatcher>(info) {
    info.This().As<Napi::Object>().TypeTag(&kFdWatcherTag);
  }

  ~FdWatcher() override {
    // Only reachable while active during environment teardown (the self-reference prevents GC
    // before that), in whichever order Node runs finalizers and cleanup hooks.
    if (state_ != nullptr) {
      PollState* state = state_;
      state_ = nullptr;
      AbandonChild(state, ProcessOutlivesThisThread());
      ClosePoll(state);
    }
    if (callback_ != nullptr) napi_delete_reference(Env(), callback_);
    if (async_context_ != nullptr) napi_async_destroy(Env(), async_context_);
  }

  /** Starts the watch; throws (and leaves nothing behind) on failure. */
  void Start(Napi::Env env, int fd, Napi::Function callback, bool hangup, bool child_exit) {
    // Everything that can throw a JS exception comes before the poll exists.
    Napi::String resource_name = Napi::String::New(env, "nsbridge:FdWatcher");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      throw Napi::Error::New(env);
    }
    napi_async_context async_context = nullptr;
    if (napi_async_init(env, Value(), resource_name, &async_context) != napi_ok) {
      throw Napi::Error::New(env);
    }
    napi_ref callback_ref = nullptr;
    if (napi_create_reference(env, callback, 1, &callback_ref) != napi_ok) {
      napi_async_destroy(env, async_context);
      throw Napi::Error::New(env);
    }

    UniqueFd dup(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (dup.get() == -1) {
      const int err = errno;
      napi_delete_reference(env, callback_ref);
      napi_async_destroy(env, async_context);
      ThrowSystemErrorFd(env, err, "fcntl(F_DUPFD_CLOEXEC)", fd);
    }
    auto* state = new PollState();
    if (hangup) {
      state->watched = std::move(dup);
      state->fd = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
      epoll_event event{};  // events = 0: only EPOLLHUP / EPOLLERR are reported
      const char* failed = nullptr;
      if (state->fd.get() == -1) {
        failed = "epoll_create1";
      } else if (::epoll_ctl(state->fd.get(), EPOLL_CTL_ADD, state->watched.get(), &event) == -1) {
        failed = "epoll_ctl";
      }
      if (failed != nullptr) {
        const int err = errno;
        delete state;
        napi_delete_reference(env, callback_ref);
        napi_async_destroy(env, async_context);
        ThrowSystemErrorFd(env, err, failed, fd);
      }
    } else {
      state->fd = std::move(dup);
    }
    int r = uv_poll_init(loop, &state->poll, state->fd.get());
    if (r < 0) {
      delete state;  // never registered with the loop: plain delete is right
      napi_delete_reference(env, callback_ref);
      napi_async_destroy(env, async_context);
      ThrowSystemErrorFd(env, -r, "uv_poll_init", fd);
    }
    state->poll.data = state;
    state->child_exit = child_exit;
    r = uv_poll_start(&state->poll, UV_READABLE, OnPoll);
    bool hooked = false;
    if (r == 0) {
      hooked = napi_add_async_cleanup_hook(env, OnEnvCleanup, state, &state->hook) == napi_ok;
      if (!hooked) state->hook = nullptr;
    }
    if (r < 0 || !hooked) {
      ClosePoll(state);  // registered with the loop: freed by the close callback
      napi_delete_reference(env, callback_ref);
      napi_async_destroy(env, async_context);
      if (r < 0) ThrowSystemErrorFd(env, -r, "uv_poll_start", fd);
      throw Napi::Error::New(env, "watchReadable: napi_add_async_cleanup_hook failed");
    }

    async_context_ = async_context;
    callback_ = callback_ref;
    uint32_t refcount = 0;  // the watch keeps its JS object alive until it fires or is stopped
    napi_reference_ref(env, static_cast<napi_ref>(*this), &refcount);
    state_ = state;
    state->owner = this;
  }

 private:
  static void OnPoll(uv_poll_t* handle, int /*status*/, int /*events*/) {
    // status < 0 (an error on the fd, e.g. EPOLLERR) also counts as "ready": the callback's
    // next system call on the fd reports the actual error.
    auto* state = static_cast<PollState*>(handle->data);
    if (state->owner != nullptr) state->owner->Fire();
  }

  static void OnEnvCleanup(napi_async_cleanup_hook_handle /*handle*/, void* arg) {
    auto* state = static_cast<PollState*>(arg);
    if (state->owner != nullptr) {
      // JS can no longer run: only forget the state; the finalizer drops the references.
      state->owner->state_ = nullptr;
    }
    AbandonChild(state, ProcessOutlivesThisThread());
    ClosePoll(state);  // the close callback removes this hook
  }

  /** Detaches and closes the poll. Does not touch JS references. */
  void Detach() {
    if (state_ != nullptr) {
      PollState* state = state_;
      state_ = nullptr;
      ClosePoll(state);
    }
  }

  // Raw Node-API only: node-addon-api's wrappers turn failures into C++ exceptions, and while a
  // worker is being terminated they can even abort the process (napi_fatal_error).
  void Fire() noexcept {
    napi_env env = Env();
    // Still valid after Detach(): freed by the close callback, which runs in a later loop phase.
    PollState* state = state_;
    Detach();  // one-shot: closed before the callback, which may call stop() (a no-op then)
    bool delivered = false;  // the callback ran (returned or threw)
    napi_handle_scope scope = nullptr;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_value self = nullptr;  // a local handle: `this` stays alive during the callback
      napi_value callback = nullptr;
      if (napi_get_reference_value(env, static_cast<napi_ref>(*this), &self) == napi_ok &&
          self != nullptr && napi_get_reference_value(env, callback_, &callback) == napi_ok &&
          callback != nullptr) {
        napi_value result = nullptr;
        const napi_status status =
            napi_make_callback(env, async_context_, self, callback, 0, nullptr, &result);
        delivered = status == napi_ok;
        if (status == napi_pending_exception) {
          // The callback threw: report it like any callback error ('uncaughtException').
          // No pending exception means the environment is shutting down: nothing to report.
          bool pending = false;
          napi_value error = nullptr;
          if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
              napi_get_and_clear_last_exception(env, &error) == napi_ok) {
            delivered = true;
            napi_fatal_exception(env, error);
          }
        }
      }
      napi_close_handle_scope(env, scope);
    }
    if (!delivered) AbandonChild(state, ProcessOutlivesThisThread());
    Release(env);
    // `this` may be collected from here on: touch nothing.
  }

  /** Drops what an active watch holds: callback, async context, the self-reference. */
  void Release(napi_env env) noexcept {
    if (callback_ != nullptr) {
      napi_delete_reference(env, callback_);
      callback_ = nullptr;
    }
    if (async_context_ != nullptr) {
      napi_async_destroy(env, async_context_);
      async_context_ = nullptr;
    }
    uint32_t refcount = 0;
    napi_reference_unref(env, static_cast<napi_ref>(*this), &refcount);  // Start()'s reference
  }

  void Stop(const Napi::CallbackInfo& info) {
    CheckThis(info);
    if (state_ == nullptr) return;
    AbandonChild(state_, true);  // JS is running: so is the process
    Detach();
    Release(info.Env());
  }

  void SetRef(const Napi::CallbackInfo& info) {
    CheckThis(info);
    const bool ref = ArgBool(info, 0, "ref");
    if (state_ == nullptr) return;
    auto* handle = reinterpret_cast<uv_handle_t*>(&state_->poll);
    if (ref) {
      uv_ref(handle);
    } else {
      uv_unref(handle);
    }
  }

  PollState* state_ = nullptr;  // non-null iff the watch is active (and then Ref()'d)
  napi_ref callback_ = nullptr;  // strong reference to the callback while active
  napi_async_context async_context_ = nullptr;
};

enum class WatchKind { kReadable, kHangup, kChildExit };

template <WatchKind kKind>
Napi::Value Watch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = ArgInt32(info, 0, kKind == WatchKind::kChildExit ? "pidfd" : "fd");
  Napi::Function callback = ArgFunction(
      info, 1,
      kKind == WatchKind::kHangup ? "onHangup"
                                  : (kKind == WatchKind::kChildExit ? "onExit" : "onReadable"));
  Napi::Object object = GetAddonData(env).fd_watcher_class.New(std::vector<napi_value>{});
  FdWatcher::Unwrap(object)->Start(env, fd, callback, kKind == WatchKind::kHangup,
                                   kKind == WatchKind::kChildExit);
  return object;
}

}  // namespace

void RegisterFdWatcher(Napi::Env env, Napi::Object exports) {
  GetAddonData(env).fd_watcher_class = Napi::Persistent(FdWatcher::DefineClass(env));
  exports.Set("watchReadable",
              Napi::Function::New<Watch<WatchKind::kReadable>>(env, "watchReadable"));
  exports.Set("watchHangup", Napi::Function::New<Watch<WatchKind::kHangup>>(env, "watchHangup"));
  exports.Set("watchChildExit",
              Napi::Function::New<Watch<WatchKind::kChildExit>>(env, "watchChildExit"));
}

}  // namespace nsbridge
