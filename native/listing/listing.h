// Shared by the batched listing calls (scan_proc.cc, ns_info.cc).
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

namespace nsbridge {

/** Kind slots of the scans: the /proc/<pid>/ns names in src/kinds.ts order (alphabetical). */
constexpr int kScanKinds = 8;
extern const char* const kScanKindNames[kScanKinds];

Napi::Int32Array CopyInt32(Napi::Env env, const std::vector<int32_t>& v);
Napi::Uint32Array CopyUint32(Napi::Env env, const std::vector<uint32_t>& v);
Napi::BigUint64Array CopyUint64(Napi::Env env, const std::vector<uint64_t>& v);

void RegisterProcScan(Napi::Env env, Napi::Object exports);  // scan_proc.cc
void RegisterNsInfo(Napi::Env env, Napi::Object exports);    // ns_info.cc

}  // namespace nsbridge
