// Per-environment resources of the spawn engine, made once and reused: spawn() is synchronous
// on its thread, so one set per environment is never used by two spawns at once.
#pragma once

#include <napi.h>
#include <stddef.h>

namespace nsbridge::spawn {

class Resources {
 public:
  Resources() = default;
  Resources(const Resources&) = delete;
  Resources& operator=(const Resources&) = delete;
  ~Resources();

  /** Maps the stacks on first use; throws a SystemError if that fails. */
  void PrepareStacks(Napi::Env env);
  /** Top of the first child's stack and of the program's (when a second clone is needed). */
  void* child_stack() const { return child_stack_; }
  void* program_stack() const { return program_stack_; }
  static constexpr size_t kStackSize = 128 * 1024;

  /**
   * This process's /proc (O_PATH) and its pid as that /proc shows it, for the parent-death check;
   * fd -1 when it cannot be known (then the check is skipped).
   */
  int proc_fd();
  long pid_in_proc() const { return pid_in_proc_; }

  /** Whether close_range(CLOSE_RANGE_CLOEXEC) works (5.11); asked of the kernel once. */
  bool close_range_cloexec();

 private:
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  void* child_stack_ = nullptr;
  void* program_stack_ = nullptr;
  int proc_fd_ = -1;
  bool proc_probed_ = false;
  long pid_in_proc_ = 0;
  int close_range_ = -1;  // -1 unknown, 0 no, 1 yes
};

}  // namespace nsbridge::spawn
