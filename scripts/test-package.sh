#!/usr/bin/env bash
# The package a user installs, tested as one (npm run test:package; root; CI runs it):
#
#  1. prebuilds for linux-x64 and linux-arm64 (npm run prebuild when any is missing), checked
#     with readelf (scripts/check-prebuilds.sh);
#  2. npm pack, then the tarball: publint and are-the-types-wrong (ESM) pass; it holds the
#     prebuilds with their agents (executable), dist/, the sources a fallback build needs and the
#     files the README links to, and no tests, build trees, source maps, fuzz corpora or logs;
#     its size and file count are printed;
#  3. installed into an empty project inside a mount namespace that nsbridge sets up
#     (`nsbridge run --mount`), where every C/C++ compiler, linker, make, cmake and python on
#     this machine is covered by /dev/null: the install must take the prebuild (and say so),
#     build nothing, and `npx nsbridge probe`, a spawn into new pid + uts namespaces and a
#     `nsbridge verify` area (the shipped agent) must work;
#  4. the fallback: with no prebuild that fits (LIBC=musl, which node-gyp-build honours), the
#     install says so and builds the addon with node-gyp, and that build works.
# The temporary directory is removed on every way out; the mount namespace goes with its process.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
step() { echo "== test-package: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root (the compilers are hidden in a mount namespace)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# ---- 1. prebuilds ------------------------------------------------------------------------------
if [ ! -f prebuilds/linux-x64/nsbridge.glibc.node ] || [ ! -f prebuilds/linux-arm64/nsbridge.glibc.node ]; then
  step "no prebuilds yet: npm run prebuild"
  npm run prebuild
fi
step "readelf over the prebuilds"
scripts/check-prebuilds.sh x64 arm64

# ---- 2. the tarball ----------------------------------------------------------------------------
step "npm pack"
npm pack --pack-destination "$work" --json >"$work/pack.json"
tarball="$work/$(node -p "require('$work/pack.json')[0].filename")"
node -e '
  const [info] = require(process.argv[1]);
  const files = info.files.map((f) => f.path);
  const banned = /^(test|build|build-[^/]+|node_modules|scripts\/(?!install\.mjs$)|native\/fuzz)\/|\.map$|\.log$|^\.|\/\./;
  const bad = files.filter((f) => banned.test(f) && f !== "scripts/install.mjs");
  const wanted = ["dist/index.js", "dist/index.d.ts", "dist/raw.js", "dist/model/index.js", "dist/cli/main.js",
    "binding.gyp", "native/addon.cc", "scripts/install.mjs", "README.md", "RELIABILITY.md", "LICENSE", "package.json",
    ...["x64", "arm64"].flatMap((a) => [`prebuilds/linux-${a}/nsbridge.glibc.node`, `prebuilds/linux-${a}/nsbridge-agent`])];
  const missing = wanted.filter((f) => !files.includes(f));
  const modeOf = (p) => info.files.find((f) => f.path === p)?.mode;
  const notExecutable = ["x64", "arm64"].map((a) => `prebuilds/linux-${a}/nsbridge-agent`).filter((p) => !(modeOf(p) & 0o111));
  if (bad.length || missing.length || notExecutable.length) {
    console.error(`unwanted: ${bad.join(", ") || "none"}; missing: ${missing.join(", ") || "none"}; not executable: ${notExecutable.join(", ") || "none"}`);
    process.exit(1);
  }
  console.log(`tarball ${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${info.entryCount} files`);
' "$work/pack.json" || fail "the tarball's contents"
step "publint"
npx --no-install publint run "$tarball" --strict
step "are-the-types-wrong (esm-only)"
NO_COLOR=1 npx --no-install attw "$tarball" --profile esm-only --format table

# ---- 3. install with no compiler reachable ----------------------------------------------------
app="$work/app"
mkdir "$app"
printf '{ "name": "nsbridge-package-test", "private": true, "type": "module" }\n' >"$app/package.json"
cat >"$app/spawn-check.mjs" <<'EOF'
import { spawn } from 'nsbridge';
const child = spawn('/bin/sh', ['-c', 'echo "$$ $(cat /proc/sys/kernel/hostname)"'], {
  namespaces: ['pid', 'uts'], hostname: 'pkgtest', stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (chunk) => (out += chunk));
const exit = await child.exited;
if (exit.code !== 0 || out !== '1 pkgtest\n') {
  console.error(`spawn-check: exit ${JSON.stringify(exit)}, output ${JSON.stringify(out)}`);
  process.exit(1);
}
console.log('spawn-check: pid 1 of a new pid namespace, hostname pkgtest');
EOF

# What is hidden: every compiler driver, linker, make, cmake and python on the PATH or in the
# usual directories (versioned and cross names too), and gcc's own cc1/cc1plus/collect2.
hide_pattern='(([a-z0-9_]+-)*(gcc|g\+\+|cc|c\+\+|cpp|clang|clang\+\+|ld|ld\.bfd|ld\.gold|as)(-[0-9.]+)?|make|gmake|cmake|python[0-9.]*|cc1|cc1plus|collect2)'
cat >"$work/hidden-install.sh" <<EOF
set -euo pipefail
hidden=0
for dir in \$(echo "\$PATH" | tr ':' ' ') /usr/bin /usr/local/bin /bin /usr/lib/gcc /usr/libexec /root/.pyenv; do
  [ -d "\$dir" ] || continue
  while IFS= read -r file; do
    mount --bind /dev/null "\$file" && hidden=\$((hidden + 1))
  done < <(find "\$dir" -maxdepth 6 \\( -type f -o -type l \\) -regextype posix-extended -regex '.*/$hide_pattern' 2>/dev/null)
done
echo "hidden: \$hidden files"
for tool in cc c++ gcc g++ make python3 cmake ld; do
  if command -v "\$tool" >/dev/null && "\$tool" --version >/dev/null 2>&1; then
    echo "test-package: \$tool still runs" >&2; exit 1
  fi
done
cd "$app"
npm install --no-audit --no-fund --foreground-scripts "$tarball" 2>&1 | tee "$work/install.log"
grep -q 'nsbridge: using the addon prebuilds/linux-$(node -p process.arch)/nsbridge.glibc.node (no build needed)' "$work/install.log"
[ ! -e node_modules/nsbridge/build ] || { echo "test-package: the install built something" >&2; exit 1; }
npx --no-install nsbridge probe
node spawn-check.mjs
npx --no-install nsbridge verify --area ns_last_pid --sequences 0
EOF
step "install into an empty project with compilers, make and python hidden (nsbridge run --mount)"
node dist/cli/main.js run --mount -- bash "$work/hidden-install.sh" || fail "the install without a toolchain"

# ---- 4. no prebuild fits: the fallback build --------------------------------------------------
step "install where no prebuild fits (LIBC=musl): the node-gyp fallback"
rm -rf "$app/node_modules" "$app/package-lock.json"
(cd "$app" && LIBC=musl npm install --no-audit --no-fund --foreground-scripts "$tarball" 2>&1 | tee "$work/fallback.log" | grep -E '^nsbridge:')
grep -q 'nsbridge: no prebuilt addon fits' "$work/fallback.log" || fail "the fallback did not say so"
[ -f "$app/node_modules/nsbridge/build/Release/nsbridge.node" ] || fail "the fallback built no addon"
(cd "$app" && node spawn-check.mjs) || fail "the fallback build does not spawn"
step "all passed"
