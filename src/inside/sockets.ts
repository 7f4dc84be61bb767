/**
 * Sockets of other network namespaces for Node's own objects. A socket belongs for life to the
 * network namespace of the thread that created it, so a native thread joins the namespace and
 * creates (and binds) it there (native/net/socket_in.cc); net.Server, net.Socket and dgram then
 * take the fd on this thread, which never changes namespace. Everything after socket(2) — listen,
 * connect, accept, sends — happens in the socket's namespace whichever thread makes the call.
 *
 * Errors are Node's: a refused connection is the Socket's 'error' ('connect ECONNREFUSED
 * 127.0.0.1:1'), a taken address rejects listenIn() as server.listen() would report it
 * ('listen EADDRINUSE: address already in use 127.0.0.1:80'). Bad options are TypeError /
 * RangeError naming the value; a closed Namespace is ERR_NSBRIDGE_CLOSED.
 */
import { closeSync } from 'node:fs';
import { isIP, Server, Socket, type AddressInfo } from 'node:net';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { getSystemErrorMap } from 'node:util';
import { addon } from '../native/addon.js';
import { Namespace } from '../namespace.js';
import { isSystemError } from '../errors.js';
import { checkInteger, checkKeys, checkObject, describe } from '../validate.js';
import { parseIp } from '../net/ip-address.js';
import { targetFd, type NetworkTarget } from '../net/rtnetlink-socket.js';
import { AF_UNIX, UNIX_PATH_MAX, inetSockaddr, unixSockaddr } from './sockaddr.js';
import { takeSocket } from './socket-pool.js';
import { AF_INET, AF_INET6 } from '../net/netlink/constants.js';

/** The socket kinds socketIn() makes: [domain (null: by the address family), socket type]. */
const SOCKET_KINDS = {
  tcp: { domain: null, type: 1 /* SOCK_STREAM */ },
  udp: { domain: null, type: 2 /* SOCK_DGRAM */ },
  unix: { domain: AF_UNIX, type: 1 /* SOCK_STREAM */ },
  'unix-dgram': { domain: AF_UNIX, type: 2 /* SOCK_DGRAM */ },
  'unix-seqpacket': { domain: AF_UNIX, type: 5 /* SOCK_SEQPACKET */ },
} as const satisfies Record<SocketKind, { domain: number | null; type: number }>;

/** A kind of socket: TCP or UDP (IPv4 or IPv6), or a Unix socket of one of three types (stream, datagram, seqpacket). */
export type SocketKind = 'tcp' | 'udp' | 'unix' | 'unix-dgram' | 'unix-seqpacket';

/** What to bind an IP socket to. */
export interface InetBinding {
  /** An IPv4 or IPv6 address literal ('127.0.0.1', '::', 'fd00::1'). */
  address: string;
  /** 0-65535; 0 lets the kernel pick. Default 0. */
  port?: number;
}

/** What to bind a Unix socket to: a path, or an abstract name ('\0name': per network namespace). */
export interface UnixBinding {
  /** A path name, or '\0' followed by an abstract name. */
  path: string;
}

/** socketIn()'s options. */
export interface SocketInOptions {
  /** 'tcp', 'udp', 'unix', 'unix-dgram' or 'unix-seqpacket'. */
  kind: SocketKind;
  /** 4 or 6, for tcp / udp; default: the bound address's family, else 4. */
  family?: 4 | 6;
  /** Bind to this address before the socket is handed over; default: unbound. */
  bind?: InetBinding | UnixBinding;
  /** SO_REUSEADDR before bind (what Node's own listen() does). Default false. */
  reuseAddress?: boolean;
  /** IPV6_V6ONLY: an IPv6 socket that does not take IPv4 traffic. Default false (the kernel's default, normally dual-stack). */
  ipv6Only?: boolean;
}

interface CheckedSocket {
  domain: number;
  type: number;
  address: Uint8Array | null;
  reuseAddress: boolean;
  ipv6Only: boolean;
}

