// Each file adds its functions to the binding's exports. The full list, with the contract of
// each function, is src/native/binding.ts (NativeBinding).
#pragma once

#include <napi.h>

namespace nsbridge {

void RegisterNamespaceCalls(Napi::Env env, Napi::Object exports);  // namespace_calls.cc
void RegisterPidfdCalls(Napi::Env env, Napi::Object exports);      // pidfd_calls.cc
void RegisterFdWatcher(Napi::Env env, Napi::Object exports);       // fd_watcher.cc
void RegisterClone3Probe(Napi::Env env, Napi::Object exports);     // clone3_probe.cc
void RegisterSpawn(Napi::Env env, Napi::Object exports);           // spawn/spawn_call.cc
void RegisterCredentials(Napi::Env env, Napi::Object exports);     // credentials.cc
void RegisterNsfsMounts(Napi::Env env, Napi::Object exports);      // nsfs_mounts.cc
void RegisterNsKinds(Napi::Env env, Napi::Object exports);         // ns_kinds.cc

namespace net {
void RegisterCreateNamespace(Napi::Env env, Napi::Object exports);  // net/create_namespace.cc
void RegisterRtnetlink(Napi::Env env, Napi::Object exports);        // net/rtnetlink.cc
void RegisterSocketIn(Napi::Env env, Napi::Object exports);         // net/socket_in.cc
}  // namespace net

}  // namespace nsbridge
