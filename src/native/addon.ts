/**
 * Loads the C++ addon once, on first use (so modules that never touch the kernel, like the model,
 * load without it). Order: NSBRIDGE_ADDON=<path to a .node> (used by the tests to load the cmake-js
 * and sanitizer builds), else node-gyp-build: build/Release/nsbridge.node when a checkout has
 * built one, otherwise the prebuild of prebuilds/linux-<arch>/ that fits this machine.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from './binding.js';

const require = createRequire(import.meta.url);
/** The package root: this file is <root>/src/native/addon.ts or <root>/dist/native/addon.js. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let binding: NativeBinding | undefined;
let loadedFrom: string | undefined;

/** The addon's exports; throws an actionable Error (code ERR_NSBRIDGE_ADDON) if it cannot load. */
export function addon(): NativeBinding {
  return (binding ??= load());
}

/**
 * The path of the .node file that is (or would be) loaded: NSBRIDGE_ADDON, a prebuild of
 * prebuilds/linux-<arch>/, or build/Release/nsbridge.node. Programs shipped with an addon (the
 * verify agent) sit in the same directory. Throws like {@link addon} when there is none.
 */
export function addonPath(): string {
  addon();
  return loadedFrom as string;
}

function load(): NativeBinding {
  if (process.platform !== 'linux') {
    throw addonError(`nsbridge works only on Linux (this is ${process.platform})`);
  }
  const override = process.env.NSBRIDGE_ADDON;
  let loaded: NativeBinding;
  try {
    // node-gyp-build prefers a checkout's build/Release to prebuilds/ (a developer's build wins).
    const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    const path = override ? resolve(override) : nodeGypBuild.resolve(packageRoot);
    loaded = require(path) as NativeBinding;
    loadedFrom = path;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    const where = override
      ? `NSBRIDGE_ADDON=${override} could not be loaded (${reason}). Point it at a built nsbridge.node, e.g. build-cmake/Release/nsbridge.node after \`npm run build:cmake\`, or unset it.`
      : `the native addon was not found or failed to load (${reason}). ` +
        `No prebuilt addon in ${packageRoot}/prebuilds fits this machine (linux-${process.arch}, glibc 2.34 or newer); ` +
        `build one with \`npm rebuild nsbridge\` (or \`npx node-gyp rebuild\` in a checkout); ` +
        'that needs python3, make and a C++ compiler (Debian: apt-get install python3 make g++).';
    throw addonError(`nsbridge: ${where}`, cause);
  }
  if (typeof loaded?.openPath !== 'function' || typeof loaded.watchReadable !== 'function') {
    throw addonError(`nsbridge: the loaded addon does not export the expected functions (a stale build?). Rebuild it with \`npm rebuild nsbridge\`.`);
  }
  return loaded;
}

function addonError(message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as Error & { code: string };
  error.code = 'ERR_NSBRIDGE_ADDON';
  return error;
}
