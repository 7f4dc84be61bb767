/** Operations on namespaces: unshare, setns, nsfs, user-namespace maps, time offsets, credentials. */
import type { OpTable } from '../ops.js';
import { readMap, writeMap } from './id-maps.js';
import { nsIoctl } from './nsfs-ioctl.js';
import { nsId, openNs } from './open-ns.js';
import { readSetgroups, writeSetgroups } from './setgroups.js';
import { setns } from './setns.js';
import { setuid } from './setuid.js';
import { clockOffset, readTimeOffsets, writeTimeOffsets } from './time-offsets.js';
import { translatePid } from './translate-pid.js';
import { unshare } from './unshare.js';

export const NAMESPACE_OPS: OpTable = {
  unshare,
  setns,
  openNs,
  nsId,
  nsIoctl,
  translatePid,
  writeMap,
  readMap,
  writeSetgroups,
  readSetgroups,
  writeTimeOffsets,
  readTimeOffsets,
  clockOffset,
  setuid,
};
