/**
 * /proc/<pid>/mountinfo, parsed (proc(5)): "id parent major:minor root mountpoint options
 * [optional fields…] - fstype source superoptions". The one parser every layer uses.
 */
import { readFileSync } from './sync-fs.js';

export interface MountInfo {
  id: number;
  parent: number;
  /** The root of the mount within its filesystem ("/", a subdirectory, or "<kind>:[inode]" for nsfs). */
  root: string;
  mountPoint: string;
  /** Per-mount options (rw, nosuid, …). */
  options: string[];
  /** Propagation fields: shared:N, master:N, propagate_from:N, unbindable. */
  optional: string[];
  fstype: string;
  source: string;
  /** Per-superblock options (for cgroup v1, the controllers: rw,pids). */
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mounts of a mountinfo text (default: this process's mount namespace), in its order. */
export function mountInfo(text: string = readFileSync('/proc/self/mountinfo', 'utf8')): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fields = line.slice(0, separator).split(' ');
    const [fstype = '', source = '', superOptions = ''] = line.slice(separator + 3).split(' ');
    mounts.push({
      id: Number(fields[0]),
      parent: Number(fields[1]),
      root: unescapeMountField(fields[3] ?? ''),
      mountPoint: unescapeMountField(fields[4] ?? ''),
      options: (fields[5] ?? '').split(','),
      optional: fields.slice(6),
      fstype,
      source: unescapeMountField(source),
      superOptions: superOptions.split(','),
    });
  }
  return mounts;
}
