/**
 * One step on the real kernel: the step's descriptor (src/ops/) encodes it as the agent command of
 * its op's name (native/agent/agent.cc), and reads the agent's reply into the StepResult of the
 * op's shape. Pids are resolved by the kernel (the driver's pid-translation ioctls), never from
 * the model; the result is what the kernel said.
 */
import { readFileSync } from 'node:fs';
import { formatCommand, parseReply } from '../../ops/agent-protocol.js';
import type { KernelContext } from '../../ops/descriptor.js';
import { descriptorOf } from '../../ops/table.js';
import type { ErrnoName, Step, StepResult } from '../../model/steps.js';
import { callAgent } from './call.js';
import type { KernelWorld } from './world.js';

const ESRCH: StepResult = { ok: false, errno: 'ESRCH' };

/** Run one step (not settling afterwards). Throws for a driver or agent failure, never for errno. */
export async function runStep(world: KernelWorld, step: Step, deadline: number): Promise<StepResult> {
  const { kernel } = descriptorOf(step);
  if ('local' in kernel) return { ok: true, value: kernel.local(world, step) };
  if (!('proc' in step)) throw new TypeError(`a ${step.op} step has no proc`);
  const caller = world.task(step.proc);
  // A process that cannot run steps (gone, stopped, a sleeper or thread, never created).
  if (caller === undefined || !caller.runnable) return ESRCH;
  const context: KernelContext = {
    world,
    caller,
    deadline,
    handle: (name) => (name === undefined || name === 'closed' ? null : world.handleFd(name)),
    pidFor: (target) => world.pidFor(caller, target),
    procDir: (name) => world.procDir(name),
    hostClock,
  };
  const sent = kernel.encode(step, context);
  const command = formatCommand(step.op, kernel.schema, sent);
  const outcome = await callAgent(caller, command, deadline, world.tasks);
  if (outcome.kind !== 'reply') {
    // Killed or stopped by its own call (a signal to itself, its process group, its own pidfd),
    // or gone by exit / reboot: the system call did what it was asked.
    if (kernel.mayEndCaller === true) return { ok: true };
    throw new Error(`the agent ${outcome.kind === 'dead' ? 'died' : outcome.kind === 'stopped' ? 'was stopped' : 'exited'} while running it`);
  }
  const [status, ...words] = outcome.words;
  if (status === 'err') return { ok: false, errno: words[0] as ErrnoName };
  if (status !== 'ok') throw new Error(`the agent refused '${step.op}': ${words.join(' ') || status}`);
  const reply = parseReply(step.op, kernel.schema, words);
  const value = kernel.decode === undefined ? undefined : await kernel.decode(reply, context, step, sent);
  return value === undefined ? { ok: true } : { ok: true, value };
}

/** The driver's clocks (it is in the host's time namespace): MONOTONIC and BOOTTIME, seconds. */
function hostClock(clock: 'monotonic' | 'boottime'): number {
  if (clock === 'monotonic') return Number(process.hrtime.bigint()) / 1e9;
  return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
}
