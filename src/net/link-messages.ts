/**
 * Links (network interfaces) over rtnetlink: the RTM_*LINK messages nsbridge sends and the link
 * data it reads back. Checks of names, MACs and MTUs name the bad value before anything is sent.
 */
import { describe, checkInteger } from '../validate.js';
import { AF_UNSPEC, IFF_LOWER_UP, IFF_UP, IFINFOMSG_SIZE, IFNAMSIZ, Ifla, IflaInfo, OPERSTATES, VETH_INFO_PEER } from './netlink/constants.js';
import { body, cstring, parseAttributes, readI32, readString, readU32, u32, type Attribute } from './netlink/codec.js';

/** A network interface as the kernel reports it (RTM_GETLINK). */
export interface LinkInfo {
  /** The ifindex, unique within its network namespace. */
  index: number;
  /** The interface name, e.g. 'lo', 'veth0'. */
  name: string;
  /** The rtnetlink kind ('veth', 'bridge', …); null for devices without one (lo). */
  kind: string | null;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_LOWER_UP: the carrier is there (for a veth: its peer is up too). */
  lowerUp: boolean;
  /** RFC 2863 state: 'up', 'down', 'lowerlayerdown', 'unknown' (lo), … */
  operstate: (typeof OPERSTATES)[number];
  /** The MTU in bytes. */
  mtu: number;
  /** The hardware address, 'aa:bb:cc:dd:ee:ff'; null where there is none. */
  mac: string | null;
  /** IFLA_LINK: the peer's ifindex for a veth (in the peer's namespace when linkNetnsId is set). */
  linkIndex: number | null;
  /** IFLA_LINK_NETNSID: the id, in this namespace, of the namespace the peer is in; null when it is the same one. */
  linkNetnsId: number | null;
}

/** What a link can be changed to (setLink) or created with (veth ends). */
export interface LinkSettings {
  /** Bring the link up (true) or down (false). */
  up?: boolean;
  /** The MTU in bytes (a veth takes 68 to 65535; the kernel says why it refuses another). */
  mtu?: number;
  /** A unicast MAC address, 'aa:bb:cc:dd:ee:ff'. */
  mac?: string;
}

/**
 * The kernel's dev_valid_name(): 1 to 15 bytes, not '.' or '..', no '/', ':' or whitespace (a
 * name is a sysfs directory and a procfs file).
 */
