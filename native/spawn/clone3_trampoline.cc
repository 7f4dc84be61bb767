// The clone3 trampoline (see clone3_trampoline.h). fn and arg travel in registers the syscall
// preserves; the child clears the frame pointer so unwinders stop there, aligns its stack, calls
// fn(arg) and passes the result to exit_group.
#include "clone3_trampoline.h"

#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl nsbridge_clone3\n"
    ".hidden nsbridge_clone3\n"
    ".type nsbridge_clone3,@function\n"
    "nsbridge_clone3:\n"
    "  mov %rdx, %r8\n"       // fn  (r8/r9 survive the syscall)
    "  mov %rcx, %r9\n"       // arg
    "  mov $435, %eax\n"      // __NR_clone3
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 1f\n"
    "  xor %ebp, %ebp\n"      // child: on the new stack
    "  and $-16, %rsp\n"
    "  mov %r9, %rdi\n"
    "  call *%r8\n"
    "  mov %eax, %edi\n"
    "  mov $231, %eax\n"      // __NR_exit_group
    "  syscall\n"
    "  hlt\n"
    "1:\n"
    "  ret\n"
    ".size nsbridge_clone3, .-nsbridge_clone3\n");
#elif defined(__aarch64__)
__asm__(
    ".text\n"
    ".globl nsbridge_clone3\n"
    ".hidden nsbridge_clone3\n"
    ".type nsbridge_clone3,%function\n"
    "nsbridge_clone3:\n"
    "  mov x10, x2\n"         // fn  (the kernel preserves every register but x0)
    "  mov x11, x3\n"         // arg
    "  mov x8, #435\n"        // __NR_clone3
    "  svc #0\n"
    "  cbnz x0, 1f\n"
    "  mov x29, #0\n"         // child: on the new stack
    "  mov x30, #0\n"
    "  mov x0, x11\n"
    "  blr x10\n"
    "  mov x8, #94\n"         // __NR_exit_group
    "  svc #0\n"
    "  brk #0\n"
    "1:\n"
    "  ret\n"
    ".size nsbridge_clone3, .-nsbridge_clone3\n");
#else
#error "nsbridge: the spawn engine supports x86_64 and aarch64"
#endif
