/**
 * namespaceDispatcher(): an undici Agent whose connections are dialled from inside a network
 * namespace, for `fetch(url, { dispatcher })` and undici's own request / stream / pipeline.
 * Only the connect step is ours (connectIn: the TCP socket is made in the namespace by a native
 * thread); HTTP/1.1, keep-alive pools, redirects and TLS are undici's and Node's.
 *
 * Works with: Node's global fetch (Node 20 and 22 bundle undici 6 and accept a `dispatcher` of
 * the same interface), the undici package's fetch / request, and anything that takes an undici
 * Dispatcher (got, ky and axios adapters over undici). Not with node:http's request (give it
 * `createConnection` = (opts) => connectIn(ns, opts) instead).
 */
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Agent } from 'undici';
import type { NetworkTarget } from '../net/rtnetlink-socket.js';
import { targetFd } from '../net/rtnetlink-socket.js';
import { checkKeys, checkObject, describe } from '../validate.js';
import { connectIn } from './sockets.js';

/** namespaceDispatcher()'s options. */
export interface NamespaceDispatcherOptions {
  /** undici Agent options (connections, pipelining, keepAliveTimeout, …); `connect` is not allowed: it is the dispatcher's. */
  agent?: Omit<Agent.Options, 'connect'>;
  /** TLS options for https: origins (ca, cert, key, rejectUnauthorized, …), as tls.connect takes them. */
  tls?: Omit<ConnectionOptions, 'socket' | 'host' | 'port' | 'servername'>;
  /** Milliseconds to establish a connection (TCP and TLS) before failing with UND_ERR_CONNECT_TIMEOUT. Default 10,000. */
  connectTimeout?: number;
  /**
   * How a host name becomes an address. Default: dns.lookup, which runs in this process's
   * namespaces (libuv's pool threads): /etc/hosts and the resolver of this process, not of the
   * namespace. IP literals are never looked up.
   */
  lookup?: (hostname: string) => Promise<string>;
}

let undici: typeof import('undici') | undefined;
// undici only when a dispatcher is made: importing nsbridge must not load an HTTP client.
const loadUndici = (): typeof import('undici') => (undici ??= createRequire(import.meta.url)('undici') as typeof import('undici'));

const defaultLookup = async (hostname: string): Promise<string> => (await lookup(hostname)).address;

/** A connect timeout as undici reports it (its ConnectTimeoutError's code). */
function connectTimeoutError(ms: number, host: string, port: number): Error {
  return Object.assign(new Error(`Connect Timeout Error (attempted address: ${host}:${port}, timeout: ${ms}ms)`), { name: 'ConnectTimeoutError', code: 'UND_ERR_CONNECT_TIMEOUT' });
}

/**
 * An undici Agent dialling every connection from inside `namespace` (a net Namespace, or 'self').
 * `fetch('http://10.0.0.2:8080/', { dispatcher })` then reaches servers that exist only there.
 * The Namespace must stay open while the dispatcher is used (a closed one fails each new
 * connection with ERR_NSBRIDGE_CLOSED); close the dispatcher with `await dispatcher.close()`.
 */
export function namespaceDispatcher(namespace: NetworkTarget, options: NamespaceDispatcherOptions = {}): Agent {
  targetFd(namespace, 'namespace'); // refuse a closed or non-net handle now, not at the first request
  const checked = checkObject(options, 'options');
  checkKeys(checked, ['agent', 'tls', 'connectTimeout', 'lookup'], 'option');
  const agentOptions = checked.agent === undefined ? {} : checkObject(checked.agent, 'options.agent');
  if ('connect' in agentOptions) throw new TypeError('options.agent.connect is not allowed: connections are made by the dispatcher, inside the namespace');
  const tls = checked.tls === undefined ? {} : checkObject(checked.tls, 'options.tls');
  const timeout = checked.connectTimeout ?? 10_000;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) throw new RangeError(`options.connectTimeout must be a positive integer (ms), got ${describe(timeout)}`);
  const resolve = checked.lookup ?? defaultLookup;
  if (typeof resolve !== 'function') throw new TypeError(`options.lookup must be a function, got ${describe(resolve)}`);

  const { Agent } = loadUndici();
  return new Agent({
    ...(agentOptions as Agent.Options),
    connect: (request, callback) => {
      const https = request.protocol === 'https:';
      const port = request.port === '' ? (https ? 443 : 80) : Number(request.port);
      // undici gives IPv6 literals in brackets ('[::1]').
      const hostname = request.hostname.replace(/^\[(.*)\]$/, '$1');
      let settled = false;
      let socket: Socket | undefined;
      const finish = (error: Error | null, connected?: Socket): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== null) {
          socket?.destroy();
          callback(error, null);
        } else callback(null, connected!);
      };
      const timer = setTimeout(() => finish(connectTimeoutError(timeout, hostname, port)), timeout);
      const address = isIP(hostname) !== 0 ? Promise.resolve(hostname) : (resolve as (h: string) => Promise<string>)(hostname);
      address.then(
        (ip) => {
          if (settled) return;
          let tcp: Socket;
          try {
            tcp = connectIn(namespace, { host: ip, port, noDelay: true });
          } catch (error) {
            finish(error as Error); // a Namespace closed since: ERR_NSBRIDGE_CLOSED for this request
            return;
          }
          socket = tcp;
          if (!https) {
            tcp.once('connect', () => finish(null, tcp));
            tcp.once('error', (error) => finish(error));
            return;
          }
          const secure = tlsConnect({ ...(tls as ConnectionOptions), socket: tcp, servername: request.servername ?? (isIP(hostname) === 0 ? hostname : undefined), ALPNProtocols: ['http/1.1'] });
          socket = secure;
          secure.once('secureConnect', () => finish(null, secure));
          secure.once('error', (error: Error) => finish(error));
        },
        (error: Error) => finish(error),
      );
    },
  });
}
