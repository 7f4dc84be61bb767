/** mountProc: a fresh proc, mounted in the new mount namespace before the program runs. */
import type { NativeSpawnPlan } from '../../native/binding.js';
import type { NamespaceType } from '../../kinds.js';
import { checkPath, describe } from '../../validate.js';
import { requireCreated, type Given } from './common.js';
import { joinsKind, type JoinRequest } from './namespaces.js';

export const procKeys = ['mountProc'] as const;

export type ProcPlan = Pick<NativeSpawnPlan, 'mountProc'>;

export function checkMountProc({ mountProc: value }: Given<typeof procKeys>, creates: ReadonlySet<NamespaceType>, join: JoinRequest | null): ProcPlan {
  if (value === undefined || value === false) return { mountProc: null };
  let path: string;
  if (value === true) {
    path = '/proc';
  } else if (typeof value === 'string') {
    path = checkPath(value, 'options.mountProc');
    if (!path.startsWith('/')) throw new RangeError(`options.mountProc must be an absolute path, got ${describe(path)}`);
  } else {
    throw new TypeError(`options.mountProc must be a boolean or a path, got ${describe(value)}`);
  }
  // Mounting proc over the host's /proc needs a mount namespace of its own, and a fresh proc
  // shows the pid namespace the program is in: one that is new or joined.
  requireCreated(creates, 'mnt', 'options.mountProc');
  if (!creates.has('pid') && !joinsKind(join, 'pid')) {
    throw new RangeError('options.mountProc requires a new pid namespace (namespaces.pid) or a joined one (options.join)');
  }
  return { mountProc: path };
}
