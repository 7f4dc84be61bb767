/**
 * What one scenario operation is, everywhere it is used: a descriptor per op (one file each in
 * src/ops/), gathered in the required table of table.ts. Adding an op means writing its
 * descriptor — the step's type, its shape, the model's evaluation, the agent command's schema and
 * how the kernel driver encodes the step and reads the reply, what the host must have, how random
 * sequences make it — and one handler in native/agent/agent.cc. Every side is a required field,
 * so an op without one does not compile.
 */
import type { FeatureName } from '../probe.js';
import type { Shape } from '../model/fields.js';
import type { HandleName, ProcName, Step, Target, Value } from '../model/steps.js';
import type { ModelResult, Process, World } from '../model/world.js';
import type { Task } from '../verify/kernel/tasks.js';
import type { KernelWorld } from '../verify/kernel/world.js';
import type { ArgValue, CommandSchema, ReplyValue } from './agent-protocol.js';

/** What the kernel side of a descriptor may use: the run's world and the calling agent. */
export interface KernelContext {
  /** The run's processes and handles. */
  readonly world: KernelWorld;
  /** The agent that makes the call. */
  readonly caller: Task;
  /** Date.now() by which the step must be done. */
  readonly deadline: number;
  /** The fd number that stands for a handle in every agent; null for 'closed' or none (never open). */
  handle(name: HandleName | undefined): number | null;
  /** The pid of `target` as the caller sees it (the kernel's pid translation, never the model's). */
  pidFor(target: Target): number;
  /** `/proc/<pid>` of a process, as T's proc numbers it. */
  procDir(name: ProcName | undefined): string;
  /** The driver's own clock reading (it is in the host's time namespace), seconds. */
  hostClock(clock: 'monotonic' | 'boottime'): number;
}

/** How the kernel driver runs a step through the agent command of the op's name. */
interface AgentSide<S> {
  /** The command's schema (native/agent/protocol.inc is generated from it). */
  readonly schema: CommandSchema;
  /** The command's argument values, in schema order. */
  encode(step: S, kernel: KernelContext): readonly ArgValue[];
  /** The step's result value from the reply's parsed words (and the arguments sent); omitted: the op has none. */
  decode?(reply: ReplyValue[], kernel: KernelContext, step: S, sent: readonly ArgValue[]): Value | undefined | Promise<Value | undefined>;
  /**
   * The call may end or stop its own caller (a signal to itself, exit, reboot): when the agent
   * dies or stops instead of answering, the call did what it was asked.
   */
  readonly mayEndCaller?: boolean;
}

/** An op the driver answers itself, without an agent (state: the host's view of a process). */
interface DriverSide<S> {
  local(world: KernelWorld, step: S): Value;
}

/** What random generation gets for one abstract step: picks, and the world at that point. */
export interface RandomContext {
  /** Picks: which caller, which target, which variant, which bits (random.ts's AbstractStep). */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly bits: number;
  /** The model's world before the step. */
  readonly world: World;
  /** The caller, by name and as the model's process. */
  readonly proc: ProcName;
  readonly caller: Process;
  /** A named process (any state), picked by `b`. */
  readonly target: ProcName;
  /** The caller's handle names, and one picked by `c` ('closed' when it has none, or for c = 0). */
  readonly handles: readonly HandleName[];
  readonly handle: HandleName;
  /** A fresh handle name, for a step that makes one. */
  readonly newHandle: HandleName;
  /** A fresh process name, for a step that makes one. */
  freshName(prefix: string): string;
}

/** How random sequences make the op: how often among the others, and from what. */
interface RandomSide {
  /** Relative frequency among the ops (0: never generated). */
  readonly weight: number;
  /** The step (possibly of another op, where this one cannot be made here); null ends the sequence. */
  make(random: RandomContext): Step | null;
}

/** One scenario operation, complete. `S` is its step type. */
export interface OpDescriptor<S extends { op: string }> {
  /** The fields a well-formed step has (checked before either backend reads it). */
  readonly shape: Shape | ((step: Readonly<Record<string, unknown>>) => Shape);
  /** The model's evaluation: read the step, change the world as the kernel would, say why. */
  model(world: World, step: S): ModelResult;
  /** The kernel side: an agent command, or the driver itself. */
  readonly kernel: AgentSide<S> | DriverSide<S>;
  /** The probe features the host needs for this step (beyond those of the kinds it names). */
  requires(step: S): readonly FeatureName[];
  /** Random generation. */
  readonly random: RandomSide;
}

/** No feature beyond the kinds' own. */
export const NOTHING_MORE = (): readonly FeatureName[] => [];
