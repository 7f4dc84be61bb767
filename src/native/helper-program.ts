/**
 * The programs that ship beside the addon (nsbridge-agent, nsbridge-init): next to the addon that
 * is loaded, so the node-gyp, cmake-js and sanitizer builds and each prebuild
 * (prebuilds/linux-<arch>/) use their own.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { addonPath, packageRoot } from './addon.js';

/**
 * The path of helper program `name`; an Error with `code` and the build command when it is
 * missing or not executable. NSBRIDGE_ADDON (the build to use) is read on each call.
 */
export function helperProgram(name: string, what: string, code: string): string {
  const override = process.env.NSBRIDGE_ADDON;
  const path = join(dirname(override ? resolve(override) : addonPath()), name);
  try {
    accessSync(path, constants.X_OK);
  } catch (cause) {
    const how = override
      ? `build it beside ${override} (\`npm run build:cmake\` builds the addon and its programs into build-cmake/Release, \`npm run build:asan\` into build-asan/Release)`
      : `build it from ${packageRoot} with \`npx node-gyp rebuild\` (the binding.gyp target ${name}), or \`npm run prebuild\` for prebuilds/`;
    throw Object.assign(new Error(`nsbridge: ${what} ${path} is missing or not executable: ${how}`, { cause }), { code });
  }
  return path;
}
