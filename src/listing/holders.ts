/** nsfs bind mounts of this process's mount namespace, from /proc/self/mountinfo. */
import { isNamespaceType, type NamespaceType } from '../kinds.js';
import { mountInfo } from '../mountinfo.js';

export interface NsfsMount {
  type: NamespaceType;
  inode: bigint;
  mountPoint: string;
}

/** For nsfs the mountinfo root field is the link text "<kind>:[<inode>]". */
export function nsfsMounts(text?: string): NsfsMount[] {
  const mounts: NsfsMount[] = [];
  for (const mount of mountInfo(text)) {
    if (mount.fstype !== 'nsfs') continue;
    const match = /^([a-z]+):\[(\d+)\]$/.exec(mount.root);
    if (match === null || !isNamespaceType(match[1])) continue;
    mounts.push({ type: match[1], inode: BigInt(match[2]!), mountPoint: mount.mountPoint });
  }
  return mounts;
}
