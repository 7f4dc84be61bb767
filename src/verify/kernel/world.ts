/**
 * The scenario world on the real kernel (see the top of src/model/steps.ts): 'init', pid 1 of a
 * fresh pid namespace T in a fresh mount namespace with T's /proc, started by nsbridge's spawn()
 * with killOnParentDeath (an interrupted driver takes the whole world with it); 'root', pid 2,
 * cloned by init. The table of tasks, their names, and how pids and /proc paths are resolved
 * for a step. Teardown is SIGKILL to init: the kernel then kills and reaps everything in T.
 */
import { statSync } from 'node:fs';
import { addon } from '../../native/addon.js';
import { PidTranslation, type OwnedFd } from '../../native/binding.js';
import { spawn } from '../../spawn/spawn.js';
import type { NsChild } from '../../spawn/ns-child.js';
import { SIGNALS, type ProcName, type Target } from '../../model/steps.js';
import { agentBinary } from './agent-binary.js';
import { callAgent } from './call.js';
import { encodeName, formatCommand } from '../../ops/agent-protocol.js';
import { CLONE3_COMMAND } from '../../ops/clone3.js';
import { AgentServer } from './channel.js';
import { NO_PID, PIDFD_THREAD, Task, readStat, translatePid, type TaskKind } from './tasks.js';

/** Keep at most this much of the agents' stderr for error messages. */
const STDERR_LIMIT = 16 * 1024;

/** Handles live at fds from here up (the agents' own fds are few and low). */
const FIRST_HANDLE_FD = 100;

export class KernelWorld {
  readonly server: AgentServer;
  readonly init: NsChild;
  /** Every task ever created in this run, in creation order (dead ones stay). */
  readonly tasks: Task[] = [];
  readonly stepTimeoutMs: number;
  /** The agents' stderr (one pipe, shared by all), for error messages. */
  stderr = '';
  /** T, the world's top pid namespace. */
  readonly #tPidNs: OwnedFd;
  readonly #byName = new Map<ProcName, Task>();
  #anonymous = 0;
  #tornDown = false;

