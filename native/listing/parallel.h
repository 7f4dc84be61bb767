// Runs fn(begin, end, slot) over [0, n) in contiguous slices on a few threads. The scans are
// nothing but system calls on /proc (each one a few microseconds of kernel time, mostly the
// ptrace access check on every ns or fd link), so they scale with cores. No JS is touched off
// the main thread: workers fill plain vectors, the caller builds the JS values afterwards.
#pragma once

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace nsbridge {

// A thread that cannot be created (EAGAIN: a pids.max, as in containers; RLIMIT_NPROC) is not
// an error: the calling thread runs that slice itself, after its own. std::thread reports it as
// std::system_error, which must not escape to N-API (it would abort the process).
template <typename Fn>
void ParallelSlices(size_t n, size_t slots, Fn&& fn) {
  if (slots <= 1) {
    fn(size_t{0}, n, size_t{0});
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(slots - 1);
  std::vector<size_t> left;  // slices no thread could be started for
  left.reserve(slots - 1);   // no allocation (no bad_alloc) once threads run
  // Started threads are joined on every way out: a joinable std::thread destroyed would
  // std::terminate. Whatever else throws (bad_alloc in a thread's start, or in fn on this
  // thread) is rethrown once they are joined.
  struct JoinAll {
    std::vector<std::thread>& threads;
    ~JoinAll() {
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } join_all{threads};
  const size_t per = (n + slots - 1) / slots;
  for (size_t s = 1; s < slots; ++s) {
    const size_t begin = std::min(n, s * per), end = std::min(n, (s + 1) * per);
    try {
      threads.emplace_back([&fn, begin, end, s] { fn(begin, end, s); });
    } catch (const std::system_error&) {
      left.push_back(s);
    }
  }
  fn(size_t{0}, std::min(n, per), size_t{0});
  for (size_t s : left) fn(std::min(n, s * per), std::min(n, (s + 1) * per), s);
}

/** How many slices for n items: one thread per core (at most 4), none for small inputs. */
inline size_t SlicesFor(size_t n) {
  if (n < 128) return 1;
  const unsigned cores = std::thread::hardware_concurrency();
  return std::max<size_t>(1, std::min<size_t>(cores == 0 ? 1 : cores, 4));
}

}  // namespace nsbridge
