/** Interface addresses over rtnetlink: RTM_NEWADDR / RTM_DELADDR and the RTM_GETADDR dump. */
import { IFADDRMSG_SIZE, IFA_F_NODAD, IFA_F_PERMANENT, Ifa, RouteScope } from './netlink/constants.js';
import { body, parseAttributes, readU32, u32, type Attribute } from './netlink/codec.js';
import { addressFamily, formatIp, type IpFamily, type IpPrefix } from './ip-address.js';

/** An address on a link (RTM_GETADDR). */
export interface AddressInfo {
  /** The link's ifindex. */
  index: number;
  /** The link's name. */
  link: string;
  /** 4 or 6. */
  family: IpFamily;
  /** The address itself, e.g. '10.0.0.1' or 'fd00::1'. */
  address: string;
  /** The prefix length. */
  prefix: number;
  /** `${address}/${prefix}`, as given to addAddress. */
  cidr: string;
  /** 'universe' (global), 'link', 'host', … */
  scope: string;
  /** The kernel's IFA_F_PERMANENT: added by a user, not autoconfigured. */
  permanent: boolean;
  /** IFA_F_TENTATIVE: an IPv6 address still in duplicate address detection (not usable yet). */
  tentative: boolean;
}

const IFA_F_TENTATIVE = 0x40;

/** struct ifaddrmsg. */
export function ifaddrmsg(family: number, prefix: number, flags: number, scope: number, index: number): Uint8Array {
  const b = new Uint8Array(IFADDRMSG_SIZE);
  const v = new DataView(b.buffer);
  v.setUint8(0, family);
  v.setUint8(1, prefix);
  v.setUint8(2, flags & 0xff);
  v.setUint8(3, scope);
  v.setUint32(4, index, true);
  return b;
}

/**
 * RTM_NEWADDR / RTM_DELADDR of an address on link `index`. IFA_LOCAL and IFA_ADDRESS both hold the
 * address (what iproute2 sends for an address without a peer). `nodad`: an IPv6 address usable at
 * once, without the ~1 s of duplicate address detection (IFA_F_NODAD).
 */
export function addressPayload(index: number, address: IpPrefix, nodad: boolean): Uint8Array {
  const flags = address.family === 6 && nodad ? IFA_F_NODAD : 0;
  const attributes: Attribute[] = [
    [Ifa.LOCAL, address.bytes],
    [Ifa.ADDRESS, address.bytes],
    [Ifa.FLAGS, u32(flags)],
  ];
  return body(ifaddrmsg(addressFamily(address.family), address.prefix, flags, RouteScope.universe, index), attributes);
}

const scopeName = (scope: number): string => Object.entries(RouteScope).find(([, value]) => value === scope)?.[0] ?? String(scope);

export function parseAddress(payload: Uint8Array, linkName: (index: number) => string): AddressInfo {
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const family: IpFamily = v.getUint8(0) === 10 ? 6 : 4;
  const prefix = v.getUint8(1);
  const index = v.getUint32(4, true);
  const attributes = parseAttributes(payload, IFADDRMSG_SIZE);
  const flags = readU32(attributes.get(Ifa.FLAGS)) ?? v.getUint8(2);
  const bytes = attributes.get(Ifa.LOCAL) ?? attributes.get(Ifa.ADDRESS) ?? new Uint8Array(family === 4 ? 4 : 16);
  const address = formatIp(bytes);
  return {
    index,
    link: linkName(index),
    family,
    address,
    prefix,
    cidr: `${address}/${prefix}`,
    scope: scopeName(v.getUint8(3)),
    permanent: (flags & IFA_F_PERMANENT) !== 0,
    tentative: (flags & IFA_F_TENTATIVE) !== 0,
  };
}
