/**
 * The driver's end of the agents' channel (protocol: native/agent/agent.cc).
 *
 * One Unix socket per run, at a filesystem path in a private directory (0711: nobody can list it;
 * socket 0777: an agent that dropped to another uid, or sits in a user namespace without
 * mappings, can still connect). Filesystem sockets work across net, mnt and user namespaces,
 * where abstract ones are per network namespace. Every agent connects once and says
 * `hello <token> <name> <pid in T>`; the random token keeps strangers out.
 *
 * Names (processes, handles) travel percent-encoded behind an 'n', so they never contain a space
 * or a newline and never collide with the agent's '-' (none).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeName } from '../../ops/agent-protocol.js';


/** One agent's connection: numbered requests, one reply line each. */
export class AgentLink {
  readonly name: string;
  /** The agent's pid in T, as it read it from /proc/self. */
  readonly tPid: number;
  #socket: Socket;
  #buffer = '';
  #nextSeq = 1;
  #pending = new Map<number, (words: string[]) => void>();
  #eof = false;

  constructor(socket: Socket, name: string, tPid: number, rest: string) {
    this.#socket = socket;
    this.name = name;
    this.tPid = tPid;
    socket.on('data', (chunk: string) => this.#receive(chunk));
    socket.on('end', () => this.#end());
    socket.on('close', () => this.#end());
    this.#receive(rest);
  }

  /** Whether the agent's side is closed: it exited, or at least its fd table is gone. */
  get eof(): boolean {
    return this.#eof;
  }

  /**
   * Send `<seq> <command>`. The reply (its words after the seq) may never come: the agent can
   * be killed or stopped by what it does; callers race it with the process's state and forget().
   */
  request(command: string): { seq: number; reply: Promise<string[]> } {
    const seq = this.#nextSeq++;
    const reply = new Promise<string[]>((resolve) => this.#pending.set(seq, resolve));
    if (!this.#eof) this.#socket.write(`${seq} ${command}\n`);
    return { seq, reply };
  }

  /** Drop a request whose reply is no longer wanted (a stopped agent answers after SIGCONT). */
  forget(seq: number): void {
    this.#pending.delete(seq);
  }

  destroy(): void {
    this.#socket.destroy();
    this.#end();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
      const words = this.#buffer.slice(0, nl).split(' ');
      this.#buffer = this.#buffer.slice(nl + 1);
      const seq = Number(words[0]);
      const resolve = this.#pending.get(seq);
      if (resolve === undefined) continue; // a reply nobody waits for any more
      this.#pending.delete(seq);
      resolve(words.slice(1));
    }
  }

  #end(): void {
    this.#eof = true;
  }
}

/** The listening socket and the agents' hellos. */
export class AgentServer {
  readonly dir: string;
  readonly path: string;
  readonly token: string;
  #server: Server;
  #sockets = new Set<Socket>();
  #waiting = new Map<string, (link: AgentLink) => void>();
  #arrived = new Map<string, AgentLink>();

  private constructor(dir: string, server: Server, token: string) {
    this.dir = dir;
    this.path = join(dir, 's');
    this.#server = server;
    this.token = token;
  }

  static async open(): Promise<AgentServer> {
    removeStaleDirs();
    const dir = mkdtempSync(join(socketRoot(), `${DIR_PREFIX}${process.pid}-`));
    try {
      chmodSync(dir, 0o711);
      const server = createServer();
      const self = new AgentServer(dir, server, randomBytes(12).toString('hex'));
      server.on('connection', (socket) => self.#accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(self.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
      chmodSync(self.path, 0o777);
      return self;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Resolves with the link of the agent `encodedName` once it has said hello. */
  hello(encodedName: string): Promise<AgentLink> {
    const arrived = this.#arrived.get(encodedName);
    if (arrived !== undefined) {
      this.#arrived.delete(encodedName);
      return Promise.resolve(arrived);
    }
    return new Promise((resolve) => this.#waiting.set(encodedName, resolve));
  }

  /** Stop waiting for a hello (the process died first). */
  forget(encodedName: string): void {
    this.#waiting.delete(encodedName);
  }

  /** Close every connection and the socket, and remove the directory. */
  async close(): Promise<void> {
    // Resolves once every fd is really closed (libuv closes a destroyed socket's fd a turn later).
    const closed = [...this.#sockets].map((socket) => (socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', resolve))));
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await Promise.all(closed);
    rmSync(this.dir, { recursive: true, force: true });
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setEncoding('latin1');
    // An agent killed with unread data in its socket resets the connection: that is an end too.
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
    let first = '';
    const onData = (chunk: string): void => {
      first += chunk;
      const nl = first.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      const [word, token, name, tPid] = first.slice(0, nl).split(' ');
      if (word !== 'hello' || token !== this.token || name === undefined) {
        socket.destroy();
        return;
      }
      const link = new AgentLink(socket, decodeName(name), Number(tPid), first.slice(nl + 1));
      const waiter = this.#waiting.get(name);
      if (waiter !== undefined) {
        this.#waiting.delete(name);
        waiter(link);
      } else {
        this.#arrived.set(name, link);
      }
    };
    socket.on('data', onData);
  }
}

const DIR_PREFIX = 'nsbridge-agents-';
// sockaddr_un holds 108 bytes: <root>/nsbridge-agents-<pid>-XXXXXX/s must fit, whatever TMPDIR is.
const MAX_SOCKET_ROOT = 60;

/** Where the socket directory goes: the temp directory, or /tmp when its path is too long for a socket. */
function socketRoot(): string {
  const root = tmpdir();
  return Buffer.byteLength(root) <= MAX_SOCKET_ROOT ? root : '/tmp';
}

/**
 * A driver that was SIGKILLed could not remove its socket directory (its agents died with it:
 * init has killOnParentDeath). The directory name carries the driver's pid: remove those of
 * drivers that no longer run.
 */
function removeStaleDirs(): void {
  let names: string[];
  try {
    names = readdirSync(socketRoot()).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(DIR_PREFIX.length).split('-', 1)[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(socketRoot(), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