  private constructor(server: AgentServer, init: NsChild, tPidNs: OwnedFd, stepTimeoutMs: number) {
    this.server = server;
    this.init = init;
    this.#tPidNs = tPidNs;
    this.stepTimeoutMs = stepTimeoutMs;
    init.stderr?.setEncoding('utf8');
    init.stderr?.on('data', (chunk: string) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += chunk.slice(0, STDERR_LIMIT - this.stderr.length);
    });
  }

  /** Start init and root. Everything started is torn down again if this fails. */
  static async start(stepTimeoutMs: number): Promise<KernelWorld> {
    const agent = agentBinary();
    const server = await AgentServer.open();
    let child: NsChild | undefined;
    let world: KernelWorld | undefined;
    try {
      // The agent refuses reboot(2) in the driver's own pid namespace (and the initial one).
      const ownPidNs = statSync('/proc/self/ns/pid').ino;
      const initName = encodeName('init');
      child = spawn(agent, [server.path, server.token, initName, String(ownPidNs)], {
        namespaces: ['pid', 'mnt'],
        mountProc: true,
        killOnParentDeath: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        // Nothing of the driver's: no LD_PRELOAD (test:asan), no working directory kept busy.
        env: {},
        cwd: '/',
      });
      await child.ready;
      world = new KernelWorld(server, child, addon().openPath(`/proc/${child.pid!}/ns/pid`), stepTimeoutMs);
      const deadline = Date.now() + stepTimeoutMs;
      const init = world.#register('init', 'agent', child.pid!, null);
      world.#byName.set('init', init);
      await world.#awaitHello(init, initName, deadline);
      if (init.tPid !== 1) throw new Error(`init is pid ${init.tPid} in its pid namespace, not 1`);
      const cloned = await callAgent(init, formatCommand('clone3', CLONE3_COMMAND, [0, SIGNALS.SIGCHLD, 'v2', [], null, 'root']), deadline, world.tasks);
      if (cloned.kind !== 'reply' || cloned.words[0] !== 'ok') throw new Error(`init could not clone root: ${JSON.stringify(cloned)}${world.stderrNote()}`);
      const root = await world.adoptChild(init, Number(cloned.words[1]), 'agent', 'root', true, deadline);
      if (root.tPid !== 2) throw new Error(`root is pid ${root.tPid} in T, not 2`);
      return world;
    } catch (error) {
      if (world !== undefined) {
        await world.teardown();
      } else {
        // spawn() failed, or the world could not be set up around a started init.
        if (child?.pid !== undefined) {
          child.kill('SIGKILL');
          await child.exited.catch(() => {});
        }
        child?.stderr?.destroy();
        await server.close();
      }
      throw error;
    }
  }

  /** The agents' stderr so far, ready to append to an error message ('' if they said nothing). */
  readonly #handleFds = new Map<string, number>();

  /**
   * The fd number that stands for handle `name` in every agent of this run: the agents keep
   * handles at these numbers (dup3), so the fd table itself is the name table. With CLONE_FILES
   * two processes then see the same handles, and a name a process never got is simply not open
   * there (EBADF), as in the model.
   */
  handleFd(name: string): number {
    let fd = this.#handleFds.get(name);
    if (fd === undefined) {
      fd = FIRST_HANDLE_FD + this.#handleFds.size;
      this.#handleFds.set(name, fd);
    }
    return fd;
  }

  stderrNote(): string {
    return this.stderr === '' ? '' : `; agent stderr: ${this.stderr.trim()}`;
  }

  /** The task a step names as its caller or target (the latest of that name). */
  task(name: ProcName): Task | undefined {
    return this.#byName.get(name);
  }

  /**
   * A clone3 child, registered by the pid its parent got back: the driver asks the kernel which
   * task that is (the pid in the caller's namespace → the driver's), pins it with a pidfd and,
   * for a fork-style child (a new agent), waits for its hello.
   */
  async adoptChild(caller: Task, pidInCaller: number, kind: TaskKind, name: string, named: boolean, deadline: number): Promise<Task> {
    const hostPid = translatePid(caller.pidNs, PidTranslation.PidFromNs, pidInCaller);
    if (hostPid === null) throw new Error(`the new task ${pidInCaller} of ${caller.name} is not visible to the driver`);
    const task = this.#register(name, kind, hostPid, kind === 'thread' ? caller : null);
    if (named) this.#byName.set(name, task);
    if (kind === 'agent') await this.#awaitHello(task, encodeName(name), deadline);
    return task;
  }

  /** A name for a clone3 child the step did not name (no step can refer to it). */
  anonymousName(): string {
    return `\0anon${++this.#anonymous}`;
  }

  /** The pid of `target` as `caller` sees it, or NO_PID where it sees no such task. */
  pidFor(caller: Task, target: Target): number {
    if (typeof target === 'object') return target.pid;
    const task = this.#byName.get(target);
    if (task === undefined || task.reaped()) return NO_PID;
    return translatePid(caller.pidNs, PidTranslation.PidInNs, task.hostPid) ?? NO_PID;
  }

  /** The state of a process as the host sees it, from the driver's own /proc (it sees all of T). */
  stateOf(name: ProcName): 'running' | 'stopped' | 'zombie' | 'gone' {
    const task = this.#byName.get(name);
    // The pidfd first: a reaped task's pid may be someone else's by now; an unreaped one's cannot.
    if (task === undefined || task.reaped()) return 'gone';
    const stat = readStat(task.hostPid);
    if (stat === null || stat.state === 'X') return 'gone';
    if (stat.state === 'Z') return 'zombie';
    if (stat.state === 'T' || stat.state === 't') return 'stopped';
    return 'running';
  }

  /** `/proc/<x>` for a step's target (T's proc is /proc in every scenario mount namespace). */
  procDir(target: ProcName | undefined): string {
    if (target === undefined) return '/proc/self';
    const task = this.#byName.get(target);
    if (task === undefined || task.reaped()) return `/proc/${NO_PID}`;
    return `/proc/${translatePid(this.#tPidNs, PidTranslation.PidInNs, task.hostPid) ?? NO_PID}`;
  }

  /** Kill init (and with it all of T), wait for the kernel to finish, release everything. */
  async teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    try {
      this.init.kill('SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([
        this.init.exited.then(() => true, () => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (!gone) throw new Error(`nsbridge kernel driver: init (pid ${this.init.pid}) did not exit within 10 s of SIGKILL`);
    } finally {
      for (const task of this.tasks) task.dispose();
      this.#tPidNs.close();
      const stderr = this.init.stderr;
      const stderrClosed = stderr === null || stderr.closed ? Promise.resolve() : new Promise((resolve) => stderr.once('close', resolve));
      stderr?.destroy();
      await this.server.close();
      await stderrClosed;
      // The pidfd watchers' duplicate fds are closed in libuv's close phase, which follows the
      // check phase (setImmediate) of the same loop turn: after two turns they are closed.
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #register(name: string, kind: TaskKind, hostPid: number, leader: Task | null): Task {
    const pidfd = addon().pidfdOpen(hostPid, kind === 'thread' ? PIDFD_THREAD : 0);
    let pidNs: OwnedFd | null = null;
    try {
      if (kind !== 'thread') pidNs = addon().openPath(`/proc/${hostPid}/ns/pid`);
      const tPid = translatePid(this.#tPidNs, PidTranslation.PidInNs, hostPid);
      if (tPid === null) throw new Error(`task ${hostPid} (${name}) is not in the world's pid namespace`);
      const task = new Task({ name, kind, hostPid, tPid, leader, pidfd, pidNs });
      this.tasks.push(task);
      return task;
    } catch (error) {
      pidfd.close();
      pidNs?.close();
      throw error;
    }
  }

  async #awaitHello(task: Task, encodedName: string, deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const hello = this.server.hello(encodedName);
    const outcome = await Promise.race([
      hello,
      task.died.then(() => 'died' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'died') {
      // Nothing in the world runs between a clone3 and its child's hello: a child that dies
      // first is an agent that failed (it says why on stderr).
      this.server.forget(encodedName);
      throw new Error(`agent ${JSON.stringify(task.name)} (pid ${task.hostPid}) died before it said hello${this.stderrNote()}`);
    }
    if (outcome === 'timeout') {
      this.server.forget(encodedName);
      throw new Error(`agent ${JSON.stringify(task.name)} (pid ${task.hostPid}) did not say hello`);
    }
    if (outcome.tPid !== task.tPid) {
      throw new Error(`agent ${JSON.stringify(task.name)} says it is pid ${outcome.tPid} in T, the kernel says ${task.tPid}`);
    }
    task.link = outcome;
  }
}
