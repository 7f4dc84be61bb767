// Cheap JS type checks for the binding's arguments. The TypeScript layer validates values
// (ranges, kinds, policy); these only make sure a wrong call cannot crash the process or reach
// a system call with garbage. Each failure throws a TypeError naming the argument.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nsbridge {

/** An integer from INT32_MIN to INT32_MAX (fds, pids, signals); anything else is a RangeError. */
int32_t ArgInt32(const Napi::CallbackInfo& info, size_t index, const char* name);

/** An integer from 0 to UINT32_MAX (flag words); anything else is a RangeError. */
uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t index, const char* name);

bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name);

/** A JS string without NUL bytes (a C string cannot carry them; the kernel would see a prefix). */
std::string ArgCString(const Napi::CallbackInfo& info, size_t index, const char* name);

/**
 * A JS array of strings without NUL bytes, read element by element: memory grows with what is
 * there, never with the array's length (a sparse array's holes are not strings).
 */
std::vector<std::string> ArgStringArray(const Napi::CallbackInfo& info, size_t index, const char* name);

Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name);

}  // namespace nsbridge
