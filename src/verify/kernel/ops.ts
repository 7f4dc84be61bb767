/**
 * One step on the real kernel: the step becomes one agent command (native/agent/agent.cc), the
 * agent's reply becomes the StepResult of the shape src/model/steps.ts gives for the op. Pids are
 * resolved by the kernel (the driver's pid-translation ioctls), never from the model; the result
 * is what the kernel said.
 */
import { readFileSync } from 'node:fs';
import { kindOf, kindOfFlag, type NamespaceType } from '../../kinds.js';
import { signalNumber, type CloneFlag, type ErrnoName, type Step, type StepResult, type Value } from '../../model/steps.js';
import { callAgent, type AgentOutcome } from './call.js';
import { encodeName } from './channel.js';
import { readStat, type Task } from './tasks.js';
import type { KernelWorld } from './world.js';

const CLONE_FLAGS: Record<CloneFlag, bigint> = {
  vm: 0x100n,
  fs: 0x200n,
  files: 0x400n,
  sighand: 0x800n,
  pidfd: 0x1000n,
  parent: 0x8000n,
  thread: 0x10000n,
  sysvsem: 0x40000n,
  detached: 0x400000n,
  clear_sighand: 0x1_0000_0000n,
  // A bit clone3 does not know (CLONE_INTO_CGROUP is bit 33, the highest one as of 6.18).
  'unknown-bit': 1n << 40n,
};

const UNSHARE_FLAGS = { vm: 0x100, fs: 0x200, files: 0x400, sighand: 0x800, thread: 0x10000, sysvsem: 0x40000 } as const;

const PIDFD_OPEN_FLAGS = { nonblock: 0x800 /* O_NONBLOCK */, thread: 0x80 /* PIDFD_THREAD */, 'unknown-bit': 0x4000_0000 } as const;

const CLONE_SIZES = new Set(['v0', 'v1', 'v2', 'short', 'long-zero', 'long-nonzero', 'huge']);

/** Ops whose caller may be killed or stopped by its own system call: then the call succeeded. */
const MAY_END_CALLER = new Set<Step['op']>(['kill', 'pidfdSendSignal', 'exit', 'reboot']);

/** The bit of each name (a TypeError for a name the table does not have). */
function bitsOf<K extends string, N>(table: Readonly<Record<K, N>>, names: readonly K[] | undefined, what: string): N[] {
  return (names ?? []).map((name) => {
    if (!Object.hasOwn(table, name)) throw new TypeError(`unknown ${what} ${JSON.stringify(name)}`);
    return table[name];
  });
}

