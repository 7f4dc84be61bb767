#!/usr/bin/env bash
# Prebuilt addons for the package (the sodium-native / node-pty convention, read by node-gyp-build):
#
#   npm run prebuild                 # both architectures
#   scripts/prebuild.sh x64          # one of them
#
# Writes prebuilds/linux-<arch>/nsbridge.glibc.node (prebuildify: Node-API, so one file serves
# every Node version; stripped; tagged glibc) and, beside it, the programs run from the directory
# of the addon that was loaded (stripped): the kernel cross-check's agent nsbridge-agent
# (`nsbridge verify`) and nsbridge-init (spawn's `init` option). arm64 is cross-compiled with Debian's aarch64-linux-gnu toolchain, installed
# with apt-get when it is missing.
#
# The builds run in a copy of the sources in a temporary directory, so the checkout's build/
# (which node-gyp-build prefers to prebuilds/, and which the tests load) is never replaced by a
# foreign-architecture binary. Each result is checked with readelf by scripts/check-prebuilds.sh:
# its machine, the libraries it needs, and the glibc / libstdc++ versions against the README.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x64 arm64)

# arch -> cross-compiler prefix ('' = the host's compiler) and the Debian package that has it.
declare -A prefix=([x64]='' [arm64]='aarch64-linux-gnu-')
declare -A cross_package=([arm64]='g++-aarch64-linux-gnu')
host_arch="$(node -p process.arch)"
# The Node headers: npm's nodedir when set (Debian's node: /usr), else the running node's prefix.
nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
[ -n "$nodedir" ] && [ "$nodedir" != undefined ] && [ "$nodedir" != null ] || nodedir="$(node -p "require('path').resolve(process.execPath, '../..')")"

for arch in "${arches[@]}"; do
  if [ -z "${prefix[$arch]+set}" ]; then
    echo "prebuild: unknown architecture '$arch' (known: ${!prefix[*]})" >&2
    exit 2
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The build needs binding.gyp, native/ and node-addon-api (found through package.json's
# directory); node_modules is linked, not copied.
cp -r binding.gyp native package.json "$work/"
ln -s "$root/node_modules" "$work/node_modules"

for arch in "${arches[@]}"; do
  cc_prefix="${prefix[$arch]}"
  if [ "$arch" != "$host_arch" ]; then
    if [ -z "$cc_prefix" ]; then
      echo "prebuild: no cross toolchain known for $arch from $host_arch" >&2
      exit 2
    fi
    if ! command -v "${cc_prefix}g++" >/dev/null; then
      echo "prebuild: installing ${cross_package[$arch]} for the $arch cross-build"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${cross_package[$arch]}" >/dev/null
    fi
  else
    cc_prefix=''
  fi
  echo "== prebuild linux-$arch (${cc_prefix:-host }g++)"
  rm -rf "$work/build" "$work/prebuilds"
  (
    cd "$work"
    # libstdc++ stays a shared library: linked statically, GCC 12's libstdc++.a and libgcc_eh.a
    # need arc4random and _dl_find_object, raising the floor to glibc 2.36, where the shared
    # one needs glibc 2.34 and a libstdc++ of GCC 11 (RHEL 9, Ubuntu 22.04 and newer have both).
    # node-gyp builds against the local Node headers (npm's nodedir; no route to nodejs.org).
    CC="${cc_prefix}gcc" CXX="${cc_prefix}g++" LINK="${cc_prefix}g++" npm_config_nodedir="$nodedir" \
      npx --no-install prebuildify --napi --strip --tag-libc --arch "$arch" --strip-bin "${cc_prefix}strip"
  )
  out="prebuilds/linux-$arch"
  rm -rf "$out"
  mkdir -p "$out"
  cp "$work/prebuilds/linux-$arch/nsbridge.glibc.node" "$out/"
  for program in nsbridge-agent nsbridge-init; do
    "${cc_prefix}strip" --strip-all -o "$out/$program" "$work/build/Release/$program"
    chmod 0755 "$out/$program"
  done
  scripts/check-prebuilds.sh "$arch"
done
