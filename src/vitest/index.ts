/**
 * nsbridge/vitest: test fixtures for Vitest (a peer dependency, >= 3.2).
 *
 *   import { test } from 'nsbridge/vitest';
 *   test('my server answers inside its own network', async ({ netns, service }) => {
 *     const server = await service('node', ['server.js'], { join: { net: netns }, ready: { port: 8080 } });
 *     const res = await fetch('http://127.0.0.1:8080/', { dispatcher: server.dispatcher() });
 *   });
 *
 * `netns`: a network namespace with lo up, made for the test and closed after it. `service`:
 * spawns a program in namespaces, waits until it is ready (a port accepting connections inside the
 * program's own network namespace, or a line on its output), attaches its output to the report of
 * a failing test, and kills and reaps it after the test, also after a timeout. Both need root
 * (CAP_SYS_ADMIN): without it the test is skipped with the reason, and with NSBRIDGE_MUST_WORK=1
 * it fails instead.
 */
import { test as base, type TestAPI, type TestContext } from 'vitest';
import type { Agent } from 'undici';
import type { Namespace } from '../namespace.js';
import type { ExitInfo } from '../process-handle.js';
import type { NsChild } from '../spawn/ns-child.js';
import type { SpawnOptions } from '../spawn/options.js';
import { createNamespace } from '../create-namespace.js';
import { spawn } from '../spawn/spawn.js';
import { connectIn } from '../inside/sockets.js';
import { namespaceDispatcher } from '../inside/dispatcher.js';
import { addon } from '../native/addon.js';
import { describe } from '../validate.js';

/** When a service counts as ready. */
export type ServiceReady =
  | {
      /** A TCP port that accepts a connection inside the program's network namespace. */
      port: number;
      /** The address to connect to. Default '127.0.0.1'. */
      host?: string;
    }
  | {
      /** A line (or a part of one) on the program's stdout or stderr. */
      line: string | RegExp;
    };

/** service()'s options: spawn()'s (stdio excepted: output is captured), plus readiness. */
export interface ServiceOptions extends Omit<SpawnOptions, 'stdio'> {
  /** When the service is ready; default: as soon as it was exec'd. */
  ready?: ServiceReady;
  /** Milliseconds to wait for readiness before the test fails (the service is then killed). Default 10,000. */
  readyTimeout?: number;
  /** The signal that stops it after the test; SIGKILL follows 2 s later if it is still running. Default 'SIGTERM'. */
  stopSignal?: NodeJS.Signals;
}

/** A running service of the test. */
export interface Service {
  /** The spawned program. */
  readonly child: NsChild;
  /** Everything it wrote so far, stdout and stderr interleaved as they arrived. */
  output(): string;
  /** Its network namespace (a handle the fixture closes after the test). */
  readonly net: Namespace;
  /** An undici dispatcher that connects from inside the service's network namespace, for fetch(); closed after the test. */
  dispatcher(): Agent;
  /** Stops it now (stopSignal, then SIGKILL) and resolves with how it ended. */
  stop(): Promise<ExitInfo>;
}

/** Starts a service for this test. */
export type ServiceFactory = (file: string, args?: readonly string[], options?: ServiceOptions) => Promise<Service>;

/** The fixtures nsbridge/vitest's `test` has. */
export interface NamespaceFixtures {
  /** A new network namespace with lo up (127.0.0.1 and ::1), for this test only. */
  netns: Namespace;
  /** Starts programs in namespaces, ready before the test goes on, stopped and reaped after it. */
  service: ServiceFactory;
}

/** Why the fixtures cannot run here, or null when they can. */
function missingPrivilege(): string | null {
  if (process.platform !== 'linux') return 'needs Linux';
  const capSysAdmin = 1n << 21n;
  return (addon().effectiveCapabilities() & capSysAdmin) === 0n ? 'needs root (CAP_SYS_ADMIN) to create namespaces' : null;
}

