/** The scenario op 'clone3'. */
import type { NamespaceType } from '../kinds.js';
import { clone3 as model } from '../model/tasks/clone3.js';
import { arrayOf, int32, kinds, name, oneOf, signal } from '../model/fields.js';
import type { CloneFlag, CloneSize, HandleName, ProcName, SignalSpec } from '../model/steps.js';
import { bitsOf, nsMask } from './kernel-bits.js';
import { EXTRA_CLONE_FLAGS, kindsFrom, pick } from './random-picks.js';
import { SIGNALS, signalNumber } from '../model/steps.js';
import type { CommandSchema } from './agent-protocol.js';
import type { OpDescriptor } from './descriptor.js';

/**
 * clone3(2). On success a new process `child` (or, with 'thread', a new thread of `proc`);
 * result: the new task's pid in the caller's view. With 'vm' and without 'thread' the child
 * shares memory and cannot run steps (it only sleeps), but it can be a target.
 * `pidfd` names the handle CLONE_PIDFD fills (required with the 'pidfd' flag).
 * `exitSignal` omitted: SIGCHLD, like fork — but 0 with 'thread' or 'parent', where clone3
 * refuses any other (a CLONE_PARENT child takes the caller's own exit signal).
 */
export interface Clone3Step {
  /** clone3(2). */
  op: 'clone3';
  /** The process that makes the call. */
  proc: ProcName;
  /** The name later steps call the new process or thread by; omitted, it exists but no step can name it. */
  child?: ProcName;
  /** The kinds of namespace the child gets new ones of (CLONE_NEW* flags). */
  namespaces?: NamespaceType[];
  /** The other clone flags to pass. */
  flags?: CloneFlag[];
  /** clone_args.exit_signal: what the parent gets when the child exits (default above). */
  exitSignal?: SignalSpec;
  /** clone_args.set_tid: the pid to give the child at each pid-namespace level, innermost first. */
  setTid?: number[];
  /** The clone_args size to pass. Default 'v2'. */
  size?: CloneSize;
  /** The handle to put the new pidfd in. */
  pidfd?: HandleName;
}

/** The clone flags a step names, as clone_args.flags bits (CLONE_NEW* come from `namespaces`). */
const CLONE_FLAGS: Readonly<Record<CloneFlag, bigint>> = {
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

const CLONE_SIZES: readonly CloneSize[] = ['v0', 'v1', 'v2', 'short', 'long-zero', 'long-nonzero', 'huge'];
const MAX_PROCESSES = 10;

/** clone3 <flags> <exit_signal> <size> <set_tid…> <pidfd handle> <child's name>: the new pid. */
export const CLONE3_COMMAND: CommandSchema = { handler: 'Clone3', args: ['mask', 'int', { enum: CLONE_SIZES }, 'ints', 'fd', 'name'], reply: ['int'] };

export const clone3Op: OpDescriptor<Clone3Step> = {
  shape: [{ proc: name }, {
    child: name, namespaces: kinds, exitSignal: signal, setTid: arrayOf(int32), pidfd: name,
    flags: arrayOf(oneOf(['parent', 'thread', 'sighand', 'vm', 'fs', 'files', 'sysvsem', 'pidfd', 'clear_sighand', 'detached', 'unknown-bit'])),
    size: oneOf(['v0', 'v1', 'v2', 'short', 'long-zero', 'long-nonzero', 'huge']),
  }],
  model,
  kernel: {
    schema: CLONE3_COMMAND,
    encode(step, k) {
      const flags = bitsOf(CLONE_FLAGS, step.flags, 'clone3 flag').reduce((mask, bit) => mask | bit, BigInt(nsMask(step.namespaces)));
      const has = (flag: CloneFlag): boolean => (step.flags ?? []).includes(flag);
      // Like fork: SIGCHLD, except where clone3 forbids an exit signal (a thread; CLONE_PARENT,
      // whose child takes the caller's own exit signal).
      const exitSignal = step.exitSignal !== undefined ? signalNumber(step.exitSignal) : has('thread') || has('parent') ? 0 : SIGNALS.SIGCHLD;
      // A child without a name still exists (and a fork-style one says hello): it gets an
      // internal name that no step can use.
      return [flags, exitSignal, step.size ?? 'v2', step.setTid ?? [], k.handle(step.pidfd), step.child ?? k.world.anonymousName()];
    },
    async decode([pid], k, step, sent) {
      const has = (flag: CloneFlag): boolean => (step.flags ?? []).includes(flag);
      const kind = has('vm') ? (has('thread') ? 'thread' : 'sleeper') : 'agent';
      await k.world.adoptChild(k.caller, pid as number, kind, sent[5] as string, step.child !== undefined, k.deadline);
      return pid;
    },
  },
  requires: () => ['clone3'],
  random: {
    weight: 3,
    make(r) {
      if (r.world.processes.size >= MAX_PROCESSES) return { op: 'getpid', proc: r.proc };
      const flags: CloneFlag[] = [];
      if (r.bits & 0x200) flags.push(pick(EXTRA_CLONE_FLAGS, r.c));
      if (r.bits & 0x400) flags.push('pidfd');
      if ((r.bits & 0x3800) === 0x3800) flags.push('thread', 'sighand', 'vm');
      const step: Clone3Step = { op: 'clone3', proc: r.proc, child: r.freshName('p'), namespaces: kindsFrom(r.bits), flags };
      if (flags.includes('pidfd')) step.pidfd = r.newHandle;
      if (r.bits & 0x8000) step.exitSignal = pick(['SIGUSR1', 0, 'SIGCHLD', 65] as const, r.b);
      if ((r.bits & 0x4000) && !flags.includes('thread')) step.setTid = [1 + (r.b % 3) * 10 + r.c];
      return step;
    },
  },
};