function nsMask(kinds: readonly NamespaceType[] | undefined): number {
  return (kinds ?? []).reduce((mask, kind) => mask | kindOf(kind).flag, 0);
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;
const toHex = (text: string): string => (text === '' ? '-' : Buffer.from(text, 'latin1').toString('hex'));
const fromHex = (word: string | undefined): string => (word === undefined || word === '-' ? '' : Buffer.from(word, 'hex').toString('latin1'));

const ESRCH: StepResult = { ok: false, errno: 'ESRCH' };

/** What `parse` gets: the words after 'ok'. */
type Parse = (values: string[]) => Value | undefined | Promise<Value | undefined>;

/** Run one step (not settling afterwards). Throws for a driver or agent failure, never for errno. */
export async function runStep(world: KernelWorld, step: Step, deadline: number): Promise<StepResult> {
  const handle = (name: string | undefined): string => (name === undefined || name === 'closed' ? '-' : String(world.handleFd(name)));
  if (step.op === 'state') return { ok: true, value: stateOf(world, step.target) };
  const caller = world.task(step.proc);
  // A process that cannot run steps (gone, stopped, a sleeper or thread, never created).
  if (caller === undefined || !caller.runnable) return ESRCH;
  const call = (command: string, parse: Parse = () => undefined): Promise<StepResult> => perform(world, caller, step, command, parse, deadline);

  switch (step.op) {
    case 'clone3': {
      const flags = bitsOf(CLONE_FLAGS, step.flags, 'clone3 flag').reduce((mask, bit) => mask | bit, BigInt(nsMask(step.namespaces)));
      const has = (flag: CloneFlag): boolean => (step.flags ?? []).includes(flag);
      // Like fork: SIGCHLD, except where clone3 forbids an exit signal (a thread; CLONE_PARENT,
      // whose child takes the caller's own exit signal).
      const exitSignal = step.exitSignal !== undefined ? signalNumber(step.exitSignal) : has('thread') || has('parent') ? 0 : 17;
      const size = step.size ?? 'v2';
      if (!CLONE_SIZES.has(size)) throw new TypeError(`unknown clone3 size ${JSON.stringify(size)}`);
      const setTid = step.setTid !== undefined && step.setTid.length > 0 ? step.setTid.join(',') : '-';
      const kind = has('vm') ? (has('thread') ? 'thread' : 'sleeper') : 'agent';
      // A child without a name still exists (and a fork-style one says hello): it gets an
      // internal name that no step can use.
      const internal = step.child ?? world.anonymousName();
      return call(`clone3 ${hex(flags)} ${exitSignal} ${size} ${setTid} ${handle(step.pidfd)} ${encodeName(internal)}`, async ([pid]) => {
        await world.adoptChild(caller, Number(pid), kind, internal, step.child !== undefined, deadline);
        return Number(pid);
      });
    }
    case 'unshare': {
      const other = bitsOf(UNSHARE_FLAGS, step.flags, 'unshare flag').reduce((mask: number, bit) => mask | bit, 0);
      return call(`unshare ${hex(nsMask(step.namespaces) | other)}`);
    }
    case 'setns':
      return call(`setns ${handle(step.fd)} ${hex(nsMask(step.namespaces))}`);
    case 'openNs':
      return call(`open ${handle(step.as)} ${world.procDir(step.target)}/ns/${step.entry}`);
    case 'openNull':
      return call(`open ${handle(step.as)} /dev/null`);
    case 'pidfdOpen': {
      const flags = bitsOf(PIDFD_OPEN_FLAGS, step.flags, 'pidfd_open flag').reduce((mask: number, bit) => mask | bit, 0);
      return call(`pidfd_open ${handle(step.as)} ${world.pidFor(caller, step.target)} ${hex(flags)}`);
    }
    case 'close':
      return call(`close ${handle(step.handle)}`);
    case 'exit':
      return call(`exit ${step.code}`);
    case 'kill':
      return call(`kill ${world.pidFor(caller, step.target)} ${signalNumber(step.signal)}`);
    case 'pidfdSendSignal':
      return call(`pidfd_send_signal ${handle(step.fd)} ${signalNumber(step.signal)}`);
    case 'handle':
      return call(`handle ${signalNumber(step.signal)}`);
    case 'signals':
      return call('signals', (records) =>
        records.map((record) => {
          const [signal, fromPid] = record.split(':').map(Number);
          return { signal: signal!, fromPid: fromPid! };
        }),
      );
    case 'wait': {
      const how = step.fd !== undefined ? `pidfd ${handle(step.fd)}` : step.target !== undefined ? `pid ${world.pidFor(caller, step.target)}` : 'all';
      return call(`wait ${how}`, ([pid, how, status]): Value => {
        if (pid === 'none') return null;
        return how === 'code' ? { pid: Number(pid), code: Number(status) } : { pid: Number(pid), signal: Number(status) };
      });
    }
    case 'getpid':
    case 'getppid':
      return call(step.op, ([n]) => Number(n));
    case 'nspid':
      return call(`read ${world.procDir(step.target)}/status`, ([content]) => {
        const line = /^NSpid:\s*(.*)$/m.exec(fromHex(content));
        if (line === null) throw new Error('no NSpid line in /proc/<pid>/status');
        return line[1]!.trim().split(/\s+/).map(Number);
      });
    case 'nsId':
      return call(`nsref ${world.procDir(step.target)}/ns/${step.entry}`, ([id]) => ({ ns: id! }));
    case 'nsIoctl': {
      const request = step.request.replace(/^NS_GET_/, '');
      return call(`nsioctl ${handle(step.fd)} ${request} ${handle(step.as)}`, ([value]) => {
        if (request === 'PARENT' || request === 'USERNS') return { ns: value! };
        if (request === 'NSTYPE') return kindOfFlag(Number(value))?.type ?? Number(value);
        return Number(value);
      });
    }
    case 'translatePid': {
      const pid = step.direction === 'in' ? world.pidFor(caller, step.target) : step.pid;
      return call(`pidtr ${handle(step.fd)} ${step.direction} ${pid}`, ([n]) => Number(n));
    }
    case 'writeMap':
      return call(`write ${world.procDir(step.target)}/${step.map} ${toHex(step.lines.map((line) => `${line.join(' ')}\n`).join(''))}`);
    case 'readMap':
      return call(`read ${world.procDir(step.target)}/${step.map}`, ([content]) =>
        fromHex(content)
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => line.trim().split(/\s+/).map(Number)),
      );
    case 'writeSetgroups':
      return call(`write ${world.procDir(step.target)}/setgroups ${toHex(`${step.value}\n`)}`);
    case 'readSetgroups':
      return call(`read ${world.procDir(step.target)}/setgroups`, ([content]) => fromHex(content).trim());
    case 'writeTimeOffsets':
      return call(`write ${world.procDir(step.target)}/timens_offsets ${toHex(step.offsets.map((o) => `${o.clock} ${o.seconds} 0\n`).join(''))}`);
    case 'readTimeOffsets':
      return call(`read ${world.procDir(step.target)}/timens_offsets`, ([content]) => {
        const offsets: Record<string, number> = { monotonic: 0, boottime: 0 };
        for (const line of fromHex(content).split('\n')) {
          const [clock, seconds] = line.trim().split(/\s+/);
          if (clock !== undefined && clock in offsets) offsets[clock] = Number(seconds);
        }
        return offsets;
      });
    case 'clockOffset':
      return call(`clock ${step.clock === 'boottime' ? 'boot' : 'mono'}`, ([sec, nsec]) => {
        const agent = Number(sec) + Number(nsec) / 1e9;
        return Math.round(agent - hostClock(step.clock)) + 0; // + 0: no -0
      });
    case 'readLastPid':
      return call('read /proc/sys/kernel/ns_last_pid', ([content]) => Number(fromHex(content).trim()));
    case 'writeLastPid':
      return call(`write /proc/sys/kernel/ns_last_pid ${toHex(String(step.value))}`);
    case 'setuid':
      return call(`setuid ${step.id}`);
    case 'setSubreaper':
      return call('subreaper');
    case 'reboot':
      return call(`reboot ${step.cmd}`);
  }
}

