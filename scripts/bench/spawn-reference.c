/*
 * spawn-reference: the C baseline a spawn engine is compared with.
 *
 *   spawn-reference <plain|ns4|userns> <fork|vm> <iterations> [warmup]
 *
 * Each iteration: clone3 a child that execs /bin/true, reap it with
 * waitid(P_PIDFD), check it exited 0, and time the whole thing with
 * CLOCK_MONOTONIC. Prints one JSON line with the median and p90 in µs.
 * The first `warmup` iterations (default 0) run the same way but are not
 * counted: they pay for page-cache misses and first-touch page faults.
 *
 *   scenario plain   no namespaces
 *            ns4     CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNS
 *            userns  CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS; the parent writes
 *                    setgroups/uid_map/gid_map while the child waits on a pipe
 *            (with CLONE_NEWNS the child makes the new namespace's mounts
 *            private, mount("/", MS_REC|MS_PRIVATE), as unshare(1) does)
 *   mode     fork    clone3(CLONE_PIDFD), no shared memory
 *            vm      clone3(CLONE_VM|CLONE_PIDFD) on a separately mmap'd stack,
 *                    plus CLONE_VFORK for plain/ns4 (not for userns: the parent
 *                    has to act while the child waits)
 *
 * Between clone and exec the child only makes raw system calls (no libc
 * wrappers, so not even errno is written) on memory prepared before the clone.
 *
 * Build: cc -O2 -Wall -Wextra -o spawn-reference spawn-reference.c
 * x86_64 only (the clone3 trampoline is hand-written assembly).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __x86_64__
#error "spawn-reference: only x86_64 is implemented (clone3 trampoline)"
#endif

/* Kernel headers may be older than the kernel: define what we need. */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

/* Our own copy of struct clone_args (CLONE_ARGS_SIZE_VER0 layout = 64 bytes). */
struct ref_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
};

#define CHILD_STACK_SIZE (256 * 1024)

/* Exit codes the child uses to report where it failed. */
#define CHILD_FAIL_SIGMASK 120
#define CHILD_FAIL_SYNC 121
#define CHILD_FAIL_MOUNT 122
#define CHILD_FAIL_EXEC 127

/* ---- raw syscalls for the child (no errno, no libc state) ---------------- */

static inline long raw_syscall1(long n, long a)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a) : "rcx", "r11", "memory");
	return ret;
}

