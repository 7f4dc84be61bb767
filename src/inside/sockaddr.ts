/**
 * struct sockaddr_in / sockaddr_in6 / sockaddr_un as bind(2) takes them, from checked values.
 * Host byte order is little-endian on every Linux target Node supports except s390x and ppc64;
 * sa_family is written in the host's order (it is a plain unsigned short), the port in network order.
 */
import { endianness } from 'node:os';
import { AF_INET, AF_INET6 } from '../net/netlink/constants.js';
import type { IpAddress } from '../net/ip-address.js';

export const AF_UNIX = 1;

const littleEndian = endianness() === 'LE';

/** sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes) for an address and port. */
export function inetSockaddr(address: IpAddress, port: number): Uint8Array {
  const bytes = new Uint8Array(address.family === 4 ? 16 : 28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, address.family === 4 ? AF_INET : AF_INET6, littleEndian);
  view.setUint16(2, port, false);
  // sin_addr at 4; sin6_flowinfo at 4 (0), sin6_addr at 8, sin6_scope_id at 24 (0).
  bytes.set(address.bytes, address.family === 4 ? 4 : 8);
  return bytes;
}

/** The most bytes of sun_path (struct sockaddr_un holds 108, a path name needs its NUL). */
export const UNIX_PATH_MAX = 108;

/**
 * sockaddr_un for a path name, or for an abstract name when `path` starts with '\0' (its length
 * is the address: no NUL terminator, and trailing bytes would be part of the name).
 */
export function unixSockaddr(path: Uint8Array): Uint8Array {
  const abstract = path[0] === 0;
  const bytes = new Uint8Array(2 + path.length + (abstract ? 0 : 1));
  new DataView(bytes.buffer).setUint16(0, AF_UNIX, littleEndian);
  bytes.set(path, 2);
  return bytes;
}
