// clone3 with a function to run in the child, on the stack given in the clone args.
//
// glibc has no public clone3 wrapper, and a plain syscall() cannot be used: with CLONE_VM the
// child would return into the caller's stack frames, which the parent is still using. The
// trampoline (clone3_trampoline.cc, assembly) makes the child call fn(arg) on its own stack and
// exit_group() with the result; it never returns in the child.
#pragma once

#include <stddef.h>

#include "../kernel_compat.h"

extern "C" {
/** Parent: the child's pid, or -errno. Child: runs fn(arg) and exits with its return value. */
long nsbridge_clone3(nsbridge_clone_args* args, size_t size, int (*fn)(void*), void* arg);
}
