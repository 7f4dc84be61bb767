#include "owned_fd.h"

#include <unistd.h>

#include "addon_data.h"

namespace nsbridge {

namespace {

// Type tag of OwnedFd objects. napi_unwrap() alone does not check the C++ type: any wrapped
// object (an FdWatcher, say) passed as `this` would be reinterpreted as an OwnedFd.
constexpr napi_type_tag kOwnedFdTag = {0x6e7362726964676fULL, 0x4f776e65644664ULL};

bool IsOwnedFd(const Napi::Value& value) {
  return value.IsObject() && value.As<Napi::Object>().CheckTypeTag(&kOwnedFdTag);
}

// Linux releases the descriptor even when close() reports an error (EINTR / EIO), so the
// result is deliberately ignored: retrying could close an fd another thread just got.
void CloseIgnoringErrors(int fd) noexcept { (void)::close(fd); }

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) CloseIgnoringErrors(release());
}

Napi::Function OwnedFd::DefineClass(Napi::Env env) {
  // close() is a class method: V8 checks its receiver ("Illegal invocation"). The `fd` getter is
  // defined on the prototype by hand, because ObjectWrap's accessors unwrap `this` unchecked.
  Napi::Function cls =
      ObjectWrap<OwnedFd>::DefineClass(env, "OwnedFd", {InstanceMethod<&OwnedFd::Close>("close")});
  cls.Get("prototype").As<Napi::Object>().DefineProperty(
      Napi::PropertyDescriptor::Accessor<&OwnedFd::GetFd>("fd", napi_configurable));
  return cls;
}

Napi::Object OwnedFd::New(Napi::Env env, UniqueFd fd) {
  // Both steps may throw (a pending JS exception; napi_unwrap fails once a worker is being
  // terminated): until the last line `fd` still owns the descriptor and closes it on unwind.
  // (Not `Unwrap(object)->fd_ = fd.release()`: the right operand is evaluated first.)
  Napi::Object object = GetAddonData(env).owned_fd_class.New(std::vector<napi_value>{});
  OwnedFd* owner = OwnedFd::Unwrap(object);
  if (owner == nullptr) throw Napi::Error::New(env, "OwnedFd: unwrap failed");
  owner->fd_ = fd.release();
  return object;
}

OwnedFd::OwnedFd(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OwnedFd>(info) {
  info.This().As<Napi::Object>().TypeTag(&kOwnedFdTag);
}

OwnedFd::~OwnedFd() { CloseFd(); }

Napi::Value OwnedFd::GetFd(const Napi::CallbackInfo& info) {
  if (!IsOwnedFd(info.This())) throw Napi::TypeError::New(info.Env(), "Illegal invocation");
  return Napi::Number::New(info.Env(), OwnedFd::Unwrap(info.This().As<Napi::Object>())->fd_);
}

void OwnedFd::Close(const Napi::CallbackInfo& info) {
  if (!IsOwnedFd(info.This())) throw Napi::TypeError::New(info.Env(), "Illegal invocation");
  CloseFd();
}

void OwnedFd::CloseFd() noexcept {
  if (fd_ >= 0) {
    int fd = fd_;
    fd_ = -1;  // first, so nothing can see (or close) the number again
    CloseIgnoringErrors(fd);
  }
}

}  // namespace nsbridge
