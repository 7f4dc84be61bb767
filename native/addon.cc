// Module entry point: builds the binding object described by src/native/binding.ts.
// Context-aware (NODE_API_MODULE): each environment (main thread, every worker) runs Init and
// gets its own AddonData.
#include "addon_data.h"
#include "calls.h"
#include "listing/listing.h"
#include "owned_fd.h"

namespace nsbridge {

namespace {

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
  RegisterNsKinds(env, exports);
  net::RegisterCreateNamespace(env, exports);
  net::RegisterRtnetlink(env, exports);
  net::RegisterSocketIn(env, exports);
  return exports;
}

}  // namespace

}  // namespace nsbridge

static Napi::Object InitNsbridge(Napi::Env env, Napi::Object exports) {
  return nsbridge::Init(env, exports);
}

NODE_API_MODULE(nsbridge, InitNsbridge)
