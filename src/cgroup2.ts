/**
 * Where cgroup v2 is mounted: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a
 * hybrid one, anywhere else in a container. For spawn()'s `cgroup` option, probe(), the tests
 * and scripts: the one place that looks.
 */
import { join, relative } from 'node:path';
import { mountInfo } from './mountinfo.js';

/** A cgroup2 mount of this process's mount namespace (from /proc/self/mountinfo). */
export interface Cgroup2Mount {
  /** Where the cgroup2 hierarchy is mounted in this process's mount namespace. */
  mountPoint: string;
  /** The cgroup at that mount point, as /proc/<pid>/cgroup names it ("/" unless bind-mounted from below). */
  root: string;
}

/** The first cgroup2 mount of this process's mount namespace, or null where there is none. */
export function findCgroup2Mount(): Cgroup2Mount | null {
  const mount = mountInfo().find((m) => m.fstype === 'cgroup2');
  return mount === undefined ? null : { mountPoint: mount.mountPoint, root: mount.root };
}

/** The line /proc/<pid>/cgroup shows for a process in `directory` (under the mount): "0::/a/b". */
export function cgroupLineOf(mount: Cgroup2Mount, directory: string): string {
  return `0::${join(mount.root, relative(mount.mountPoint, directory))}`;
}
