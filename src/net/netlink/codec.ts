/**
 * Netlink framing: building a message (header, fixed part, attributes, nested attributes) and
 * reading attributes back. Everything little-endian-as-the-host: netlink is in host byte order
 * (this package runs on x64 and arm64, both little-endian), addresses in network order.
 */
import { NLMSGHDR_SIZE } from './constants.js';

const align = (n: number): number => (n + 3) & ~3;

/** One attribute to write: a type and a payload, or nested attributes. */
export type Attribute = readonly [type: number, payload: Uint8Array | readonly Attribute[]];

export function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
}
/** A NUL-terminated string (IFLA_IFNAME, IFLA_INFO_KIND). */
export const cstring = (value: string): Uint8Array => Buffer.from(`${value}\0`, 'utf8');

function attributesLength(attributes: readonly Attribute[]): number {
  let n = 0;
  for (const [, payload] of attributes) n += align(4 + (payload instanceof Uint8Array ? payload.length : attributesLength(payload)));
  return n;
}

function writeAttributes(view: DataView, bytes: Uint8Array, at: number, attributes: readonly Attribute[]): number {
  for (const [type, payload] of attributes) {
    const start = at;
    at += 4;
    if (payload instanceof Uint8Array) {
      bytes.set(payload, at);
      at += payload.length;
    } else {
      at = writeAttributes(view, bytes, at, payload);
    }
    view.setUint16(start, at - start, true);
    view.setUint16(start + 2, type, true);
    at = align(at);
  }
  return at;
}

/** A fixed header and attributes as bytes (also the payload of a nested message such as VETH_INFO_PEER). */
export function body(fixed: Uint8Array, attributes: readonly Attribute[]): Uint8Array {
  const bytes = new Uint8Array(align(fixed.length) + attributesLength(attributes));
  bytes.set(fixed, 0);
  writeAttributes(new DataView(bytes.buffer), bytes, align(fixed.length), attributes);
  return bytes;
}

/** A whole netlink message: nlmsghdr (pid 0: the kernel fills in ours) + payload. */
export function message(type: number, flags: number, seq: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(NLMSGHDR_SIZE + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, flags, true);
  view.setUint32(8, seq, true);
  view.setUint32(12, 0, true);
  bytes.set(payload, NLMSGHDR_SIZE);
  return bytes;
}

/** One message of a reply. */
export interface ReplyMessage {
  type: number;
  flags: number;
  seq: number;
  /** The payload after nlmsghdr. */
  payload: Uint8Array;
}

/** The messages of a reply buffer (as netlinkRequest returns it). */
export function splitMessages(reply: Uint8Array): ReplyMessage[] {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const out: ReplyMessage[] = [];
  for (let at = 0; at + NLMSGHDR_SIZE <= reply.length; ) {
    const length = view.getUint32(at, true);
    if (length < NLMSGHDR_SIZE || at + length > reply.length) break;
    out.push({ type: view.getUint16(at + 4, true), flags: view.getUint16(at + 6, true), seq: view.getUint32(at + 8, true), payload: reply.subarray(at + NLMSGHDR_SIZE, at + length) });
    at += align(length);
  }
  return out;
}

/** Attributes by type (the last one wins where a type repeats), after `offset` fixed bytes. */
export function parseAttributes(bytes: Uint8Array, offset = 0): Map<number, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, Uint8Array>();
  for (let at = align(offset); at + 4 <= bytes.length; ) {
    const length = view.getUint16(at, true);
    if (length < 4 || at + length > bytes.length) break;
    // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the type's top bits.
    out.set(view.getUint16(at + 2, true) & 0x3fff, bytes.subarray(at + 4, at + length));
    at += align(length);
  }
  return out;
}

export function readU32(bytes: Uint8Array | undefined): number | undefined {
  return bytes === undefined || bytes.length < 4 ? undefined : new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}
export function readI32(bytes: Uint8Array | undefined): number | undefined {
  return bytes === undefined || bytes.length < 4 ? undefined : new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true);
}
/** A NUL-terminated (or not) string attribute. */
export function readString(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? bytes.length : end).toString('utf8');
}
