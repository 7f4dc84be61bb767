// nsKinds(): the native table of namespace kinds (ns_kinds.h) as JS data, read-only, so that a
// test can hold it against src/kinds.ts; nothing else in nsbridge reads it.
#include <linux/ioctl.h>

#include <iterator>

#include "calls.h"
#include "ns_kinds.h"

namespace nsbridge {

namespace {

// Every PIDFD_GET_<KIND>_NAMESPACE is _IO(PIDFS_IOCTL_MAGIC, nr): pidfdGetNamespace takes nr.
constexpr bool AllPidfsIoctls() {
  for (const NamespaceKindInfo& k : kNamespaceKinds) {
    if (k.pidfd_ioctl != _IO(PIDFS_IOCTL_MAGIC, _IOC_NR(k.pidfd_ioctl))) return false;
  }
  return true;
}
static_assert(AllPidfsIoctls(), "each kind's pidfd ioctl is a pidfs _IO request");

Napi::Value NsKinds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array rows = Napi::Array::New(env, std::size(kNamespaceKinds));
  uint32_t i = 0;
  for (const NamespaceKindInfo& k : kNamespaceKinds) {
    Napi::Object row = Napi::Object::New(env);
    row.Set("flag", Napi::Number::New(env, k.flag));
    row.Set("flagName", Napi::String::New(env, k.flag_name));
    row.Set("name", Napi::String::New(env, k.name));
    row.Set("pidfdIoctl", Napi::Number::New(env, _IOC_NR(k.pidfd_ioctl)));
    row.Set("childFile", Napi::String::New(env, k.child_file));
    rows[i++] = row;
  }
  return rows;
}

}  // namespace

void RegisterNsKinds(Napi::Env env, Napi::Object exports) {
  exports.Set("nsKinds", Napi::Function::New<NsKinds>(env, "nsKinds"));
}

}  // namespace nsbridge