static inline long raw_syscall3(long n, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long raw_syscall4(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * long ref_clone3(struct ref_clone_args *args, size_t size,
 *                 int (*fn)(void *), void *arg);
 *
 * Parent: returns the child's pid or -errno. Child: runs fn(arg) on whatever
 * stack the kernel gave it (the new stack with CLONE_VM, a copy of the
 * parent's otherwise) and exits with its return value; it never returns here.
 * fn and arg travel in r8/r9, which the syscall instruction preserves.
 */
long ref_clone3(struct ref_clone_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
	".globl ref_clone3\n"
	".type ref_clone3,@function\n"
	"ref_clone3:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n" /* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n" /* child: fresh frame chain */
	"	and $-16, %rsp\n"
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $231, %eax\n" /* exit_group */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size ref_clone3, .-ref_clone3\n");

static inline long raw_syscall5(long n, long a, long b, long c, long d, long e)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

/* ---- state prepared before the clone ------------------------------------ */

struct child_ctx {
	const char *path;
	char *const *argv;
	char *const *envp;
	int sync_fd;	   /* -1: no handshake; else read one byte before exec */
	int private_mounts; /* a new mount namespace: make its mounts private first, as
			     * unshare(1) and a correct spawn do (nothing may leak to the host) */
	sigset_t old_mask; /* restored in the child right before exec */
};

static int child_main(void *p)
{
	struct child_ctx *c = p;
	char b;

	/* No signal handlers are installed in this program, so only the mask
	 * needs restoring. */
	if (raw_syscall4(__NR_rt_sigprocmask, SIG_SETMASK, (long)&c->old_mask, 0, 8) < 0)
		return CHILD_FAIL_SIGMASK;
	if (c->private_mounts &&
	    raw_syscall5(__NR_mount, 0, (long)"/", 0, MS_REC | MS_PRIVATE, 0) < 0)
		return CHILD_FAIL_MOUNT;
	if (c->sync_fd >= 0) {
		long r;
		do
			r = raw_syscall3(__NR_read, c->sync_fd, (long)&b, 1);
		while (r == -EINTR);
		if (r != 1)
			return CHILD_FAIL_SYNC;
	}
	raw_syscall3(__NR_execve, (long)c->path, (long)c->argv, (long)c->envp);
	raw_syscall1(__NR_exit_group, CHILD_FAIL_EXEC);
	return CHILD_FAIL_EXEC;
}

/* ---- parent helpers ----------------------------------------------------- */

static void die(const char *what)
{
	fprintf(stderr, "spawn-reference: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: spawn-reference <plain|ns4|userns> <fork|vm> <iterations> [warmup]\n");
	exit(2);
}

static void write_proc_file(pid_t pid, const char *name, const char *data)
{
	char path[64], what[128];
	size_t len = strlen(data);
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	snprintf(what, sizeof what, "open %s", path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(what);
	n = write(fd, data, len);
	if (n < 0) {
		snprintf(what, sizeof what, "write %s", path);
		die(what);
	}
	if ((size_t)n != len) {
		fprintf(stderr, "spawn-reference: short write to %s\n", path);
		exit(1);
	}
	if (close(fd) < 0) {
		snprintf(what, sizeof what, "close %s", path);
		die(what);
	}
}

static double now_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die("clock_gettime");
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile on a sorted array. */
static double percentile(const double *v, long n, double p)
{
	long k = (long)(p * n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k];
}

static double median(const double *v, long n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	const char *scenario, *mode;
	uint64_t ns_flags;
	int userns, vm;
	long iterations, warmup = 0, i;
	char *end;
	double *samples;
	void *stack = NULL;
	char uid_map[64], gid_map[64];
	static char *child_argv[] = {"true", NULL};
	static char *child_envp[] = {"PATH=/usr/bin:/bin", NULL};
	static struct child_ctx ctx;
	sigset_t all;

	if (argc != 4 && argc != 5)
		usage();
	scenario = argv[1];
	mode = argv[2];
	if (!strcmp(scenario, "plain"))
		ns_flags = 0;
	else if (!strcmp(scenario, "ns4"))
		ns_flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS;
	else if (!strcmp(scenario, "userns"))
		ns_flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS;
	else
		usage();
	userns = !strcmp(scenario, "userns");
	if (!strcmp(mode, "fork"))
		vm = 0;
	else if (!strcmp(mode, "vm"))
		vm = 1;
	else
		usage();
	errno = 0;
	iterations = strtol(argv[3], &end, 10);
	if (errno || *end || end == argv[3] || iterations < 1 || iterations > 10000000)
		usage();
	if (argc == 5) {
		errno = 0;
		warmup = strtol(argv[4], &end, 10);
		if (errno || *end || end == argv[4] || warmup < 0 || warmup > 10000000)
			usage();
	}

	samples = malloc(sizeof *samples * iterations);
	if (!samples)
		die("malloc");
	if (vm) {
		stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED)
			die("mmap child stack");
	}
	snprintf(uid_map, sizeof uid_map, "0 %u 1\n", (unsigned)getuid());
	snprintf(gid_map, sizeof gid_map, "0 %u 1\n", (unsigned)getgid());
	if (sigfillset(&all) < 0)
		die("sigfillset");

	ctx.path = "/bin/true";
	ctx.private_mounts = (ns_flags & CLONE_NEWNS) != 0;
	ctx.argv = child_argv;
	ctx.envp = child_envp;

	/* Negative i: warm-up iterations, timed but not recorded. */
	for (i = -warmup; i < iterations; i++) {
		struct ref_clone_args ca;
		int pidfd = -1, sync[2] = {-1, -1};
		long pid;
		siginfo_t si;
		double t0 = now_us();

		if (userns) {
			if (pipe2(sync, O_CLOEXEC) < 0)
				die("pipe2");
			ctx.sync_fd = sync[0];
		} else {
			ctx.sync_fd = -1;
		}

		memset(&ca, 0, sizeof ca);
		ca.flags = ns_flags | CLONE_PIDFD;
		if (vm) {
			ca.flags |= CLONE_VM;
			if (!userns)
				ca.flags |= CLONE_VFORK;
			ca.stack = (uint64_t)(uintptr_t)stack;
			ca.stack_size = CHILD_STACK_SIZE;
		}
		ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
		ca.exit_signal = SIGCHLD;

		if (sigprocmask(SIG_SETMASK, &all, &ctx.old_mask) < 0)
			die("sigprocmask (block)");
		pid = ref_clone3(&ca, sizeof ca, child_main, &ctx);
		if (sigprocmask(SIG_SETMASK, &ctx.old_mask, NULL) < 0)
			die("sigprocmask (restore)");
		if (pid < 0) {
			errno = (int)-pid;
			die("clone3");
		}

		if (userns) {
			if (close(sync[0]) < 0)
				die("close pipe read end");
			write_proc_file((pid_t)pid, "setgroups", "deny");
			write_proc_file((pid_t)pid, "uid_map", uid_map);
			write_proc_file((pid_t)pid, "gid_map", gid_map);
			if (write(sync[1], "x", 1) != 1)
				die("write sync pipe");
			if (close(sync[1]) < 0)
				die("close pipe write end");
		}

		memset(&si, 0, sizeof si);
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
			if (errno != EINTR)
				die("waitid(P_PIDFD)");
		if (close(pidfd) < 0)
			die("close pidfd");
		if (i >= 0)
			samples[i] = now_us() - t0;

		if (si.si_code != CLD_EXITED || si.si_status != 0) {
			const char *why = "";
			if (si.si_code == CLD_EXITED && si.si_status == CHILD_FAIL_EXEC)
				why = " (execve failed in the child)";
			else if (si.si_code == CLD_EXITED && si.si_status == CHILD_FAIL_SYNC)
				why = " (child did not get the go-ahead byte)";
			else if (si.si_code == CLD_EXITED && si.si_status == CHILD_FAIL_MOUNT)
				why = " (making the new mount namespace private failed in the child)";
			else if (si.si_code == CLD_EXITED && si.si_status == CHILD_FAIL_SIGMASK)
				why = " (rt_sigprocmask failed in the child)";
			fprintf(stderr,
				"spawn-reference: %s %ld: child %ld %s %d%s\n",
				i < 0 ? "warm-up iteration" : "iteration", i < 0 ? i + warmup : i, pid,
				si.si_code == CLD_EXITED ? "exited with status" : "killed by signal",
				si.si_status, why);
			return 1;
		}
	}

	qsort(samples, iterations, sizeof *samples, cmp_double);
	printf("{\"scenario\":\"%s\",\"mode\":\"%s\",\"iterations\":%ld,"
	       "\"median_us\":%.1f,\"p90_us\":%.1f}\n",
	       scenario, mode, iterations, median(samples, iterations),
	       percentile(samples, iterations, 0.90));
	if (fflush(stdout) == EOF || ferror(stdout))
		die("write stdout");
	free(samples);
	if (stack && munmap(stack, CHILD_STACK_SIZE) < 0)
		die("munmap child stack");
	return 0;
}