export function checkLinkName(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be an interface name string, got ${describe(value)}`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes === 0 || bytes >= IFNAMSIZ) throw new RangeError(`${name} must be 1 to ${IFNAMSIZ - 1} bytes (IFNAMSIZ), got ${describe(value)} (${bytes} bytes)`);
  if (value === '.' || value === '..' || /[/:\s\0]/u.test(value)) {
    throw new RangeError(`${name} must not be '.' or '..' nor contain '/', ':', NUL or whitespace, got ${describe(value)}`);
  }
  return value;
}

export function checkMac(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(value)) {
    throw new TypeError(`${name} must be a MAC address like '02:00:00:00:00:01', got ${describe(value)}`);
  }
  const bytes = Uint8Array.from(value.split(':'), (part) => parseInt(part, 16));
  // The kernel refuses these too (eth_validate_addr: EADDRNOTAVAIL), without saying which.
  if ((bytes[0]! & 1) !== 0) throw new RangeError(`${name} must be a unicast address (the first byte even), got ${describe(value)}`);
  if (bytes.every((b) => b === 0)) throw new RangeError(`${name} must not be all zeros, got ${describe(value)}`);
  return bytes;
}

function formatMac(bytes: Uint8Array | undefined): string | null {
  if (bytes === undefined || bytes.length === 0) return null;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function checkMtu(value: unknown, name: string): number {
  return checkInteger(value, name, 1, 0x7fffffff);
}

/** struct ifinfomsg. */
export function ifinfomsg(index = 0, flags = 0, change = 0): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_SIZE);
  const v = new DataView(b.buffer);
  v.setUint8(0, AF_UNSPEC);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return b;
}

/** The attributes of settings (without up, which is ifi_flags / ifi_change). */
function settingAttributes(settings: { mtu?: number; mac?: Uint8Array }): Attribute[] {
  const out: Attribute[] = [];
  if (settings.mtu !== undefined) out.push([Ifla.MTU, u32(settings.mtu)]);
  if (settings.mac !== undefined) out.push([Ifla.ADDRESS, settings.mac]);
  return out;
}

/** One end of a new veth pair as the message needs it. */
export interface VethEndMessage {
  name: string;
  mtu?: number;
  mac?: Uint8Array;
  /** An fd of the namespace the end goes to, when it is not the socket's. */
  namespaceFd?: number;
}

/** RTM_NEWLINK of a veth pair: the first end where the socket is, the peer in IFLA_INFO_DATA. */
export function newVethPayload(first: VethEndMessage, peer: VethEndMessage): Uint8Array {
  const endAttributes = (end: VethEndMessage): Attribute[] => [
    [Ifla.IFNAME, cstring(end.name)],
    ...settingAttributes(end),
    ...(end.namespaceFd === undefined ? [] : [[Ifla.NET_NS_FD, u32(end.namespaceFd)] as Attribute]),
  ];
  return body(ifinfomsg(), [
    ...endAttributes(first),
    [Ifla.LINKINFO, [[IflaInfo.KIND, cstring('veth')], [IflaInfo.DATA, [[VETH_INFO_PEER, body(ifinfomsg(), endAttributes(peer))]]]]],
  ]);
}

/** A link by name (RTM_GETLINK / RTM_DELLINK take IFLA_IFNAME instead of an index). */
export const byName = (name: string): Uint8Array => body(ifinfomsg(), [[Ifla.IFNAME, cstring(name)]]);

/** RTM_SETLINK of settings; up goes into ifi_flags under ifi_change's mask. */
export function setLinkPayload(index: number, settings: { up?: boolean; mtu?: number; mac?: Uint8Array; namespaceFd?: number }): Uint8Array {
  const change = settings.up === undefined ? 0 : IFF_UP;
  const flags = settings.up === true ? IFF_UP : 0;
  const attributes = settingAttributes(settings);
  if (settings.namespaceFd !== undefined) attributes.push([Ifla.NET_NS_FD, u32(settings.namespaceFd)]);
  return body(ifinfomsg(index, flags, change), attributes);
}

export function parseLink(payload: Uint8Array): LinkInfo {
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const flags = v.getUint32(8, true);
  const attributes = parseAttributes(payload, IFINFOMSG_SIZE);
  const info = attributes.get(Ifla.LINKINFO);
  const operstate = attributes.get(Ifla.OPERSTATE)?.[0] ?? 0;
  const link = readI32(attributes.get(Ifla.LINK));
  const index = v.getInt32(4, true);
  return {
    index,
    name: readString(attributes.get(Ifla.IFNAME)) ?? '',
    kind: info === undefined ? null : readString(parseAttributes(info).get(IflaInfo.KIND)) ?? null,
    up: (flags & IFF_UP) !== 0,
    lowerUp: (flags & IFF_LOWER_UP) !== 0,
    operstate: OPERSTATES[operstate] ?? 'unknown',
    mtu: readU32(attributes.get(Ifla.MTU)) ?? 0,
    mac: formatMac(attributes.get(Ifla.ADDRESS)),
    // The kernel sends IFLA_LINK only where it differs from the device itself; 0: the peer is gone.
    // (Equal to the own index is possible: a peer in another namespace may have the same number.)
    linkIndex: link === undefined || link === 0 ? null : link,
    linkNetnsId: readI32(attributes.get(Ifla.LINK_NETNSID)) ?? null,
  };
}

/** The ifindex at bytes 4..8 of an ifinfomsg. */
export const indexOf = (payload: Uint8Array): number => new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getInt32(4, true);

