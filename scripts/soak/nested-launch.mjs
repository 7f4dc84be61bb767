// Starts nested.mjs as root of a new user namespace that maps only id 0 (to ours) with setgroups
// 'deny' — spawn() itself, so the soak also covers starting a whole Node program — and collects
// its JSON result. Its checks come back prefixed with "user ns:".
import { fileURLToPath } from 'node:url';
import { spawn } from '../../dist/index.js';

const NESTED = fileURLToPath(new URL('./nested.mjs', import.meta.url));
const rootOnly = [{ inside: 0, outside: 0, count: 1 }];

export async function runNested({ spawns, seed, inFlight }) {
  const child = spawn(process.execPath, [...process.execArgv, NESTED, '--spawns', String(spawns), '--seed', String(seed), '--in-flight', String(inFlight)], {
    namespaces: ['user'],
    uidMap: rootOnly,
    gidMap: rootOnly,
    setgroups: 'deny',
    stdio: ['ignore', 'pipe', 'inherit'],
    killOnParentDeath: true,
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += String(chunk)));
  const closed = new Promise((resolve) => child.once('close', resolve));
  const exit = await child.exited;
  await closed;
  let result;
  try {
    result = JSON.parse(out);
  } catch {
    result = undefined;
  }
  const ran = exit.code === 0 && result !== undefined;
  const checks = [
    { name: 'user ns: part ran', pass: ran, detail: `nested.mjs exited ${JSON.stringify(exit)}${result === undefined ? ', no JSON result' : ''}` },
    ...(result?.checks ?? []).map((check) => ({ ...check, name: `user ns: ${check.name}` })),
  ];
  return { result, checks };
}
