/**
 * NETNSID (lsns's column): the id a network namespace has in this process's own network
 * namespace — assigned by `ip netns set NAME ID` or by the kernel when a peer is linked (veth,
 * netkit) — asked over rtnetlink (RTM_GETNSID) by the addon, one request per namespace.
 */
import { addon } from '../native/addon.js';

/** Per path of a network namespace: its id (-1, NETNSA_NSID_NOT_ASSIGNED, when it has none here), or null on any error. */
export function netnsIds(paths: readonly string[]): (number | null)[] {
  if (paths.length === 0) return [];
  const { ids, errors } = addon().netnsIds([...paths]);
  return paths.map((_, i) => (errors[i] === 0 ? ids[i]! : null));
}
