// Shared by the batched listing calls (scan_proc.cc, ns_info.cc, netns_id.cc).
#pragma once

#include <napi.h>

#include <cstdint>
#include <iterator>
#include <vector>

#include "../ns_kinds.h"

namespace nsbridge {

/** Kind slots of the scans: the order of kNamespaceKinds (ns_kinds.h); the scan result names them. */
constexpr int kScanKinds = static_cast<int>(std::size(kNamespaceKinds));

Napi::Int32Array CopyInt32(Napi::Env env, const std::vector<int32_t>& v);
Napi::Uint32Array CopyUint32(Napi::Env env, const std::vector<uint32_t>& v);
Napi::BigUint64Array CopyUint64(Napi::Env env, const std::vector<uint64_t>& v);

void RegisterProcScan(Napi::Env env, Napi::Object exports);  // scan_proc.cc
void RegisterNsInfo(Napi::Env env, Napi::Object exports);    // ns_info.cc
void RegisterNetnsId(Napi::Env env, Napi::Object exports);   // netns_id.cc

}  // namespace nsbridge
