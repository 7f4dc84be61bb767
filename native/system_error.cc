#include "system_error.h"

#include <string.h>

namespace nsbridge {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);  // glibc >= 2.32; NULL for unknown values
  if (name != nullptr) return name;
  std::string fallback("E");
  fallback += std::to_string(err);
  return fallback;
}

namespace {

std::string ErrnoText(int err) {
  const char* text = strerrordesc_np(err);  // thread-safe, unlike strerror()
  if (text != nullptr) return text;
  std::string fallback("Unknown error ");
  fallback += std::to_string(err);
  return fallback;
}

Napi::Error Build(Napi::Env env, int err, const char* syscall, const std::string* path) {
  const std::string code = ErrnoName(err);
  std::string message = code + ": " + ErrnoText(err) + ", " + syscall;
  if (path != nullptr) message += " '" + *path + "'";
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("code", Napi::String::New(env, code));
  obj.Set("errno", Napi::Number::New(env, -err));
  obj.Set("syscall", Napi::String::New(env, syscall));
  if (path != nullptr) obj.Set("path", Napi::String::New(env, *path));
  return error;
}

}  // namespace

Napi::Error MakeSystemError(Napi::Env env, int err, const char* syscall) {
  return Build(env, err, syscall, nullptr);
}

void ThrowSystemError(Napi::Env env, int err, const char* syscall) {
  throw Build(env, err, syscall, nullptr);
}

void ThrowSystemErrorFd(Napi::Env env, int err, const char* syscall, int fd) {
  Napi::Error error = Build(env, err, syscall, nullptr);
  error.Value().Set("fd", Napi::Number::New(env, fd));
  throw error;
}

void ThrowSystemErrorPath(Napi::Env env, int err, const char* syscall, const std::string& path) {
  throw Build(env, err, syscall, &path);
}

}  // namespace nsbridge
