#include "resources.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kernel_compat.h"
#include "../system_error.h"

namespace nsbridge::spawn {

namespace {
constexpr size_t kGuard = 64 * 1024;  // below each stack: a runaway child faults instead of
                                      // writing over the other stack or the parent's memory
}

Resources::~Resources() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
  if (proc_fd_ >= 0) ::close(proc_fd_);
}

void Resources::PrepareStacks(Napi::Env env) {
  if (mapping_ != nullptr) return;
  // [guard][child stack][guard][program stack]: stacks grow down, so each top is its region's end.
  const size_t size = 2 * (kGuard + kStackSize);
  void* m = ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) ThrowSystemError(env, errno, "mmap");
  char* base = static_cast<char*>(m);
  for (int i = 0; i < 2; i++) {
    char* region = base + i * (kGuard + kStackSize) + kGuard;
    if (::mprotect(region, kStackSize, PROT_READ | PROT_WRITE) != 0) {
      const int err = errno;
      ::munmap(m, size);
      ThrowSystemError(env, err, "mprotect");
    }
  }
  mapping_ = m;
  mapping_size_ = size;
  child_stack_ = base + kGuard;                        // lowest address; clone3 wants the base
  program_stack_ = base + 2 * kGuard + kStackSize;
}

int Resources::proc_fd() {
  if (proc_probed_) return proc_fd_;
  proc_probed_ = true;
  int fd = ::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  char link[32];
  ssize_t n = ::readlinkat(fd, "self", link, sizeof link - 1);
  if (n <= 0) {
    ::close(fd);
    return -1;
  }
  link[n] = '\0';
  pid_in_proc_ = ::strtol(link, nullptr, 10);
  proc_fd_ = fd;
  return proc_fd_;
}

bool Resources::close_range_cloexec() {
  if (close_range_ < 0) {
    // An empty range (first = last = INT_MAX holds no fd): 0 where the flag is known (5.11),
    // EINVAL on 5.9-5.10, ENOSYS before.
    close_range_ = ::syscall(__NR_close_range, INT_MAX, INT_MAX, CLOSE_RANGE_CLOEXEC) == 0 ? 1 : 0;
  }
  return close_range_ == 1;
}

}  // namespace nsbridge::spawn
