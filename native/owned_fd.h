// File-descriptor ownership. Every fd the addon creates lives in exactly one UniqueFd (C++ RAII,
// while a call is still running) and is then moved into exactly one OwnedFd (the JS handle) -
// except the private duplicate an active watchReadable() polls, which stays in its UniqueFd
// (fd_watcher.cc) and is closed after its uv_poll handle.
// The fd is closed exactly once: by OwnedFd.close(), by the GC finalizer, or by the finalizer
// Node-API runs for every wrapped object when the environment (main thread or worker) is torn
// down. After close, `fd` reads -1 and the number is never touched again (it may be reused).
#pragma once

#include <napi.h>

namespace nsbridge {

/** Move-only owner of an fd inside C++ code; closes it unless released. */
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() noexcept;

 private:
  int fd_;
};

/** The JS handle: `fd` getter and idempotent `close()`. Not exported as a class. */
class OwnedFd : public Napi::ObjectWrap<OwnedFd> {
 public:
  /** Defines the class for this environment (stored in AddonData, not exported). */
  static Napi::Function DefineClass(Napi::Env env);
  /** Moves `fd` into a new JS OwnedFd. If creating the object fails, the fd is closed. */
  static Napi::Object New(Napi::Env env, UniqueFd fd);

  explicit OwnedFd(const Napi::CallbackInfo& info);  // from JS: owns nothing (fd -1)
  ~OwnedFd() override;

 private:
  static Napi::Value GetFd(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void CloseFd() noexcept;

  int fd_ = -1;  // invariant: >= 0 iff this object still owns an open fd
};

}  // namespace nsbridge
