/**
 * The kernel side of the cross-check: a scenario's steps performed by real processes on the
 * running kernel, one StepResult per step, in the shapes src/model/steps.ts gives. The driver
 * never consults the model: every pid, namespace and state in a result is what the kernel said.
 *
 * How (details in kernel/*.ts and native/agent/agent.cc):
 *   - every scenario process is a single-threaded agent process, driven over a Unix socket;
 *     'init' is started by spawn() as pid 1 of a fresh pid namespace T with its own mount
 *     namespace and /proc, 'root' is its clone; every other process is a clone3 by an agent;
 *   - a step's pids are translated for the caller by the kernel (pid-translation ioctls on the
 *     caller's pid namespace); a target the caller cannot see becomes a pid no task has;
 *   - after each step the world settles (signals acted on, deaths complete) so results do not
 *     depend on timing;
 *   - teardown kills init from outside, which ends everything in T; it also runs when a step
 *     times out, an agent fails, or the caller throws, and init is killed by the kernel if the
 *     driver's process dies first (PR_SET_PDEATHSIG).
 *
 * Requires root (CAP_SYS_ADMIN for the new pid and mount namespaces) and the agent built next to
 * the addon (build/Release/nsbridge-agent by `npx node-gyp rebuild`).
 */
import type { Step, StepResult } from '../model/steps.js';
import { runStep } from './kernel/ops.js';
import { settle } from './kernel/settle.js';
import { KernelWorld } from './kernel/world.js';

export interface KernelRunOptions {
  /**
   * How long one step may take, settling included, before the run fails (an agent that neither
   * answers nor dies nor stops). Default 5000 ms.
   */
  stepTimeoutMs?: number;
  /** Called before each step (debugging and the driver's own tests). */
  beforeStep?: (index: number, info: KernelRunInfo) => void | Promise<void>;
}

interface KernelRunInfo {
  /** The private directory of the agents' socket: every agent's command line contains it. */
  socketDir: string;
  /** init's pid in the driver's pid namespace. */
  initPid: number;
  /** The pid in the driver's pid namespace of the latest task of that name (while the run lasts). */
  hostPid(name: string): number | undefined;
}

export interface KernelRun {
  /** One per step. */
  results: StepResult[];
  info: KernelRunInfo;
  /** Wall-clock milliseconds: world setup, the steps (settling included), teardown. */
  timings: { setupMs: number; stepsMs: number; teardownMs: number };
}

const DEFAULT_STEP_TIMEOUT_MS = 5000;

export async function runOnKernel(steps: readonly Step[], options: KernelRunOptions = {}): Promise<KernelRun> {
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const t0 = performance.now();
  const world = await KernelWorld.start(stepTimeoutMs);
  const info: KernelRunInfo = { socketDir: world.server.dir, initPid: world.init.pid!, hostPid: (name) => world.task(name)?.hostPid };
  const t1 = performance.now();
  const results: StepResult[] = [];
  let t2: number;
  try {
    for (const [index, step] of steps.entries()) {
      await options.beforeStep?.(index, info);
      try {
        results.push(await runStep(world, step, Date.now() + stepTimeoutMs));
        await settle(world, Date.now() + stepTimeoutMs);
      } catch (cause) {
        const by = 'proc' in step ? ` by ${JSON.stringify(step.proc)}` : '';
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new Error(`nsbridge kernel driver: step ${index} (${step.op}${by}): ${reason}${world.stderrNote()}`, { cause });
      }
    }
    t2 = performance.now();
  } finally {
    await world.teardown();
  }
  const t3 = performance.now();
  return { results, info, timings: { setupMs: t1 - t0, stepsMs: t2 - t1, teardownMs: t3 - t2 } };
}