/** Skip the test with the reason, or fail it under NSBRIDGE_MUST_WORK=1. */
function requirePrivilege(skip: TestContext['skip']): void {
  const missing = missingPrivilege();
  if (missing === null) return;
  if (process.env.NSBRIDGE_MUST_WORK === '1') throw new Error(`nsbridge/vitest: ${missing} (NSBRIDGE_MUST_WORK=1 turns the skip into a failure)`);
  skip(`nsbridge/vitest: ${missing}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once a connection to host:port inside `net` succeeds; polls every 20 ms. */
async function portAccepts(net: Namespace, host: string, port: number, until: () => boolean): Promise<void> {
  while (until()) {
    const socket = connectIn(net, { host, port });
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    socket.destroy();
    if (ok) return;
    await sleep(20);
  }
}

function lineMatches(output: string, line: string | RegExp): boolean {
  return output.split('\n').some((text) => (typeof line === 'string' ? text.includes(line) : line.test(text)));
}

interface Running {
  service: Service;
  label: string;
  cleanup: () => Promise<void>;
}

async function startService(running: Running[], file: string, args: readonly string[], options: ServiceOptions): Promise<Service> {
  const { ready, readyTimeout = 10_000, stopSignal = 'SIGTERM', ...spawnOptions } = options;
  if ('stdio' in options) throw new TypeError('service() captures the output: options.stdio is not allowed');
  if (!Number.isInteger(readyTimeout) || readyTimeout <= 0) throw new RangeError(`options.readyTimeout must be a positive integer (ms), got ${describe(readyTimeout)}`);
  const child = spawn(file, [...args], { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] } as SpawnOptions & { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let onOutput = (): void => {};
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output += chunk;
      onOutput();
    });
  }
  child.on('error', () => {}); // the same error rejects ready / exited, which are awaited here
  let exit: ExitInfo | null = null;
  const exited = child.exited.then((info) => (exit = info), (error: unknown) => Promise.reject(error as Error));
  exited.catch(() => {});
  await child.ready;
  const net = child.namespace('net');
  let dispatcher: Agent | undefined;
  let stopping: Promise<ExitInfo> | undefined;
  const stop = (): Promise<ExitInfo> =>
    (stopping ??= (async () => {
      if (exit === null) {
        child.kill(stopSignal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        try {
          await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exit!;
    })());
  const service: Service = {
    child,
    net,
    output: () => output,
    dispatcher: () => (dispatcher ??= namespaceDispatcher(net)),
    stop,
  };
  const label = `${file}${args.length === 0 ? '' : ` ${args.join(' ')}`}`;
  const cleanup = async (): Promise<void> => {
    try {
      await stop();
      await dispatcher?.close();
    } finally {
      net.close();
      child.process?.close();
    }
  };
  running.push({ service, label, cleanup });
  if (ready === undefined) return service;

  const deadline = Date.now() + readyTimeout;
  const waiting = (): boolean => exit === null && Date.now() < deadline;
  if ('port' in ready) {
    await Promise.race([portAccepts(net, ready.host ?? '127.0.0.1', ready.port, waiting), exited]);
  } else {
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (lineMatches(output, ready.line)) resolve();
        };
        onOutput = check;
        check();
        setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
      }),
      exited,
    ]);
  }
  const isReady = 'port' in ready ? exit === null && Date.now() < deadline : lineMatches(output, ready.line);
  if (!isReady) {
    const what = 'port' in ready ? `port ${ready.host ?? '127.0.0.1'}:${ready.port} accepting` : `a line matching ${String(ready.line)}`;
    const why = exit === null ? `not ready after ${readyTimeout} ms (waiting for ${what})` : `exited before it was ready (${JSON.stringify(exit)}; waiting for ${what})`;
    throw new Error(`service ${label}: ${why}\n--- its output ---\n${output}`);
  }
  return service;
}

/**
 * Vitest's `test` with the `netns` and `service` fixtures. Use it in place of vitest's `test` /
 * `it`; the fixtures are made only for tests that name them.
 */
export const test: TestAPI<NamespaceFixtures> = base.extend<NamespaceFixtures>({
  // Vitest reads each fixture's destructured parameter to know what it uses: no rest element.
  netns: async ({ skip }, use) => {
    requirePrivilege(skip);
    const ns = await createNamespace('net', { loopback: true });
    try {
      await use(ns);
    } finally {
      ns.close();
    }
  },
  service: async ({ skip, onTestFailed }, use) => {
    requirePrivilege(skip);
    const running: Running[] = [];
    onTestFailed(({ task }) => {
      // The services' output in the failing test's report: one more error entry per service, which
      // every reporter prints with the test's own errors (annotations are closed once it failed).
      for (const { service, label } of running) {
        task.result?.errors?.push({ name: 'ServiceOutput', message: `service ${label} (pid ${service.child.pid ?? '-'}) wrote:\n${service.output() || '(nothing)'}`, stack: '' });
      }
    });
    let results: PromiseSettledResult<void>[];
    try {
      await use((file, args = [], options = {}) => startService(running, file, args, options));
    } finally {
      // Every service is stopped and reaped, after a failure or a timeout too.
      results = await Promise.allSettled(running.map((r) => r.cleanup()));
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  },
});
