/**
 * NETNSID (lsns's column): the id a network namespace has in this process's own network
 * namespace — assigned by `ip netns set NAME ID` or by the kernel when a peer is linked (veth,
 * netkit) — asked over rtnetlink (RTM_GETNSID) by the addon, one request per namespace.
 */
import { addon } from '../native/addon.js';

/** NETNSA_NSID_NOT_ASSIGNED: the namespace has no id here. */
export const NETNSID_NOT_ASSIGNED = -1;

/** Per path of a network namespace: its id (NETNSID_NOT_ASSIGNED when none), or null on any error. */
export function netnsIds(paths: readonly string[]): (number | null)[] {
  if (paths.length === 0) return [];
  const { ids, errors } = addon().netnsIds([...paths]);
  return paths.map((_, i) => (errors[i] === 0 ? ids[i]! : null));
}
