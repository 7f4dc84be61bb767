#!/usr/bin/env bash
# libFuzzer over the native spawn plan parser and ChildPlan builder (native/fuzz/spawn_plan_fuzzer.cc).
#
#   scripts/fuzz-native.sh [seconds=60] [extra libFuzzer flags...]
#   npm run fuzz:native -- 600
#   FUZZ_SEED=1234 scripts/fuzz-native.sh 60     # replay a run's input sequence (the seed is printed)
#
# Builds build-fuzz/spawn_plan_fuzzer with clang++ -fsanitize=fuzzer,address,undefined
# -fno-sanitize-recover=all, runs it for the budget over a working corpus in build-fuzz/corpus
# (seeded from native/fuzz/corpus, which it never writes to), and prints the seed, executions,
# exec/s and coverage. Exits non-zero on any crash, sanitizer report, leak, timeout or OOM; the
# reproducer is saved in build-fuzz/artifacts/ (replay: build-fuzz/spawn_plan_fuzzer <file>).
# Installs clang and libclang-rt-<major>-dev (libFuzzer) with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

budget="${1:-60}"
[ $# -gt 0 ] && shift
if ! [[ "$budget" =~ ^[0-9]+$ ]] || [ "$budget" -lt 1 ]; then
  echo "usage: $0 [seconds>=1] [libFuzzer flags...] (got '$budget')" >&2
  exit 2
fi

out=build-fuzz
bin="$out/spawn_plan_fuzzer"
sources=(native/fuzz/spawn_plan_fuzzer.cc native/spawn/child_plan_builder.cc)

# A trivial fuzz target links only where clang has libFuzzer and the sanitizer runtimes.
links_fuzzer() {
  command -v clang++ >/dev/null || return 1
  local probe
  probe="$(mktemp -d)"
  printf '#include <stddef.h>\n#include <stdint.h>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' >"$probe/t.cc"
  clang++ -fsanitize=fuzzer,address,undefined "$probe/t.cc" -o "$probe/t" >/dev/null 2>&1
  local rc=$?
  rm -rf "$probe"
  return $rc
}

# Debian: libFuzzer and the sanitizer runtimes are in libclang-rt-<major>-dev, which clang only
# recommends (not installed where apt runs with --no-install-recommends, as in many images).
if ! links_fuzzer; then
  echo "== installing clang and libclang-rt-<major>-dev (libFuzzer, ASan, UBSan runtimes) with apt-get"
  apt-get update -qq
  command -v clang++ >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
  major="$(clang++ -dumpversion | cut -d. -f1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "libclang-rt-$major-dev" >/dev/null
  links_fuzzer || { echo "clang++ -fsanitize=fuzzer does not link even after installing clang and libclang-rt-$major-dev" >&2; exit 1; }
fi

echo "== building $bin ($(clang++ --version | head -n 1))"
mkdir -p "$out/corpus" "$out/artifacts"
clang++ -std=c++20 -g -O1 -D_GNU_SOURCE -Wall -Wextra -Werror \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
  "${sources[@]}" -o "$bin"

seed="${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
seed=$((seed % 2147483647 + 1))  # libFuzzer: 0 means "pick one", so stay in 1..INT_MAX
log="$out/fuzz.log"
echo "== fuzzing for ${budget}s, -seed=$seed (log: $log)"
# -max_len=4096 -len_control=0: full-size inputs from the start; a plan needs a few bytes per field
# to get past the first ones (long strings and id maps are generated from a length, not copied).
# -rss_limit_mb / -malloc_limit_mb: a plan that makes the parser allocate by a JS length (a sparse
# array's 2^32-1) must show up as a crash, not as a slow machine.
set +e
ASAN_OPTIONS="abort_on_error=1:detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  "$bin" -seed="$seed" -max_total_time="$budget" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -max_len=4096 -len_control=0 -print_final_stats=1 -artifact_prefix="$out/artifacts/" "$@" \
  "$out/corpus" native/fuzz/corpus >"$log" 2>&1
rc=$?
set -e

# The last status line ("#N DONE|pulse|NEW cov: C ft: F corp: K/S exec/s: E rss: R") and the
# final stats.
status="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")"
ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")"
corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$status")"
echo "seed:      $seed"
echo "runs:      ${runs:-?}"
echo "exec/s:    ${speed:-?}"
echo "coverage:  cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}"
echo "last line: ${status:-none}"

if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==[0-9]+==ERROR' "$log"; then
  echo "== FAILED (exit $rc): the report" >&2
  grep -nE 'ERROR|runtime error|invariant violated|SUMMARY|Test unit written|deadly signal|terminate called' "$log" >&2 || true
  echo "(full log: $log; reproduce: $bin <artifact>)" >&2
  exit 1
fi
echo "== no crash in ${budget}s"
