// What the mixes need besides the programs they start: files that make execve / chdir / mount
// fail, the soak cgroup, a long-lived target to join, a user namespace whose ipc-namespace limit
// is 0, and handles on processes and namespaces that are gone. Every fd, process, file and cgroup
// made here is released by teardownFixtures(), also after a partial setup.
import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessHandle, probe, spawn } from '../../dist/index.js';
import { createSoakCgroup, removeSoakCgroup } from './cgroup.mjs';

export const TARGET_HOSTNAME = 'soak-target';
/** The target's namespaces that differ from ours (user and time are shared with us). */
const TARGET_KINDS = /** @type {const} */ (['pid', 'uts', 'ipc', 'net', 'mnt']);
/** Long sleepers die with the soak, even when it is killed before it can stop them. */
const SLEEPER = /** @type {const} */ ({ stdio: 'ignore', killOnParentDeath: true });

// A program that exits 0 only when each of its "kind=link" arguments names its own namespace
// (readlink /proc/self/ns/<kind>), else 10 + the argument's index: joins are checked from inside.
const NS_IS = `#!/bin/sh
i=0
for pair; do
  [ "$(readlink /proc/self/ns/\${pair%%=*})" = "\${pair#*=}" ] || exit $((10 + i))
  i=$((i + 1))
done
exit 0
`;

function makeFiles(dir) {
  const files = {
    dir,
    missingProgram: join(dir, 'no-such-program'),
    missingDir: join(dir, 'no-such-dir'),
    plainFile: join(dir, 'a-file'),
    notExecutable: join(dir, 'not-executable'),
    garbage: join(dir, 'garbage'),
    nsIs: join(dir, 'ns-is.sh'),
    /** A directory that is not a cgroup: CLONE_INTO_CGROUP answers EBADF. */
    notCgroup: join(dir, 'not-a-cgroup'),
  };
  writeFileSync(files.plainFile, '');
  // As root, execve still needs an execute bit on a regular file.
  writeFileSync(files.notExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
  chmodSync(files.notExecutable, 0o644);
  writeFileSync(files.garbage, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), { mode: 0o755 });
  writeFileSync(files.nsIs, NS_IS, { mode: 0o755 });
  mkdirSync(files.notCgroup);
  return files;
}

/** Reads one line from a 'pipe' stdout, then closes our end (the program never writes again). */
async function firstLine(stream) {
  let text = '';
  for await (const chunk of stream) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  stream.destroy();
  return text.split('\n')[0];
}

/** A process handle whose process was killed and reaped: joins through it are ESRCH. */
async function reapedProcess() {
  const child = spawn('sleep', ['100000'], { ...SLEEPER, namespaces: ['uts'] });
  const { pid } = await child.ready;
  const handle = ProcessHandle.open(pid);
  child.kill('SIGKILL');
  await child.exited; // reaped by nsbridge, which closed child.process
  return { handle, reapedChild: child.process };
}

/** A pid namespace whose init exited, held open by a handle: clone3 into it is ENOMEM. */
async function deadPidNamespace() {
  const init = spawn('sleep', ['100000'], { ...SLEEPER, namespaces: ['pid'] });
  await init.ready;
  const pidNs = init.namespace('pid');
  init.kill('SIGKILL');
  await init.exited;
  return pidNs;
}

export async function setupFixtures() {
  const f = { features: probe().features };
  try {
    f.files = makeFiles(mkdtempSync(join(tmpdir(), 'nsbridge-soak-')));
    f.cgroup = createSoakCgroup();
    // The long-lived target: pid 1 of its own pid namespace with a proc of its own.
    f.target = spawn('sleep', ['100000'], { ...SLEEPER, namespaces: TARGET_KINDS, hostname: TARGET_HOSTNAME, mountProc: true });
    await f.target.ready;
    f.targetLinks = Object.fromEntries(['user', 'time', 'cgroup', ...TARGET_KINDS].map((kind) => [kind, readlinkSync(`/proc/${f.target.pid}/ns/${kind}`)]));
    f.targetHandles = { net: f.target.namespace('net'), uts: f.target.namespace('uts'), ipc: f.target.namespace('ipc') };
    // A user namespace (root mapped to us) in which user.max_ipc_namespaces is 0: the limit is
    // per user namespace, and only a process inside it can set it.
    f.limited = spawn('sh', ['-c', 'echo 0 > /proc/sys/user/max_ipc_namespaces && echo ready && exec sleep 100000'], {
      namespaces: ['user'],
      mapRootUser: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      killOnParentDeath: true,
    });
    f.limited.stdout.setEncoding('utf8');
    const line = await firstLine(f.limited.stdout);
    if (line !== 'ready') throw new Error(`the ipc-limited user namespace holder said ${JSON.stringify(line)}`);
    const reaped = await reapedProcess();
    f.deadHandle = reaped.handle;
    f.reapedChild = reaped.reapedChild;
    f.deadPidNs = await deadPidNamespace();
    return f;
  } catch (error) {
    await teardownFixtures(f);
    throw error;
  }
}

async function stop(child) {
  if (child?.process == null) return;
  child.kill('SIGKILL');
  await child.exited.catch(() => {});
  child.process.close();
}

/** Releases everything setupFixtures made; returns problems found while doing so (strings). */
export async function teardownFixtures(f) {
  const problems = [];
  for (const handle of [...Object.values(f.targetHandles ?? {}), f.deadHandle, f.deadPidNs]) handle?.close();
  f.limited?.stdout?.destroy();
  await stop(f.target);
  await stop(f.limited);
  problems.push(...(await removeSoakCgroup(f.cgroup)).map((left) => `cgroup not removed: ${left}`));
  if (f.files) rmSync(f.files.dir, { recursive: true, force: true });
  return problems;
}