function checkBool(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

const checkPort = (value: unknown, name: string): number => (value === undefined ? 0 : checkInteger(value, name, 0, 65535));

/** A path or '\0abstract' name as sun_path bytes, checked against sockaddr_un's size. */
function unixPath(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string, got ${describe(value)}`);
  const bytes = Buffer.from(value);
  const abstract = bytes[0] === 0;
  if (!abstract && bytes.includes(0)) throw new TypeError(`${name} must not contain NUL bytes except a leading one (an abstract name), got ${describe(value)}`);
  if (bytes.length > (abstract ? UNIX_PATH_MAX : UNIX_PATH_MAX - 1)) throw new RangeError(`${name} is ${bytes.length} bytes; a Unix socket address holds at most ${abstract ? UNIX_PATH_MAX : UNIX_PATH_MAX - 1}`);
  return bytes;
}

function checkSocketOptions(input: unknown): CheckedSocket {
  const options = checkObject(input, 'options');
  checkKeys(options, ['kind', 'family', 'bind', 'reuseAddress', 'ipv6Only'], 'option');
  const kind = options.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(SOCKET_KINDS, kind)) throw new RangeError(`options.kind must be one of ${Object.keys(SOCKET_KINDS).map((k) => `'${k}'`).join(', ')}, got ${describe(kind)}`);
  const { domain, type } = SOCKET_KINDS[kind as SocketKind];
  const reuseAddress = checkBool(options.reuseAddress, 'options.reuseAddress');
  const ipv6Only = checkBool(options.ipv6Only, 'options.ipv6Only');
  if (domain === AF_UNIX) {
    if (options.family !== undefined) throw new TypeError(`options.family applies to 'tcp' and 'udp' sockets, not to ${kind}`);
    if (ipv6Only) throw new TypeError(`options.ipv6Only applies to IPv6 sockets, not to ${kind}`);
    let address = null;
    if (options.bind !== undefined) {
      const bind = checkObject(options.bind, 'options.bind');
      checkKeys(bind, ['path'], 'options.bind key');
      address = unixSockaddr(unixPath(bind.path, 'options.bind.path'));
    }
    return { domain, type, address, reuseAddress, ipv6Only };
  }
  let family: 4 | 6 | undefined;
  if (options.family !== undefined) {
    if (options.family !== 4 && options.family !== 6) throw new RangeError(`options.family must be 4 or 6, got ${describe(options.family)}`);
    family = options.family;
  }
  let address = null;
  if (options.bind !== undefined) {
    const bind = checkObject(options.bind, 'options.bind');
    checkKeys(bind, ['address', 'port'], 'options.bind key');
    const ip = parseIp(bind.address, 'options.bind.address');
    if (family !== undefined && ip.family !== family) throw new RangeError(`options.bind.address ${describe(bind.address)} is not an IPv${family} address (options.family is ${family})`);
    family = ip.family;
    address = inetSockaddr(ip, checkPort(bind.port, 'options.bind.port'));
  }
  family ??= 4;
  if (ipv6Only && family !== 6) throw new TypeError('options.ipv6Only applies to IPv6 sockets (family 6)');
  return { domain: family === 4 ? AF_INET : AF_INET6, type, address, reuseAddress, ipv6Only };
}

/**
 * A socket of the namespace (from its pool: socket-pool.ts), set up as checked on this thread; on
 * a failure it is closed and the system error thrown.
 */
function makeSocket(namespace: NetworkTarget, checked: CheckedSocket, peer: Uint8Array | null): number {
  const fd = takeSocket(namespace, checked.domain, checked.type);
  try {
    addon().setUpSocket(fd, checked.reuseAddress, checked.ipv6Only, checked.address, peer);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * A socket of `namespace`'s network namespace ('self': this process's), created there by a native
 * thread (non-blocking, close-on-exec) and bound when `options.bind` says so. Returns the raw fd:
 * the caller owns it and hands it to a Node object (`server.listen({ fd })`, `new net.Socket({ fd })`,
 * dgram's `socket.bind({ fd })`) or closes it. Errors: SystemError-shaped with syscall 'setns',
 * 'socket', 'setsockopt(…)' or 'bind'.
 */
export function socketIn(namespace: NetworkTarget, options: SocketInOptions): number {
  const checked = checkSocketOptions(options);
  return makeSocket(namespace, checked, null);
}

/**
 * The network namespace a socket belongs to (ioctl SIOCGSKNS), as a Namespace handle the caller
 * closes. `socket`: an fd, or a Node object with a handle (net.Socket, net.Server, dgram.Socket).
 */
export function socketNamespace(socket: number | Socket | Server | DgramSocket): Namespace {
  const fd = socketFd(socket);
  return Namespace.adopt(addon().socketNamespace(fd), 'net');
}

function socketFd(socket: unknown): number {
  if (typeof socket === 'number') return checkInteger(socket, 'socket', 0, 2 ** 31 - 1);
  // Node keeps a socket's fd on its native handle (net: _handle.fd; dgram: the handle behind kStateSymbol).
  const handle = (socket as { _handle?: { fd?: unknown } } | null)?._handle ?? dgramHandle(socket);
  if (typeof handle?.fd === 'number' && handle.fd >= 0) return handle.fd;
  throw new TypeError(`socket must be an fd or an open net.Socket, net.Server or dgram.Socket, got ${describe(socket)}`);
}

function dgramHandle(socket: unknown): { fd?: unknown } | undefined {
  if (socket === null || typeof socket !== 'object') return undefined;
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    const state = (socket as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[symbol];
    if (symbol.description === 'state symbol' && state?.handle !== undefined) return state.handle;
  }
  return undefined;
}

// --- Node-style errors -------------------------------------------------------------------------

/**
 * A native error as Node reports the same failure: `${syscall} ${code}: ${libuv's text} ${host}:${port}`
 * (net's uvExceptionWithHostPort), or without the colon after the code for dgram (exceptionWithHostPort).
 */
function nodeStyleError(error: unknown, syscall: string, address: string, port: number | undefined, style: 'net' | 'dgram'): unknown {
  if (!isSystemError(error) || (error).syscall === 'setns') return error;
  const { code, errno } = error;
  const text = getSystemErrorMap().get(errno)?.[1] ?? error.message;
  const where = port !== undefined && port > 0 ? ` ${address}:${port}` : address !== '' ? ` ${address}` : '';
  const message = style === 'net' ? `${syscall} ${code}: ${text}${where}` : `${syscall} ${code}${where}`;
  const node = Object.assign(new Error(message), { code, errno, syscall, address, ...(port !== undefined && port > 0 ? { port } : {}) });
  (node as Error & { cause?: unknown }).cause = error;
  return node;
}

// --- servers -------------------------------------------------------------------------------------

/** listenIn()'s options: an IP address and port, or a Unix socket address. */
export type ListenInOptions =
  | {
      /** An IP address literal; default '::' (dual-stack), or '0.0.0.0' where IPv6 is off — as server.listen(). */
      host?: string;
      /** 0-65535; default 0 (the kernel picks one: read it from the result). */
      port?: number;
      /** listen(2) backlog; default Node's (511). */
      backlog?: number;
      /** IPV6_V6ONLY for an IPv6 host. Default false. */
      ipv6Only?: boolean;
    }
  | {
      /** A path name, or '\0' + an abstract name (abstract names are per network namespace). */
      path: string;
      /** listen(2) backlog; default Node's (511). */
      backlog?: number;
    };

interface CheckedListen {
  socket: CheckedSocket;
  backlog: number | undefined;
  host: string;
  port: number | undefined;
  /** '::' was not asked for by name: fall back to 0.0.0.0 when IPv6 is unavailable. */
  defaultHost: boolean;
}

function checkListen(input: unknown): CheckedListen {
  const options = checkObject(input, 'options');
  const backlog = options.backlog === undefined ? undefined : checkInteger(options.backlog, 'options.backlog', 0, 2 ** 31 - 1);
  if ('path' in options) {
    checkKeys(options, ['path', 'backlog'], 'option');
    const socket = checkSocketOptions({ kind: 'unix', bind: { path: options.path } });
    return { socket, backlog, host: options.path as string, port: undefined, defaultHost: false };
  }
  checkKeys(options, ['host', 'port', 'backlog', 'ipv6Only'], 'option');
  const defaultHost = options.host === undefined;
  const host = defaultHost ? '::' : options.host;
  if (typeof host !== 'string' || isIP(host) === 0) throw new TypeError(`options.host must be an IP address literal (resolve names before: a name would be looked up in this process's namespace), got ${describe(host)}`);
  const port = checkPort(options.port, 'options.port');
  const socket = checkSocketOptions({ kind: 'tcp', bind: { address: host, port }, reuseAddress: true, ipv6Only: options.ipv6Only });
  return { socket, backlog, host, port, defaultHost };
}

/** socketIn() with checked options; Node's fallback from '::' to '0.0.0.0' where IPv6 is off. */
function boundSocket(namespace: NetworkTarget, listen: CheckedListen, syscall: string, style: 'net' | 'dgram'): number {
  const { socket } = listen;
  try {
    return makeSocket(namespace, socket, null);
  } catch (error) {
    if (listen.defaultHost && isSystemError(error, 'EAFNOSUPPORT')) {
      const v4 = { ...socket, domain: AF_INET, ipv6Only: false, address: inetSockaddr(parseIp('0.0.0.0', 'host'), listen.port ?? 0) };
      try {
        return makeSocket(namespace, v4, null);
      } catch (second) {
        throw nodeStyleError(second, syscall, '0.0.0.0', listen.port, style);
      }
    }
    throw nodeStyleError(error, syscall, listen.host, listen.port, style);
  }
}

/**
 * Make `server` (a net.Server, http.Server, https.Server, …) listen inside `namespace`'s network
 * namespace: the listening socket is created and bound there, and server.listen({ fd }) takes it.
 * Connections it accepts come from that namespace only. Resolves with server.address() (the port
 * the kernel chose for port 0) or, for a Unix socket, the path; rejects with Node's own listen
 * error (EADDRINUSE, EACCES, EADDRNOTAVAIL) or ERR_NSBRIDGE_CLOSED for a closed Namespace.
 */
export async function listenIn(namespace: NetworkTarget, server: Server, options: ListenInOptions = {}): Promise<AddressInfo | string> {
  if (!(server instanceof Server)) throw new TypeError(`server must be a net.Server (or an http / https server), got ${describe(server)}`);
  if (server.listening) throw Object.assign(new Error('Listen method has been called more than once without closing.'), { code: 'ERR_SERVER_ALREADY_LISTEN' });
  const listen = checkListen(options);
  targetFd(namespace, 'namespace'); // a closed or non-net handle rejects as itself, not as a listen error
  const fd = boundSocket(namespace, listen, 'listen', 'net');
  return new Promise<AddressInfo | string>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(address ?? listen.host);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      server.listen(listen.backlog === undefined ? { fd } : { fd, backlog: listen.backlog });
    } catch (error) {
      server.off('error', onError);
      server.off('listening', onListening);
      closeSync(fd);
      reject(error);
    }
  });
}

// --- connections ---------------------------------------------------------------------------------

/** connectIn()'s options: a host and port, or a Unix socket address. */
export type ConnectInOptions =
  | {
      /** An IP address literal, or 'localhost' (127.0.0.1). Default 'localhost'. */
      host?: string;
      /** 1-65535. */
      port: number;
      /** Bind the connecting socket to this local address first (an IP literal of the host's family). */
      localAddress?: string;
      /** TCP_NODELAY once connected. Default false. */
      noDelay?: boolean;
      /** SO_KEEPALIVE once connected. Default false. */
      keepAlive?: boolean;
      /** Half-open: keep writing after the peer ended. Default false (as net.connect). */
      allowHalfOpen?: boolean;
      /** socket.setTimeout(timeout) once made: 'timeout' after that many idle ms. */
      timeout?: number;
    }
  | {
      /** A path name, or '\0' + an abstract name. */
      path: string;
      /** Half-open: keep writing after the peer ended. Default false. */
      allowHalfOpen?: boolean;
      /** socket.setTimeout(timeout) once made. */
      timeout?: number;
    };

interface CheckedConnect {
  socket: CheckedSocket;
  connect: { host: string; port: number; noDelay: boolean; keepAlive: boolean } | { path: string };
  allowHalfOpen: boolean;
  timeout: number | undefined;
}

function checkConnect(input: unknown): CheckedConnect {
  const options = checkObject(input, 'options');
  const allowHalfOpen = checkBool(options.allowHalfOpen, 'options.allowHalfOpen');
  const timeout = options.timeout === undefined ? undefined : checkInteger(options.timeout, 'options.timeout', 0, 2 ** 31 - 1);
  if ('path' in options) {
    checkKeys(options, ['path', 'allowHalfOpen', 'timeout'], 'option');
    unixPath(options.path, 'options.path');
    return { socket: checkSocketOptions({ kind: 'unix' }), connect: { path: options.path as string }, allowHalfOpen, timeout };
  }
  checkKeys(options, ['host', 'port', 'localAddress', 'noDelay', 'keepAlive', 'allowHalfOpen', 'timeout'], 'option');
  const host = options.host === undefined || options.host === 'localhost' ? '127.0.0.1' : options.host;
  if (typeof host !== 'string' || isIP(host) === 0) throw new TypeError(`options.host must be an IP address literal or 'localhost' (a name would be looked up in this process's namespace: resolve it first), got ${describe(options.host)}`);
  const port = checkInteger(options.port, 'options.port', 1, 65535);
  const family = isIP(host) as 4 | 6;
  const socket = checkSocketOptions({ kind: 'tcp', family, ...(options.localAddress === undefined ? {} : { bind: { address: options.localAddress } }) });
  return { socket, connect: { host, port, noDelay: checkBool(options.noDelay, 'options.noDelay'), keepAlive: checkBool(options.keepAlive, 'options.keepAlive') }, allowHalfOpen, timeout };
}

/**
 * A connection from inside `namespace`'s network namespace, like net.connect(): returns the
 * net.Socket at once; 'connect' follows, or 'error' with Node's own error (ECONNREFUSED,
 * ENETUNREACH, ETIMEDOUT), also when the socket could not be made there. Throws for bad options
 * and ERR_NSBRIDGE_CLOSED for a closed Namespace.
 */
export function connectIn(namespace: NetworkTarget, options: ConnectInOptions, connectListener?: () => void): Socket {
  const checked = checkConnect(options);
  targetFd(namespace, 'namespace'); // a closed or non-net handle throws here
  if (connectListener !== undefined && typeof connectListener !== 'function') throw new TypeError(`connectListener must be a function, got ${describe(connectListener)}`);
  const { socket: s, connect } = checked;
  // A Unix connection is made here, natively: it completes at once, and the name is matched byte
  // for byte (Node 20's own connect pads an abstract name to 108 bytes).
  const peer = 'path' in connect ? unixSockaddr(Buffer.from(connect.path)) : null;
  let fd: number;
  try {
    fd = makeSocket(namespace, s, peer);
  } catch (error) {
    // As net.connect: the Socket is returned, the failure arrives as its 'error'.
    const failed = new Socket({ allowHalfOpen: checked.allowHalfOpen });
    const where = 'path' in connect ? connect.path : connect.host;
    const reason = nodeStyleError(error, 'connect', where, 'path' in connect ? undefined : connect.port, 'net') as Error;
    process.nextTick(() => failed.destroy(reason));
    return failed;
  }
  const socket = new Socket({ fd, allowHalfOpen: checked.allowHalfOpen });
  if (checked.timeout !== undefined) socket.setTimeout(checked.timeout);
  if ('path' in connect) {
    // Already connected: 'connect' as net.connect would emit it, after the caller's listeners are on.
    if (connectListener !== undefined) socket.once('connect', connectListener);
    process.nextTick(() => socket.emit('connect'));
  } else {
    // Node's connect() keeps the handle it was given (the fd made in the namespace) and connects it.
    socket.connect({ host: connect.host, port: connect.port, noDelay: connect.noDelay, keepAlive: connect.keepAlive }, connectListener);
  }
  return socket;
}

// --- datagrams -----------------------------------------------------------------------------------

/** createDgramSocketIn()'s options. */
export interface DgramInOptions {
  /** 'udp4' or 'udp6', as dgram.createSocket. */
  type: 'udp4' | 'udp6';
  /** The address to bind; default '0.0.0.0' / '::'. */
  address?: string;
  /** The port to bind; default 0 (the kernel picks). */
  port?: number;
  /** SO_REUSEADDR. Default false. */
  reuseAddr?: boolean;
  /** IPV6_V6ONLY for 'udp6'. Default false. */
  ipv6Only?: boolean;
}

/**
 * A dgram.Socket bound inside `namespace`'s network namespace. Resolves once it is bound (its
 * 'listening' has fired: address() gives the port); rejects with dgram's own bind error
 * ('bind EADDRINUSE 127.0.0.1:5353'). Sends and receives happen in that namespace.
 */
export async function createDgramSocketIn(namespace: NetworkTarget, input: DgramInOptions): Promise<DgramSocket> {
  const options = checkObject(input, 'options');
  checkKeys(options, ['type', 'address', 'port', 'reuseAddr', 'ipv6Only'], 'option');
  if (options.type !== 'udp4' && options.type !== 'udp6') throw new TypeError(`options.type must be 'udp4' or 'udp6', got ${describe(options.type)}`);
  const address = options.address ?? (options.type === 'udp4' ? '0.0.0.0' : '::');
  const family = options.type === 'udp4' ? 4 : 6;
  if (typeof address !== 'string' || isIP(address) !== family) throw new TypeError(`options.address must be an IPv${family} address literal for ${options.type}, got ${describe(options.address)}`);
  const port = checkPort(options.port, 'options.port');
  const socket = checkSocketOptions({ kind: 'udp', family, bind: { address, port }, reuseAddress: options.reuseAddr ?? false, ipv6Only: options.ipv6Only });
  targetFd(namespace, 'namespace');
  const fd = boundSocket(namespace, { socket, backlog: undefined, host: address, port, defaultHost: false }, 'bind', 'dgram');
  const dgram = createSocket(options.type);
  return new Promise<DgramSocket>((resolve, reject) => {
    const onError = (error: Error): void => {
      dgram.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      dgram.off('error', onError);
      resolve(dgram);
    };
    dgram.once('error', onError);
    dgram.once('listening', onListening);
    try {
      // bind({ fd }) wraps the socket as it is: already bound, in its namespace.
      dgram.bind({ fd });
    } catch (error) {
      closeSync(fd);
      reject(error);
    }
  });
}
