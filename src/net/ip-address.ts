/**
 * IPv4 / IPv6 addresses as the kernel takes them (network-order bytes) and as people write them:
 * '10.0.0.1', 'fd00::1', '10.0.0.1/24'. Parsing is strict — node:net's isIP decides what is an
 * address — and every error names the value.
 */
import { isIP } from 'node:net';
import { AF_INET, AF_INET6 } from './netlink/constants.js';
import { describe } from '../validate.js';

/** An IP version: 4 or 6. */
export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface IpPrefix extends IpAddress {
  /** Prefix length: 0-32 for IPv4, 0-128 for IPv6. */
  prefix: number;
}

export const addressFamily = (family: IpFamily): number => (family === 4 ? AF_INET : AF_INET6);

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function ipv6Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let groups = text;
  // A trailing dotted quad ('::ffff:10.0.0.1') is the last two groups.
  const lastColon = groups.lastIndexOf(':');
  if (groups.includes('.', lastColon)) {
    const v4 = ipv4Bytes(groups.slice(lastColon + 1));
    groups = `${groups.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const parts = tail === undefined ? headParts : [...headParts, ...Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  parts.forEach((part, i) => {
    const value = parseInt(part, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

/** An address; `name` names it in the TypeError. */
export function parseIp(value: unknown, name: string): IpAddress {
  if (typeof value !== 'string') throw new TypeError(`${name} must be an IP address string, got ${describe(value)}`);
  const family = isIP(value);
  if (family === 0) throw new RangeError(`${name} must be an IPv4 or IPv6 address, got ${describe(value)}`);
  // A zone ('fe80::1%eth0') is a socket address's part, not an interface address's.
  if (value.includes('%')) throw new RangeError(`${name} must be an address without a zone index, got ${describe(value)}`);
  return family === 4 ? { family: 4, bytes: ipv4Bytes(value) } : { family: 6, bytes: ipv6Bytes(value) };
}

/** 'address/prefix' (the prefix is required: an address on an interface always has one). */
export function parseIpPrefix(value: unknown, name: string): IpPrefix {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string like '10.0.0.1/24', got ${describe(value)}`);
  const slash = value.lastIndexOf('/');
  if (slash < 0) throw new RangeError(`${name} must have a prefix length ('10.0.0.1/24', 'fd00::1/64'), got ${describe(value)}`);
  const address = parseIp(value.slice(0, slash), name);
  const prefixText = value.slice(slash + 1);
  const max = address.family === 4 ? 32 : 128;
  const prefix = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix <= max)) throw new RangeError(`${name} must have a prefix length from 0 to ${max}, got ${describe(value)}`);
  return { ...address, prefix };
}

/** The kernel's bytes as text: dotted quad, or RFC 5952 IPv6 (lower case, the longest zero run as '::'). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** The address with the host bits cleared (a route's destination). */
export function networkOf(prefix: IpPrefix): IpPrefix {
  const bytes = Uint8Array.from(prefix.bytes, (byte, i) => {
    const bits = Math.max(0, Math.min(8, prefix.prefix - 8 * i));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
  return { ...prefix, bytes };
}
