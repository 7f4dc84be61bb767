/**
 * Network: links, addresses and routes of one network namespace, over rtnetlink (what
 * `ip -n NAME link / address / route` do, without running ip). The socket is opened inside the
 * namespace by a native thread that joins it; the JavaScript thread never changes namespace.
 * Requests are synchronous: the kernel answers an rtnetlink request before sendmsg returns.
 */
import { inspect } from 'node:util';
import { Namespace } from '../namespace.js';
import { checkInteger, checkKeys, checkObject, describe } from '../validate.js';
import { Flag, MessageType } from './netlink/constants.js';
import { RtnetlinkSocket, targetFd, type NetworkTarget } from './rtnetlink-socket.js';
import { byName, checkLinkName, checkMac, checkMtu, indexOf, newVethPayload, parseLink, setLinkPayload, ifinfomsg, type LinkInfo, type LinkSettings, type VethEndMessage } from './link-messages.js';
import { addressPayload, ifaddrmsg, parseAddress, type AddressInfo } from './address-messages.js';
import { parseRoute, routeDumpPayload, routePayload, type RouteInfo } from './route-messages.js';
import { parseIp, parseIpPrefix, networkOf, type IpFamily } from './ip-address.js';

export type { NetworkTarget };

/** The other end of a new veth pair. */
export interface VethPeer extends Omit<LinkSettings, 'up'> {
  /** Its name (1 to 15 bytes). */
  name: string;
  /** The network namespace it goes to: a Namespace of type 'net', or 'self'. Default: the same as the first end's. */
  namespace?: NetworkTarget;
}

/** Options of Network.addAddress. */
export interface AddressOptions {
  /**
   * IPv6 only: skip duplicate address detection (IFA_F_NODAD), so the address can be bound at
   * once instead of after ~1 s of DAD. Default true: a namespace nsbridge made has no duplicates
   * to detect.
   */
  nodad?: boolean;
}

/** A route to add or delete. */
export interface RouteOptions {
  /** 'default', or a destination network like '10.1.0.0/16' (host bits are cleared). */
  to: string;
  /** The next hop's address (same family as `to`). */
  via?: string;
  /** The outgoing link's name. At least one of `via` and `link` is needed. */
  link?: string;
  /** The route's metric (RTA_PRIORITY). */
  metric?: number;
  /** For to: 'default': the family (default: that of `via`, else 4). */
  family?: IpFamily;
}

const settingKeys = ['up', 'mtu', 'mac'] as const;
const peerKeys = ['name', 'namespace', 'mtu', 'mac'] as const;
const routeKeys = ['to', 'via', 'link', 'metric', 'family'] as const;

function checkSettings(value: unknown, name: string, allowed: readonly string[] = settingKeys): { up?: boolean; mtu?: number; mac?: Uint8Array } {
  const o = checkObject(value, name);
  checkKeys(o, allowed, `${name} key`);
  const out: { up?: boolean; mtu?: number; mac?: Uint8Array } = {};
  if (o.up !== undefined) {
    if (typeof o.up !== 'boolean') throw new TypeError(`${name}.up must be a boolean, got ${describe(o.up)}`);
    out.up = o.up;
  }
  if (o.mtu !== undefined) out.mtu = checkMtu(o.mtu, `${name}.mtu`);
  if (o.mac !== undefined) out.mac = checkMac(o.mac, `${name}.mac`);
  return out;
}

/** The links, addresses and routes of one network namespace. Close it (or `using` it) when done. */
export class Network implements Disposable {
  #socket: RtnetlinkSocket;
  /** The namespace this handle acts in (kept for IFLA_NET_NS_FD of moves between namespaces). */
  readonly target: NetworkTarget;

  private constructor(target: NetworkTarget) {
    this.#socket = new RtnetlinkSocket(target, 'target');
    this.target = target;
  }

  /** Open the rtnetlink side of `target` ('self': this process's network namespace). */
  static open(target: NetworkTarget): Network {
    return new Network(target);
  }

  /** Every link of the namespace, in ifindex order. */
  links(): LinkInfo[] {
    return this.#socket.dump(MessageType.RTM_GETLINK, ifinfomsg()).map((m) => parseLink(m.payload)).sort((a, b) => a.index - b.index);
  }

