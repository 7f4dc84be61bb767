/**
 * RtnetlinkSocket: one NETLINK_ROUTE socket of one network namespace (opened there by a native
 * thread, see native/net/rtnetlink.cc) and the request / reply discipline on it: a sequence
 * number per message, an ack asked for every change, refusals turned into errors.
 */
import type { OwnedFd } from '../native/binding.js';
import { addon } from '../native/addon.js';
import { Namespace } from '../namespace.js';
import { closedHandleError } from '../errors.js';
import { describe } from '../validate.js';
import { Flag, MessageType, messageTypeName } from './netlink/constants.js';
import { message, splitMessages, type ReplyMessage } from './netlink/codec.js';
import { errorFromAck } from './netlink-error.js';

/** The network namespace to act in: a Namespace handle of kind 'net', or 'self' (this process's). */
export type NetworkTarget = Namespace | 'self';

/** The fd of a target's namespace (-1 for 'self'), checked: a closed handle or another kind is refused. */
export function targetFd(target: unknown, name: string): number {
  if (target === 'self') return -1;
  if (!(target instanceof Namespace)) throw new TypeError(`${name} must be a Namespace of type 'net' or 'self', got ${describe(target)}`);
  if (target.type !== 'net') throw new TypeError(`${name} must be a network namespace, got a ${target.type} namespace`);
  return target.fd; // throws ERR_NSBRIDGE_CLOSED for a closed handle
}

export class RtnetlinkSocket {
  #owned: OwnedFd;
  #seq = 0;

  constructor(target: NetworkTarget, name = 'namespace') {
    this.#owned = addon().rtnetlinkOpen(targetFd(target, name));
  }

  get closed(): boolean {
    return this.#owned.fd < 0;
  }

  /** The socket's fd (an IFLA_NET_NS_FD in a message must be an fd of this process, as it is). */
  get fd(): number {
    const fd = this.#owned.fd;
    if (fd < 0) throw closedHandleError('Network');
    return fd;
  }

  /**
   * A change (NLM_F_ACK): resolves when the kernel acked it, throws its refusal as an error with
   * `syscall` 'rtnetlink(<type>)'; `context` says what it was about in the message.
   */
  change(type: number, flags: number, payload: Uint8Array, context?: string): void {
    const seq = this.#next();
    const reply = splitMessages(addon().netlinkRequest(this.fd, message(type, flags | Flag.REQUEST | Flag.ACK, seq, payload)));
    for (const m of reply) {
      if (m.type !== MessageType.NLMSG_ERROR) continue;
      const error = errorFromAck(m.payload, m.flags, `rtnetlink(${messageTypeName(type)})`, context);
      if (error !== null) throw error;
    }
  }

  /** A get of one object (no dump): its reply message, or the refusal as an error. */
  get(type: number, payload: Uint8Array, context?: string): ReplyMessage {
    const seq = this.#next();
    const reply = splitMessages(addon().netlinkRequest(this.fd, message(type, Flag.REQUEST | Flag.ACK, seq, payload)));
    const answer = reply.find((m) => m.type !== MessageType.NLMSG_ERROR && m.type !== MessageType.NLMSG_DONE);
    for (const m of reply) {
      if (m.type !== MessageType.NLMSG_ERROR) continue;
      const error = errorFromAck(m.payload, m.flags, `rtnetlink(${messageTypeName(type)})`, context);
      if (error !== null) throw error;
    }
    if (answer === undefined) throw new Error(`rtnetlink(${messageTypeName(type)}) got no answer`);
    return answer;
  }

  /** A dump (NLM_F_DUMP): every object message of the reply. */
  dump(type: number, payload: Uint8Array): ReplyMessage[] {
    const seq = this.#next();
    const reply = splitMessages(addon().netlinkRequest(this.fd, message(type, Flag.REQUEST | Flag.DUMP, seq, payload)));
    const out: ReplyMessage[] = [];
    for (const m of reply) {
      if (m.type === MessageType.NLMSG_ERROR || m.type === MessageType.NLMSG_DONE) {
        // A dump ends in NLMSG_DONE carrying an int error (0), or fails with NLMSG_ERROR.
        const error = errorFromAck(m.payload, m.flags, `rtnetlink(${messageTypeName(type)})`);
        if (error !== null) throw error;
        continue;
      }
      out.push(m);
    }
    return out;
  }

  close(): void {
    this.#owned.close();
  }

  #next(): number {
    this.#seq = (this.#seq + 1) >>> 0 || 1;
    return this.#seq;
  }
}
