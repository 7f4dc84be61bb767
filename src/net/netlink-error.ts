/**
 * A request the kernel refused: SystemError-shaped (`code`, `errno`, `syscall:
 * 'rtnetlink(RTM_NEWLINK)'`), with the kernel's extended-ack text (NETLINK_EXT_ACK) — the reason
 * iproute2 prints only in part — in `kernelMessage` and in the message.
 */
import { getSystemErrorMap } from 'node:util';
import type { SystemErrorShape } from '../errors.js';
import { ExtAck, Flag } from './netlink/constants.js';
import { parseAttributes, readString, readU32 } from './netlink/codec.js';

/** What the error carries beyond a SystemError's fields. */
export interface NetlinkErrorShape extends SystemErrorShape {
  /** The kernel's extended-ack message (NLMSGERR_ATTR_MSG), e.g. 'Invalid prefix for given prefix length'. */
  kernelMessage?: string;
  /** NLMSGERR_ATTR_MISS_TYPE: the attribute the kernel missed. */
  missingAttribute?: number;
}

let errorMap: Map<number, [string, string]> | undefined;

/** [name, description] of a positive errno ('EEXIST', 'file already exists'). */
function errnoName(errno: number): [string, string] {
  errorMap ??= getSystemErrorMap();
  return errorMap.get(-errno) ?? [`E${errno}`, `errno ${errno}`];
}

/**
 * The error of an NLMSG_ERROR payload (int error, then the request's header — capped, so only
 * the header — then the extended-ack attributes when NLM_F_ACK_TLVS is set), or null for an ack.
 */
export function errorFromAck(payload: Uint8Array, flags: number, syscall: string, context?: string): NetlinkErrorShape | null {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const error = payload.length >= 4 ? -view.getInt32(0, true) : 0;
  if (error === 0) return null;
  let kernelMessage: string | undefined;
  let missingAttribute: number | undefined;
  if ((flags & Flag.ACK_TLVS) !== 0 && payload.length >= 20) {
    // The echoed request: its whole length unless capped (then just its 16-byte header).
    const echoed = (flags & Flag.CAPPED) !== 0 ? 16 : view.getUint32(4, true);
    const attributes = parseAttributes(payload, 4 + echoed);
    kernelMessage = readString(attributes.get(ExtAck.MSG));
    missingAttribute = readU32(attributes.get(ExtAck.MISS_TYPE));
  }
  return makeNetlinkError(error, syscall, kernelMessage, missingAttribute, context);
}

function makeNetlinkError(errno: number, syscall: string, kernelMessage?: string, missingAttribute?: number, context?: string): NetlinkErrorShape {
  const [code, description] = errnoName(errno);
  const what = context === undefined ? '' : ` (${context})`;
  const why = kernelMessage === undefined || kernelMessage === '' ? '' : `: ${kernelMessage}`;
  const error = new Error(`${code}: ${description}, ${syscall}${what}${why}`) as NetlinkErrorShape;
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  if (kernelMessage !== undefined && kernelMessage !== '') error.kernelMessage = kernelMessage;
  if (missingAttribute !== undefined) error.missingAttribute = missingAttribute;
  return error;
}
