#!/usr/bin/env bash
# Runs the test suite against the ASan+UBSan build of the addon (npm run build:asan first).
# Node is not instrumented, so the ASan runtime is preloaded; LeakSanitizer is off because Node
# itself does not free everything at exit. Any ASan or UBSan report aborts the process and fails
# the test that triggered it.
set -euo pipefail
cd "$(dirname "$0")/.."
addon=build-asan/Release/nsbridge.node
[ -f "$addon" ] || { echo "missing $addon: run npm run build:asan first" >&2; exit 1; }
export NSBRIDGE_ADDON="$addon"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exec npx vitest run "$@"
