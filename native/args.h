// Cheap JS type checks for the binding's arguments. The TypeScript layer validates values
// (ranges, kinds, policy); these only make sure a wrong call cannot crash the process or reach
// a system call with garbage. Each failure throws a TypeError naming the argument.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace nsbridge {

/** A JS number converted with ToInt32 (so 0x80000000 keeps its bits as INT32_MIN). */
int32_t ArgInt32(const Napi::CallbackInfo& info, size_t index, const char* name);

/** A JS number converted with ToUint32 (flag words). */
uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t index, const char* name);

bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name);

/** A JS string without NUL bytes (a C string cannot carry them; the kernel would see a prefix). */
std::string ArgCString(const Napi::CallbackInfo& info, size_t index, const char* name);

Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name);

}  // namespace nsbridge
