/**
 * Where the agent program (native/agent/agent.cc) is: next to the addon that is loaded, so the
 * node-gyp, cmake-js and sanitizer builds and each prebuild (prebuilds/linux-<arch>/) use their
 * own agent.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { addonPath, packageRoot } from '../../native/addon.js';

const AGENT_FILE = 'nsbridge-agent';

/** The agent's path; an Error with the build command when it is missing or not executable. */
export function agentBinary(): string {
  const override = process.env.NSBRIDGE_ADDON;
  // NSBRIDGE_ADDON names the build to use; it is read on each call (the addon itself loads once).
  const path = join(dirname(override ? resolve(override) : addonPath()), AGENT_FILE);
  try {
    accessSync(path, constants.X_OK);
  } catch (cause) {
    const how = override
      ? `build the agent beside ${override} (\`npm run build:cmake\` builds both into build-cmake/Release, \`npm run build:asan\` into build-asan/Release)`
      : `build it from ${packageRoot} with \`npx node-gyp rebuild\` (the binding.gyp target nsbridge-agent), or \`npm run prebuild\` for prebuilds/`;
    throw Object.assign(new Error(`nsbridge: the kernel cross-check agent ${path} is missing or not executable: ${how}`, { cause }), {
      code: 'ERR_NSBRIDGE_AGENT',
    });
  }
  return path;
}