  /** The link of this name; throws ENODEV (code) when there is none. */
  link(name: string): LinkInfo {
    checkLinkName(name, 'name');
    return parseLink(this.#socket.get(MessageType.RTM_GETLINK, byName(name), `link ${describe(name)}`).payload);
  }

  /** Change a link: up / down, MTU, MAC. */
  setLink(name: string, settings: LinkSettings): void {
    checkLinkName(name, 'name');
    const checked = checkSettings(settings, 'settings');
    const index = this.#indexOf(name);
    this.#socket.change(MessageType.RTM_SETLINK, 0, setLinkPayload(index, checked), `link ${describe(name)}`);
  }

  /** Move a link into another network namespace (it keeps its name unless that is taken there: EEXIST). */
  moveLink(name: string, to: NetworkTarget): void {
    checkLinkName(name, 'name');
    const index = this.#indexOf(name);
    this.#withFd(to, 'to', (fd) => this.#socket.change(MessageType.RTM_SETLINK, 0, setLinkPayload(index, { namespaceFd: fd }), `link ${describe(name)}`));
  }

  /**
   * Create a veth pair: `name` here, `peer.name` in `peer.namespace` (default: here), both down
   * (set them up, or use createVethPair). EEXIST when a name is taken on either side.
   */
  addVeth(name: string, peer: VethPeer, settings: Omit<LinkSettings, 'up'> = {}): void {
    checkLinkName(name, 'name');
    const p = checkObject(peer, 'peer');
    checkKeys(p, peerKeys, 'peer key');
    const peerName = checkLinkName(p.name, 'peer.name');
    const peerSettings = checkSettings({ ...(p.mtu === undefined ? {} : { mtu: p.mtu }), ...(p.mac === undefined ? {} : { mac: p.mac }) }, 'peer');
    const own = checkSettings(settings, 'settings', ['mtu', 'mac']);
    const first: VethEndMessage = { name, ...own };
    const send = (peerMessage: VethEndMessage): void =>
      this.#socket.change(MessageType.RTM_NEWLINK, Flag.CREATE | Flag.EXCL, newVethPayload(first, peerMessage), `veth ${describe(name)} with peer ${describe(peerName)}`);
    if (p.namespace === undefined) {
      send({ name: peerName, ...peerSettings });
    } else {
      this.#withFd(p.namespace as NetworkTarget, 'peer.namespace', (fd) => send({ name: peerName, ...peerSettings, namespaceFd: fd }));
    }
  }

  /** Delete a link (for a veth: both ends). ENODEV when there is none. */
  deleteLink(name: string): void {
    checkLinkName(name, 'name');
    this.#socket.change(MessageType.RTM_DELLINK, 0, byName(name), `link ${describe(name)}`);
  }

  /** Every address of the namespace (optionally of one family). */
  addresses(family?: IpFamily): AddressInfo[] {
    if (family !== undefined && family !== 4 && family !== 6) throw new RangeError(`family must be 4 or 6, got ${describe(family)}`);
    const names = this.#linkNames();
    const request = ifaddrmsg(family === undefined ? 0 : family === 4 ? 2 : 10, 0, 0, 0, 0);
    return this.#socket.dump(MessageType.RTM_GETADDR, request).map((m) => parseAddress(m.payload, (i) => names.get(i) ?? `if${i}`));
  }

  /** Add an address with its prefix, 'fd00::1/64' or '10.0.0.1/24', to a link. EEXIST if it is there. */
  addAddress(link: string, cidr: string, options: AddressOptions = {}): void {
    checkLinkName(link, 'link');
    const address = parseIpPrefix(cidr, 'cidr');
    const o = checkObject(options, 'options');
    checkKeys(o, ['nodad'], 'address option');
    if (o.nodad !== undefined && typeof o.nodad !== 'boolean') throw new TypeError(`options.nodad must be a boolean, got ${describe(o.nodad)}`);
    const index = this.#indexOf(link);
    this.#socket.change(MessageType.RTM_NEWADDR, Flag.CREATE | Flag.EXCL, addressPayload(index, address, o.nodad !== false), `${cidr} on ${describe(link)}`);
  }

  /** Remove an address from a link. EADDRNOTAVAIL if it is not there. */
  deleteAddress(link: string, cidr: string): void {
    checkLinkName(link, 'link');
    const address = parseIpPrefix(cidr, 'cidr');
    const index = this.#indexOf(link);
    this.#socket.change(MessageType.RTM_DELADDR, 0, addressPayload(index, address, false), `${cidr} on ${describe(link)}`);
  }

  /** The routes of the main table (what `ip route` / `ip -6 route` show), or of every table. */
  routes(options: { family?: IpFamily; allTables?: boolean } = {}): RouteInfo[] {
    const o = checkObject(options, 'options');
    checkKeys(o, ['family', 'allTables'], 'routes option');
    if (o.family !== undefined && o.family !== 4 && o.family !== 6) throw new RangeError(`options.family must be 4 or 6, got ${describe(o.family)}`);
    const names = this.#linkNames();
    return this.#socket
      .dump(MessageType.RTM_GETROUTE, routeDumpPayload())
      .map((m) => parseRoute(m.payload, (i) => names.get(i) ?? `if${i}`))
      .filter((r) => (o.allTables === true || r.table === 254) && (o.family === undefined || r.family === o.family));
  }

  /** Add a route: `{ to: 'default', via: '10.0.0.1' }`, `{ to: '10.2.0.0/16', link: 'veth0' }`. EEXIST if there. */
  addRoute(route: RouteOptions): void {
    this.#socket.change(MessageType.RTM_NEWROUTE, Flag.CREATE | Flag.EXCL, routePayload(this.#route(route)), `route to ${describe(route?.to)}`);
  }

  /** Delete a route given as to addRoute. ESRCH if there is none. */
  deleteRoute(route: RouteOptions): void {
    this.#socket.change(MessageType.RTM_DELROUTE, 0, routePayload(this.#route(route)), `route to ${describe(route?.to)}`);
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#socket.closed;
  }

  /** Close the rtnetlink socket (idempotent). */
  close(): void {
    this.#socket.close();
  }

  /** close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** util.inspect() output: `Network <self>` or the namespace it acts in. */
  [inspect.custom](): string {
    return `Network <${this.target === 'self' ? 'self' : inspect(this.target)}${this.closed ? ', closed' : ''}>`;
  }

  #indexOf(name: string): number {
    return indexOf(this.#socket.get(MessageType.RTM_GETLINK, byName(name), `link ${describe(name)}`).payload);
  }

  #linkNames(): Map<number, string> {
    return new Map(this.links().map((l) => [l.index, l.name]));
  }

