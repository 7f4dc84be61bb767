#include "args.h"

namespace nsbridge {

namespace {

[[noreturn]] void ThrowType(Napi::Env env, const char* name, const char* expected) {
  throw Napi::TypeError::New(env, std::string("The \"") + name + "\" argument must be " + expected);
}

Napi::Number ArgNumber(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) ThrowType(info.Env(), name, "a number");
  return info[index].As<Napi::Number>();
}

}  // namespace

int32_t ArgInt32(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return ArgNumber(info, index, name).Int32Value();
}

uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return ArgNumber(info, index, name).Uint32Value();
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

Napi::Function ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsFunction()) {
    ThrowType(info.Env(), name, "a function");
  }
  return info[index].As<Napi::Function>();
}

}  // namespace nsbridge
