#!/usr/bin/env bash
# Checks the prebuilt files of prebuilds/linux-<arch>/ with readelf (binutils reads every
# architecture's ELF, so the arm64 files are checked here too):
#   - the ELF machine is the directory's architecture;
#   - the shared libraries they need are glibc's (libc, libm, the dynamic loader), libstdc++ and
#     libgcc_s, nothing else;
#   - the highest GLIBC_ and GLIBCXX_ symbol versions they need are at most the floor README.md
#     states ("glibc 2.NN or newer", "GLIBCXX_3.4.NN"), so the README cannot claim less than the
#     files need.
#
#   scripts/check-prebuilds.sh [x64] [arm64]      (default: every prebuilds/linux-* directory)
# Prints one line per file: arch, file, machine, needed libraries, highest GLIBC_ / GLIBCXX_.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A machine=([x64]='Advanced Micro Devices X86-64' [arm64]='AArch64')
allowed_needed='^(libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'

glibc_floor="$(grep -oE 'glibc 2\.[0-9]+ or newer' README.md | head -1 | grep -oE '2\.[0-9]+' || true)"
glibcxx_floor="$(grep -oE 'GLIBCXX_3\.4\.[0-9]+' README.md | head -1 | sed 's/GLIBCXX_//' || true)"
if [ -z "$glibc_floor" ] || [ -z "$glibcxx_floor" ]; then
  echo "check-prebuilds: README.md does not state the floor ('glibc 2.NN or newer' and 'GLIBCXX_3.4.NN')" >&2
  exit 1
fi

arches=("$@")
if [ ${#arches[@]} -eq 0 ]; then
  for dir in prebuilds/linux-*; do arches+=("${dir#prebuilds/linux-}"); done
fi

version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }
# The highest version of one symbol-version family (GLIBC, GLIBCXX) that a file needs.
# (none: a program that needs no symbol of the family, as nsbridge-init needs no libstdc++ one;
# grep finding nothing must not end the script under pipefail)
highest() { readelf -V "$2" | { grep -oE "\\b$1_[0-9]+(\\.[0-9]+)+" || true; } | sed "s/^$1_//" | sort -uV | tail -1; }

status=0
for arch in "${arches[@]}"; do
  dir="prebuilds/linux-$arch"
  for file in "$dir/nsbridge.glibc.node" "$dir/nsbridge-agent" "$dir/nsbridge-init"; do
    if [ ! -f "$file" ]; then
      echo "check-prebuilds: $file is missing (npm run prebuild)" >&2
      status=1
      continue
    fi
    got_machine="$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')"
    needed="$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')"
    glibc="$(highest GLIBC "$file")"
    glibcxx="$(highest GLIBCXX "$file")"
    printf '%-6s %-34s %-30s %-66s GLIBC_%s GLIBCXX_%s\n' "$arch" "$file" "$got_machine" "$needed" "$glibc" "${glibcxx:-none}"
    if [ "$got_machine" != "${machine[$arch]}" ]; then
      echo "check-prebuilds: $file is for '$got_machine', not ${machine[$arch]}" >&2
      status=1
    fi
    for lib in $needed; do
      if ! [[ "$lib" =~ $allowed_needed ]]; then
        echo "check-prebuilds: $file needs $lib (only glibc's libraries, libstdc++ and libgcc_s are allowed)" >&2
        status=1
      fi
    done
    if ! version_le "$glibc" "$glibc_floor"; then
      echo "check-prebuilds: $file needs GLIBC_$glibc, above the README's floor glibc $glibc_floor" >&2
      status=1
    fi
    if [ -n "$glibcxx" ] && ! version_le "$glibcxx" "$glibcxx_floor"; then
      echo "check-prebuilds: $file needs GLIBCXX_$glibcxx, above the README's GLIBCXX_$glibcxx_floor" >&2
      status=1
    fi
  done
done
exit $status
