/**
 * The rtnetlink ABI nsbridge speaks: message types, flags and attribute numbers, from the kernel's
 * uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h,
 * linux/veth.h). Fixed numbers of the user ABI: they never change once released.
 */

/** Message types (nlmsghdr.nlmsg_type), with the names errors use: `rtnetlink(RTM_NEWLINK)`. */
export const MessageType = {
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  RTM_NEWLINK: 16,
  RTM_DELLINK: 17,
  RTM_GETLINK: 18,
  RTM_SETLINK: 19,
  RTM_NEWADDR: 20,
  RTM_DELADDR: 21,
  RTM_GETADDR: 22,
  RTM_NEWROUTE: 24,
  RTM_DELROUTE: 25,
  RTM_GETROUTE: 26,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The name of a message type, for errors. */
export function messageTypeName(type: number): string {
  return Object.entries(MessageType).find(([, value]) => value === type)?.[0] ?? `type ${type}`;
}

/** nlmsghdr.nlmsg_flags. */
export const Flag = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  DUMP: 0x300, // NLM_F_ROOT | NLM_F_MATCH
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  /** On NLMSG_ERROR: the request is not echoed (NETLINK_CAP_ACK). */
  CAPPED: 0x100,
  /** On NLMSG_ERROR / NLMSG_DONE: extended-ack attributes follow (NETLINK_EXT_ACK). */
  ACK_TLVS: 0x200,
} as const;

/** Attributes of an extended ack (enum nlmsgerr_attrs). */
export const ExtAck = { MSG: 1, OFFS: 2, COOKIE: 3, POLICY: 4, MISS_TYPE: 5, MISS_NEST: 6 } as const;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** Link attributes (IFLA_*). */
export const Ifla = {
  ADDRESS: 1,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  MASTER: 10,
  OPERSTATE: 16,
  LINKINFO: 18,
  NET_NS_FD: 28,
  LINK_NETNSID: 37,
} as const;
/** Inside IFLA_LINKINFO. */
export const IflaInfo = { KIND: 1, DATA: 2 } as const;
/** Inside IFLA_INFO_DATA of a veth: the peer's ifinfomsg and attributes. */
export const VETH_INFO_PEER = 1;

/** net_device flags (ifinfomsg.ifi_flags). */
export const IFF_UP = 0x1;
export const IFF_LOWER_UP = 0x10000;

/** RFC 2863 operational states (IFLA_OPERSTATE). */
export const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;

/** Address attributes (IFA_*) and flags. */
export const Ifa = { ADDRESS: 1, LOCAL: 2, LABEL: 3, FLAGS: 8 } as const;
export const IFA_F_NODAD = 0x02;
export const IFA_F_PERMANENT = 0x80;

/** Route attributes (RTA_*). */
export const Rta = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, TABLE: 15 } as const;
export const RT_TABLE_MAIN = 254;
/** rtmsg.rtm_protocol: what iproute2 gives routes a user adds. */
export const RTPROT_BOOT = 3;
/** rtmsg.rtm_scope. */
export const RouteScope = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;
/** rtmsg.rtm_type. */
export const RouteType = { unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8 } as const;

/** Sizes of the fixed headers. */
export const NLMSGHDR_SIZE = 16;
export const IFINFOMSG_SIZE = 16;
export const IFADDRMSG_SIZE = 8;
export const RTMSG_SIZE = 12;
/** IFNAMSIZ, counting the NUL: a name has at most 15 bytes. */
export const IFNAMSIZ = 16;
