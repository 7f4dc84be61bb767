// The soak's own cgroup v2 subtree, removed at the end even when the run fails:
//
//   <cgroup2 mount>/nsbridge-soak-<pid>/
//     leaf/                     where the cgroup mix starts programs (CLONE_INTO_CGROUP)
//     mixed/threaded/           cgroup.type = threaded, which makes its domain siblings …
//     mixed/invalid/            … 'domain invalid': CLONE_INTO_CGROUP there is EOPNOTSUPP
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupLineOf, findCgroup2Mount } from '../../dist/index.js';

export function createSoakCgroup() {
  const cgroup2 = findCgroup2Mount();
  if (cgroup2 === null) throw new Error('no cgroup2 mount in /proc/self/mountinfo');
  const mount = cgroup2.mountPoint;
  const root = join(mount, `nsbridge-soak-${process.pid}`);
  const paths = {
    mount,
    root,
    leaf: join(root, 'leaf'),
    threaded: join(root, 'mixed', 'threaded'),
    invalid: join(root, 'mixed', 'invalid'),
    /** The line of /proc/<pid>/cgroup of a program started in leaf. */
    leafLine: cgroupLineOf(cgroup2, join(root, 'leaf')),
  };
  mkdirSync(paths.leaf, { recursive: true });
  mkdirSync(paths.threaded, { recursive: true });
  mkdirSync(paths.invalid);
  writeFileSync(join(paths.threaded, 'cgroup.type'), 'threaded');
  const type = readFileSync(join(paths.invalid, 'cgroup.type'), 'utf8').trim();
  if (type !== 'domain invalid') throw new Error(`${paths.invalid} is '${type}', expected 'domain invalid'`);
  return paths;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Kills whatever is still in the subtree (cgroup.kill, Linux 5.14+), waits until it is empty
 * (rmdir is EBUSY while a cgroup has processes, zombies included until they are reaped) and
 * removes it, deepest first. Returns the directories that could not be removed.
 */
export async function removeSoakCgroup(paths) {
  if (paths === undefined || !existsSync(paths.root)) return [];
  try {
    writeFileSync(join(paths.root, 'cgroup.kill'), '1');
  } catch {
    /* an older kernel: the soak's own programs are all gone by now anyway */
  }
  const left = [];
  for (const dir of [paths.threaded, paths.invalid, join(paths.root, 'mixed'), paths.leaf, paths.root]) {
    for (let attempt = 0; ; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (error) {
        const { code } = /** @type {NodeJS.ErrnoException} */ (error);
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt === 200) {
          left.push(`${dir}: ${code}`);
          break;
        }
        await sleep(10);
      }
    }
  }
  return left;
}
