#!/usr/bin/env node
// The package's install step (package.json "install"): use the prebuilt addon that fits this
// machine, or build one with node-gyp, and say which — a user whose install suddenly wants a
// compiler should know why.
//
// A prebuild "fits" when node-gyp-build picks one for this platform, architecture and libc
// (prebuilds/linux-<arch>/nsbridge.glibc.node) AND it loads in a fresh process: a glibc older
// than the one it was built against only shows at load time. A checkout's own build/Release is
// what node-gyp-build prefers, so a developer's build is kept as it is.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
/** @type {{ resolve(dir: string): string }} */
const nodeGypBuild = require('node-gyp-build');

/** The addon node-gyp-build would load, or why none: { path } or { reason }. */
function fittingAddon() {
  let path;
  try {
    path = nodeGypBuild.resolve(root);
  } catch (error) {
    return { reason: String(error instanceof Error ? error.message : error).split('\n')[0] };
  }
  // Loaded in a child, so a crash or a missing symbol cannot take the install step down.
  const probe = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', path], { encoding: 'utf8' });
  if (probe.status === 0) return { path };
  const firstLine = (probe.stderr || `exit status ${probe.status}`).split('\n').find((line) => /Error|error/.test(line));
  return { reason: `${relative(root, path)} does not load here: ${(firstLine ?? probe.stderr).trim()}` };
}

// `npm install --build-from-source` (npm_config_build_from_source) skips the prebuilds, as
// node-gyp-build's own install step does.
const fromSource = /^(true|nsbridge)$/.test(process.env.npm_config_build_from_source ?? '');
const found = fromSource ? { reason: 'a build from source was asked for' } : fittingAddon();
if (found.path) {
  console.log(`nsbridge: using the addon ${relative(root, found.path)} (no build needed)`);
  process.exit(0);
}

console.log(
  `nsbridge: ${fromSource ? 'not using a prebuilt addon' : `no prebuilt addon fits ${platform()}-${arch()}`} (${found.reason}); ` +
    'building it from source with node-gyp, which needs python3, make and a C++ compiler',
);
// npm hands its own node-gyp to install scripts (npm_config_node_gyp); `node-gyp` on the PATH
// otherwise.
const npmNodeGyp = process.env.npm_config_node_gyp;
// Without -Werror (binding.gyp): this compiler may be newer than any the code was built with.
const gypArgs = ['rebuild', '--', '-Dnsbridge_werror=false'];
const [command, args] = npmNodeGyp ? [process.execPath, [npmNodeGyp, ...gypArgs]] : ['node-gyp', gypArgs];
const build = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
if (build.error) {
  console.error(`nsbridge: could not run node-gyp: ${build.error.message}`);
  process.exit(1);
}
process.exit(build.status ?? 1);
