/** Routes over rtnetlink: RTM_NEWROUTE / RTM_DELROUTE and the RTM_GETROUTE dump. */
import { AF_INET6, RTMSG_SIZE, RTPROT_BOOT, RT_TABLE_MAIN, RouteScope, RouteType, Rta } from './netlink/constants.js';
import { body, parseAttributes, readU32, u32, type Attribute } from './netlink/codec.js';
import { addressFamily, formatIp, type IpAddress, type IpFamily, type IpPrefix } from './ip-address.js';

/** A route (RTM_GETROUTE). */
export interface RouteInfo {
  /** 4 or 6. */
  family: IpFamily;
  /** 'default', or the destination network '10.0.0.0/24'. */
  destination: string;
  /** The next hop ('via'), or null for a route straight onto a link. */
  gateway: string | null;
  /** The outgoing link's ifindex, or null. */
  index: number | null;
  /** The outgoing link's name, or null. */
  link: string | null;
  /** The routing table: 254 is main (what `ip route` shows), 255 local. */
  table: number;
  /** 'unicast', 'local', 'broadcast', … */
  type: string;
  /** 'universe', 'link', 'host', … */
  scope: string;
  /** The route's protocol number: 2 kernel, 3 boot (added by a user, as iproute2 does), 4 static. */
  protocol: number;
  /** RTA_PRIORITY, or null. */
  metric: number | null;
  /** RTA_PREFSRC: the source address the kernel picks for this route, or null. */
  preferredSource: string | null;
}

/** A route to add or delete, resolved. */
export interface RouteRequest {
  family: IpFamily;
  /** null: the default route. */
  destination: IpPrefix | null;
  gateway: IpAddress | null;
  index: number | null;
  metric: number | null;
}

function rtmsg(family: number, dstLength: number, table: number, protocol: number, scope: number, type: number): Uint8Array {
  const b = new Uint8Array(RTMSG_SIZE);
  b.set([family, dstLength, 0, 0, table < 256 ? table : 0, protocol, scope, type]);
  return b;
}

/** A dump request's header (strict checking wants every other field 0). */
export const routeDumpPayload = (): Uint8Array => rtmsg(0, 0, 0, 0, 0, 0);

export function routePayload(route: RouteRequest): Uint8Array {
  // A route through a gateway is global; one straight onto a link is link-scoped (iproute2's rule).
  const scope = route.gateway === null ? RouteScope.link : RouteScope.universe;
  const attributes: Attribute[] = [];
  if (route.destination !== null && route.destination.prefix > 0) attributes.push([Rta.DST, route.destination.bytes]);
  if (route.gateway !== null) attributes.push([Rta.GATEWAY, route.gateway.bytes]);
  if (route.index !== null) attributes.push([Rta.OIF, u32(route.index)]);
  if (route.metric !== null) attributes.push([Rta.PRIORITY, u32(route.metric)]);
  attributes.push([Rta.TABLE, u32(RT_TABLE_MAIN)]);
  return body(rtmsg(addressFamily(route.family), route.destination?.prefix ?? 0, RT_TABLE_MAIN, RTPROT_BOOT, scope, RouteType.unicast), attributes);
}

const nameOf = (table: Record<string, number>, value: number): string => Object.entries(table).find(([, v]) => v === value)?.[0] ?? String(value);

export function parseRoute(payload: Uint8Array, linkName: (index: number) => string): RouteInfo {
  const family: IpFamily = payload[0] === AF_INET6 ? 6 : 4;
  const dstLength = payload[1]!;
  const attributes = parseAttributes(payload, RTMSG_SIZE);
  const dst = attributes.get(Rta.DST);
  const gateway = attributes.get(Rta.GATEWAY);
  const index = readU32(attributes.get(Rta.OIF)) ?? null;
  const prefsrc = attributes.get(Rta.PREFSRC);
  return {
    family,
    destination: dst === undefined && dstLength === 0 ? 'default' : `${formatIp(dst ?? new Uint8Array(family === 4 ? 4 : 16))}/${dstLength}`,
    gateway: gateway === undefined ? null : formatIp(gateway),
    index,
    link: index === null ? null : linkName(index),
    table: readU32(attributes.get(Rta.TABLE)) ?? payload[4]!,
    type: nameOf(RouteType, payload[7]!),
    scope: nameOf(RouteScope, payload[6]!),
    protocol: payload[5]!,
    metric: readU32(attributes.get(Rta.PRIORITY)) ?? null,
    preferredSource: prefsrc === undefined ? null : formatIp(prefsrc),
  };
}
