// SystemError-shaped exceptions, matching what Node's own fs/child_process errors look like:
//   message  "EINVAL: Invalid argument, setns"   (+ " '<path>'" when a path is involved)
//   code     "EINVAL"      errno  -22 (negative, like libuv)      syscall "setns"
//   path     the path, or fd  the fd number, where one was involved.
// Callers capture errno right after the failing call and pass it in: anything in between
// (even a JS allocation) may overwrite errno.
#pragma once

#include <napi.h>

#include <string>

namespace nsbridge {

/** The errno's name ("EOPNOTSUPP"), from glibc: it knows every Linux errno, unlike libuv. */
std::string ErrnoName(int err);

/** Builds the error object without throwing it. `err` is a positive errno. */
Napi::Error MakeSystemError(Napi::Env env, int err, const char* syscall);

/** Throws (as a C++ exception, turned into a JS exception by node-addon-api). */
[[noreturn]] void ThrowSystemError(Napi::Env env, int err, const char* syscall);
[[noreturn]] void ThrowSystemErrorFd(Napi::Env env, int err, const char* syscall, int fd);
[[noreturn]] void ThrowSystemErrorPath(Napi::Env env, int err, const char* syscall,
                                       const std::string& path);

}  // namespace nsbridge
