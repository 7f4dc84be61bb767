#include "args.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace nsbridge {

namespace {

[[noreturn]] void ThrowType(Napi::Env env, const char* name, const char* expected) {
  throw Napi::TypeError::New(env, std::string("The \"") + name + "\" argument must be " + expected);
}

Napi::Number ArgNumber(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) ThrowType(info.Env(), name, "a number");
  return info[index].As<Napi::Number>();
}

/**
 * An integer in [lo, hi], checked on the double before any conversion: ToInt32 / ToUint32 would
 * wrap NaN, infinities, fractions and 2**32 + n into valid-looking values that reach the kernel
 * (pidfd_open(2**32 + pid) opening that pid).
 */
double ArgInteger(const Napi::CallbackInfo& info, size_t index, const char* name, double lo, double hi) {
  const double d = ArgNumber(info, index, name).DoubleValue();
  if (!(d >= lo && d <= hi) || d != std::trunc(d)) {
    throw Napi::RangeError::New(info.Env(), std::string("The \"") + name + "\" argument must be an integer from " +
                                                std::to_string(static_cast<int64_t>(lo)) + " to " +
                                                std::to_string(static_cast<int64_t>(hi)) + ", got " +
                                                Napi::Number::New(info.Env(), d).ToString().Utf8Value());
  }
  return d;
}

}  // namespace

int32_t ArgInt32(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<int32_t>(ArgInteger(info, index, name, INT32_MIN, INT32_MAX));
}

uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<uint32_t>(ArgInteger(info, index, name, 0, UINT32_MAX));
}

bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsBoolean()) ThrowType(info.Env(), name, "a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

std::string ArgCString(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsString()) ThrowType(info.Env(), name, "a string");
  std::string value = info[index].As<Napi::String>().Utf8Value();
  if (value.find('\0') != std::string::npos) {
    ThrowType(info.Env(), name, "a string without null bytes");
  }
  return value;
}

std::vector<std::string> ArgStringArray(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsArray()) ThrowType(info.Env(), name, "an array of strings");
  Napi::Array array = info[index].As<Napi::Array>();
  const uint32_t length = array.Length();
  std::vector<std::string> out;
  // A JS array's length says nothing about its memory (a sparse one is a few bytes): reserve a
  // little, and let the elements read so far grow it - a hole is not a string: a TypeError.
  out.reserve(std::min<uint32_t>(length, 4096));
  for (uint32_t i = 0; i < length; i++) {
    Napi::Value v = array[i];
    if (!v.IsString()) ThrowType(info.Env(), name, "an array of strings");
    out.push_back(v.As<Napi::String>().Utf8Value());
    if (out.back().find('\0') != std::string::npos) ThrowType(info.Env(), name, "an array of strings without null bytes");
  }
  return out;
}

Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsFunction()) {
    ThrowType(info.Env(), name, "a function");
  }
  return info[index].As<Napi::Function>();
}

}  // namespace nsbridge
