// System calls for code that runs between clone and exec.
//
// That code shares this process's memory (CLONE_VM): libc's syscall() would write errno, which is
// thread-local storage of the *parent's* thread, and any libc function may take a lock another
// Node thread holds. So the child uses these: one instruction, the result or -errno in a register,
// nothing else touched.
//
// CHILD_CODE marks functions that run in the child: no sanitizer instrumentation (ASan's runtime
// is not async-signal-safe) and no stack protector (the canary lives in the parent's TLS).
#pragma once

#include <sys/syscall.h>

// GCC's loop-distribution pass could turn a loop into a memset/memcpy call through the PLT
// (lazy binding runs the dynamic linker in the child); keep loops as loops.
#if defined(__clang__)
#define NSBRIDGE_CHILD_CODE \
  __attribute__((no_sanitize("address", "undefined"), no_stack_protector, noinline))
#else
#define NSBRIDGE_CHILD_CODE                                                                    \
  __attribute__((no_sanitize("address", "undefined"), no_stack_protector, noinline,            \
                 optimize("no-tree-loop-distribute-patterns")))
#endif

namespace nsbridge::raw {

#if defined(__x86_64__)

static inline __attribute__((always_inline)) long Syscall(long n, long a = 0, long b = 0,
                                                          long c = 0, long d = 0, long e = 0,
                                                          long f = 0) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

#elif defined(__aarch64__)

static inline __attribute__((always_inline)) long Syscall(long n, long a = 0, long b = 0,
                                                          long c = 0, long d = 0, long e = 0,
                                                          long f = 0) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc #0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
}

#else
#error "nsbridge: the spawn engine supports x86_64 and aarch64"
#endif

}  // namespace nsbridge::raw
