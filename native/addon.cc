// Module entry point: builds the binding object described by src/native/binding.ts.
// Context-aware (NODE_API_MODULE): each environment (main thread, every worker) runs Init and
// gets its own AddonData.
#include <fcntl.h>
#include <sched.h>

#include "addon_data.h"
#include "calls.h"
#include "kernel_compat.h"
#include "listing/listing.h"
#include "owned_fd.h"

namespace nsbridge {

namespace {

Napi::Object MakeConstants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("CLONE_NEWNS", Napi::Number::New(env, CLONE_NEWNS));
  c.Set("CLONE_NEWCGROUP", Napi::Number::New(env, CLONE_NEWCGROUP));
  c.Set("CLONE_NEWUTS", Napi::Number::New(env, CLONE_NEWUTS));
  c.Set("CLONE_NEWIPC", Napi::Number::New(env, CLONE_NEWIPC));
  c.Set("CLONE_NEWUSER", Napi::Number::New(env, CLONE_NEWUSER));
  c.Set("CLONE_NEWPID", Napi::Number::New(env, CLONE_NEWPID));
  c.Set("CLONE_NEWNET", Napi::Number::New(env, CLONE_NEWNET));
  c.Set("CLONE_NEWTIME", Napi::Number::New(env, CLONE_NEWTIME));
  // 2^33 does not fit an int32 but is exact as a double (all integers < 2^53 are).
  c.Set("CLONE_INTO_CGROUP", Napi::Number::New(env, static_cast<double>(CLONE_INTO_CGROUP)));
  c.Set("PIDFD_NONBLOCK", Napi::Number::New(env, PIDFD_NONBLOCK));
  c.Set("PIDFD_THREAD", Napi::Number::New(env, PIDFD_THREAD));
  c.Set("P_PIDFD", Napi::Number::New(env, P_PIDFD));
  c.Freeze();
  return c;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted by Node-API when this env is torn down
  data->owned_fd_class = Napi::Persistent(OwnedFd::DefineClass(env));

  RegisterNamespaceCalls(env, exports);
  RegisterPidfdCalls(env, exports);
  RegisterFdWatcher(env, exports);
  RegisterClone3Probe(env, exports);
  RegisterSpawn(env, exports);
  RegisterCredentials(env, exports);
  RegisterProcScan(env, exports);
  RegisterNsInfo(env, exports);
  RegisterNetnsId(env, exports);
  RegisterNsfsMounts(env, exports);
  net::RegisterCreateNamespace(env, exports);
  net::RegisterRtnetlink(env, exports);
  net::RegisterSocketIn(env, exports);
  exports.Set("constants", MakeConstants(env));
  return exports;
}

}  // namespace

}  // namespace nsbridge

static Napi::Object InitNsbridge(Napi::Env env, Napi::Object exports) {
  return nsbridge::Init(env, exports);
}

NODE_API_MODULE(nsbridge, InitNsbridge)
