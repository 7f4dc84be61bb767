/**
 * createVethPair(): the usual test network in one call — a veth pair between two network
 * namespaces (either may be this process's own), each end with its addresses, up, and routes
 * (a default route through the peer). All input is checked before anything is made; a failure
 * after the pair exists deletes it (both ends), so nothing half-made stays behind.
 */
import { checkArray, checkKeys, checkObject, describe, ownElement } from '../validate.js';
import { isSystemError } from '../errors.js';
import { checkLinkName, checkMac, checkMtu, type LinkInfo } from './link-messages.js';
import { parseIp, parseIpPrefix } from './ip-address.js';
import { Network, type NetworkTarget, type RouteOptions } from './network.js';

/** One end of a veth pair. */
export interface VethEnd {
  /** Its network namespace: a Namespace of type 'net', or 'self'. */
  namespace: NetworkTarget;
  /** Its name, 1 to 15 bytes. */
  name: string;
  /** Its MTU in bytes (68 to 65535 for a veth). */
  mtu?: number;
  /** A unicast MAC address; default: a random one the kernel picks. */
  mac?: string;
  /** Addresses with prefixes, e.g. ['10.0.0.1/24', 'fd00::1/64'] (IPv6 ones without DAD). */
  addresses?: readonly string[];
  /** Bring the end up. Default true. */
  up?: boolean;
  /** Next hops of default routes from this end, e.g. '10.0.0.1' or ['10.0.0.1', 'fd00::1']. */
  defaultRoute?: string | readonly string[];
  /** More routes from this end (`link` defaults to this end's name). */
  routes?: readonly RouteOptions[];
}

/** The pair made by createVethPair. */
export interface VethPair {
  /** Each end as the kernel reports it after the setup. */
  a: LinkInfo;
  /** The other end, read back in its own namespace. */
  b: LinkInfo;
  /**
   * Delete the pair (deleting one end deletes both). Idempotent: a pair that is gone already (its
   * other end's namespace was destroyed, which takes the pair with it) is no error.
   */
  delete(): void;
}

const END_KEYS = ['namespace', 'name', 'mtu', 'mac', 'addresses', 'up', 'defaultRoute', 'routes'];

interface CheckedEnd {
  namespace: NetworkTarget;
  name: string;
  mtu?: number;
  mac?: string;
  addresses: string[];
  up: boolean;
  routes: RouteOptions[];
}

function checkEnd(value: unknown, name: string): CheckedEnd {
  const o = checkObject(value, name);
  checkKeys(o, END_KEYS, `${name} key`);
  if (o.namespace === undefined) throw new TypeError(`${name}.namespace is required: a Namespace of type 'net', or 'self'`);
  const end: CheckedEnd = { namespace: o.namespace as NetworkTarget, name: checkLinkName(o.name, `${name}.name`), addresses: [], up: true, routes: [] };
  if (o.mtu !== undefined) end.mtu = checkMtu(o.mtu, `${name}.mtu`);
  if (o.mac !== undefined) {
    checkMac(o.mac, `${name}.mac`);
    end.mac = o.mac as string;
  }
  if (o.up !== undefined) {
    if (typeof o.up !== 'boolean') throw new TypeError(`${name}.up must be a boolean, got ${describe(o.up)}`);
    end.up = o.up;
  }
  if (o.addresses !== undefined) {
    const list = checkArray(o.addresses, `${name}.addresses`, 0, 1024);
    end.addresses = list.map((_, i) => {
      const cidr = ownElement(list, i);
      parseIpPrefix(cidr, `${name}.addresses[${i}]`);
      return cidr as string;
    });
  }
  const vias = o.defaultRoute === undefined ? [] : typeof o.defaultRoute === 'string' ? [o.defaultRoute] : checkArray(o.defaultRoute, `${name}.defaultRoute`, 0, 16);
  vias.forEach((via, i) => {
    parseIp(via, `${name}.defaultRoute${typeof o.defaultRoute === 'string' ? '' : `[${i}]`}`);
    end.routes.push({ to: 'default', via: via as string, link: end.name });
  });
  if (o.routes !== undefined) {
    const list = checkArray(o.routes, `${name}.routes`, 0, 1024);
    list.forEach((_, i) => {
      const route = checkObject(ownElement(list, i), `${name}.routes[${i}]`);
      end.routes.push({ link: end.name, ...route } as unknown as RouteOptions);
    });
  }
  return end;
}

/**
 * Create a veth pair `a.name` ↔ `b.name` between `a.namespace` and `b.namespace`, configured as
 * given. The kernel's refusals are SystemError-shaped with its extended-ack text (EEXIST for a
 * taken name, ERANGE / EINVAL for an MTU, …). Needs CAP_NET_ADMIN over both namespaces.
 */
export function createVethPair(options: { a: VethEnd; b: VethEnd }): VethPair {
  const o = checkObject(options, 'options');
  checkKeys(o, ['a', 'b'], 'createVethPair option');
  const a = checkEnd(o.a, 'options.a');
  const b = checkEnd(o.b, 'options.b');
  const netA = Network.open(a.namespace);
  let netB: Network | undefined;
  let made = false;
  try {
    netB = Network.open(b.namespace);
    netA.addVeth(a.name, { name: b.name, namespace: b.namespace, ...(b.mtu === undefined ? {} : { mtu: b.mtu }), ...(b.mac === undefined ? {} : { mac: b.mac }) }, {
      ...(a.mtu === undefined ? {} : { mtu: a.mtu }),
      ...(a.mac === undefined ? {} : { mac: a.mac }),
    });
    made = true;
    // Addresses and links first, routes after: a route through a gateway needs it reachable.
    for (const [net, end] of [[netA, a], [netB, b]] as const) {
      for (const cidr of end.addresses) net.addAddress(end.name, cidr);
      if (end.up) net.setLink(end.name, { up: true });
    }
    for (const [net, end] of [[netA, a], [netB, b]] as const) {
      for (const route of end.routes) net.addRoute(route);
    }
    const infoA = netA.link(a.name);
    const infoB = netB.link(b.name);
    let deleted = false;
    return {
      a: infoA,
      b: infoB,
      delete() {
        if (deleted) return;
        // Through whichever end's namespace is still held open.
        for (const end of [a, b]) {
          if (end.namespace !== 'self' && end.namespace.closed) continue;
          const net = Network.open(end.namespace);
          try {
            net.deleteLink(end.name);
          } catch (error) {
            if (!isSystemError(error, 'ENODEV')) throw error;
          } finally {
            net.close();
          }
          break;
        }
        deleted = true;
      },
    };
  } catch (error) {
    if (made) {
      try {
        netA.deleteLink(a.name);
      } catch {
        // the pair is gone already (its namespace was torn down meanwhile)
      }
    }
    throw error;
  } finally {
    netA.close();
    netB?.close();
  }
}
