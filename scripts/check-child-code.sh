#!/usr/bin/env bash
# The code between clone and exec (native/spawn/child.cc) runs on the parent's memory and must not
# call into libc or any other library: no errno writes, no locks, no lazy PLT binding in the child.
# This checks the compiled object: the only outside symbol it may use is the clone3 trampoline
# (plus, in a sanitizer build, the runtime's load-time global registration, which never runs in
# the child). Usage: scripts/check-child-code.sh <child.o>...
set -euo pipefail
status=0
for object in "$@"; do
  unexpected=$(nm -u "$object" | awk '{print $2}' |
    grep -vxE 'nsbridge_clone3|__asan_(init|register_globals|unregister_globals|version_mismatch_check_v[0-9]+)' || true)
  if [ -n "$unexpected" ]; then
    echo "check-child-code: $object calls outside itself: $unexpected" >&2
    status=1
  else
    echo "check-child-code: $object ok"
  fi
done
exit $status