/** The driver's clocks (it is in the host's time namespace): MONOTONIC and BOOTTIME, seconds. */
function hostClock(clock: 'monotonic' | 'boottime'): number {
  if (clock === 'monotonic') return Number(process.hrtime.bigint()) / 1e9;
  return readUptime();
}

async function perform(world: KernelWorld, caller: Task, step: Step, command: string, parse: Parse, deadline: number): Promise<StepResult> {
  const outcome: AgentOutcome = await callAgent(caller, command, deadline, world.tasks);
  if (outcome.kind !== 'reply') {
    // Killed or stopped by its own call (a signal to itself, its process group, its own pidfd),
    // or gone by exit / reboot: the system call did what it was asked.
    if (MAY_END_CALLER.has(step.op)) return { ok: true };
    throw new Error(`the agent ${outcome.kind === 'dead' ? 'died' : outcome.kind === 'stopped' ? 'was stopped' : 'exited'} while running it`);
  }
  const [status, ...values] = outcome.words;
  if (status === 'err') return { ok: false, errno: values[0] as ErrnoName };
  if (status !== 'ok') throw new Error(`the agent refused '${command.split(' ')[0]}': ${values.join(' ') || status}`);
  const value = await parse(values);
  return value === undefined ? { ok: true } : { ok: true, value };
}

/** `state`: the target as the host sees it, from the driver's own /proc (it sees all of T). */
function stateOf(world: KernelWorld, name: string): 'running' | 'stopped' | 'zombie' | 'gone' {
  const task = world.task(name);
  // The pidfd first: a reaped task's pid may be someone else's by now; an unreaped one's cannot.
  if (task === undefined || task.reaped()) return 'gone';
  const stat = readStat(task.hostPid);
  if (stat === null || stat.state === 'X') return 'gone';
  if (stat.state === 'Z') return 'zombie';
  if (stat.state === 'T' || stat.state === 't') return 'stopped';
  return 'running';
}

function readUptime(): number {
  return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
}
