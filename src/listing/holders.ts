/** nsfs bind mounts of this process's mount namespace, from /proc/self/mountinfo. */
import { readFileSync } from 'node:fs';
import { isNamespaceType, type NamespaceType } from '../kinds.js';

export interface NsfsMount {
  type: NamespaceType;
  inode: bigint;
  mountPoint: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * mountinfo line: "id parent major:minor root mountpoint options [optional…] - fstype source super".
 * For nsfs the root field is the link text "<kind>:[<inode>]".
 */
export function nsfsMounts(text: string = readFileSync('/proc/self/mountinfo', 'utf8')): NsfsMount[] {
  const mounts: NsfsMount[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(' - nsfs ')) continue;
    const fields = line.split(' ');
    const match = /^([a-z]+):\[(\d+)\]$/.exec(fields[3] ?? '');
    if (match === null || !isNamespaceType(match[1])) continue;
    mounts.push({ type: match[1], inode: BigInt(match[2]!), mountPoint: unescape(fields[4] ?? '') });
  }
  return mounts;
}