  /** Runs `use` with an fd of `target`'s network namespace (this process's own opened for the call). */
  #withFd(target: NetworkTarget, name: string, use: (fd: number) => void): void {
    if (target !== 'self') {
      use(targetFd(target, name));
      return;
    }
    // thread-self: the JavaScript thread's namespace (the process's, as this thread never moves).
    const own = Namespace.of('self', 'net');
    try {
      use(own.fd);
    } finally {
      own.close();
    }
  }

  #route(route: RouteOptions) {
    const o = checkObject(route, 'route');
    checkKeys(o, routeKeys, 'route key');
    if (typeof o.to !== 'string') throw new TypeError(`route.to must be 'default' or a network like '10.0.0.0/24', got ${describe(o.to)}`);
    const gateway = o.via === undefined ? null : parseIp(o.via, 'route.via');
    const link = o.link === undefined ? null : checkLinkName(o.link, 'route.link');
    if (gateway === null && link === null) throw new TypeError('route needs `via` (a next hop) or `link` (an outgoing link), or both');
    if (o.family !== undefined && o.family !== 4 && o.family !== 6) throw new RangeError(`route.family must be 4 or 6, got ${describe(o.family)}`);
    const destination = o.to === 'default' ? null : networkOf(parseIpPrefix(o.to, 'route.to'));
    const family = (destination?.family ?? gateway?.family ?? o.family ?? 4);
    if (gateway !== null && gateway.family !== family) throw new RangeError(`route.via ${describe(o.via)} is not of the family of route.to ${describe(o.to)}`);
    if (o.family !== undefined && o.family !== family) throw new RangeError(`route.family ${describe(o.family)} does not match route.to / route.via`);
    return {
      family,
      destination,
      gateway,
      index: link === null ? null : this.#indexOf(link),
      metric: o.metric === undefined ? null : checkInteger(o.metric, 'route.metric', 0, 0xffffffff),
    };
  }
}

