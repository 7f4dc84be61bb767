/**
 * Settling after a step, so that the next step (and the result of a `state` step) does not depend
 * on timing. A step's system call returns before everything it caused has happened: a signal is
 * delivered (handler run, process stopped, killed) when its target next runs, a death reparents
 * children and notifies the parent (SIGCHLD) in the dying task's own exit path, and an init's
 * death kills its whole pid namespace. The world is at rest when
 *   - every live agent has answered a ping sent after the step (so every signal pending for it
 *     was acted on first: signals are handled before a blocked read returns to user space), or is
 *     dead (its pidfd is readable: exit_notify is done, the zombie is visible to wait), or stopped
 *     (/proc state T), or is an init waiting in zap_pid_ns_processes for outside zombies;
 *   - every sleeper and thread sleeps, is stopped, or is dead (a running one is handling a
 *     signal or dying);
 *   - and a whole round of that saw no task change (a death in one round can signal a parent that
 *     had already answered: the next round's ping comes after that SIGCHLD).
 */
import { callAgent } from './call.js';
import { isAsleep, isExiting, isStopped, waitsInZap, type Task } from './tasks.js';
import type { KernelWorld } from './world.js';

function fingerprint(world: KernelWorld): string {
  return world.tasks.map((t) => `${t.dead ? 'd' : ''}${t.stopped ? 's' : ''}${t.exiting ? 'x' : ''}`).join(',');
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A thread that exits last in its group wakes the leader's parent and pidfd pollers (release_task →
 * do_notify_parent) before it frees its own pid number (free_pids, after tasklist_lock is dropped
 * and /proc is flushed). Nothing in user space shows that moment, so after a thread's death the
 * driver gives the dying thread time to finish before the next step can allocate a pid. Found by
 * `npm run fuzz` (seed 1009): a clone3 right after such a death got the next pid half the time.
 */
const THREAD_RELEASE_MS = 10;

/** Dead threads per world as of its last settle (a higher count now: a thread died in this step). */
const deadThreadsSeen = new WeakMap<KernelWorld, number>();
const deadThreads = (world: KernelWorld): number => world.tasks.filter((task) => task.kind === 'thread' && task.dead).length;

export async function settle(world: KernelWorld, deadline: number): Promise<void> {
  for (let round = 0; round < 32; round++) {
    const before = fingerprint(world);
    await Promise.all(world.tasks.map((task) => (task.kind === 'agent' ? settleAgent(task, world.tasks, deadline) : settleSleeper(task, world.tasks, deadline))));
    if (fingerprint(world) === before) {
      // init's parent is the driver (outside the world), which reaps it as soon as it dies:
      // wait for that too, so init's `state` is 'gone' at once, not after some event-loop turns.
      if (world.tasks[0]?.dead) await world.init.exited.catch(() => {});
      const dead = deadThreads(world);
      if (dead > (deadThreadsSeen.get(world) ?? 0)) await pause(THREAD_RELEASE_MS);
      deadThreadsSeen.set(world, dead);
      return;
    }
  }
  throw new Error('the processes did not come to rest after 32 rounds');
}

async function settleAgent(task: Task, tasks: readonly Task[], deadline: number): Promise<void> {
  if (task.dead || task.link === null) return;
  if (task.exiting) {
    // Still waiting, or on its way out now that a step reaped the zombies it waited for.
    await untilDeadOr(task, deadline, () => waitsInZap(task, tasks));
    return;
  }
  if (task.stopped) {
    if (isStopped(task.hostPid, task.stat())) return;
    task.stopped = false; // continued (SIGCONT, or SIGKILL on its way)
  }
  if (task.link.eof) {
    // Its fd table is gone: it is exiting. Dead soon, or an init stuck in its namespace's teardown.
    await untilDeadOr(task, deadline, () => {
      task.exiting = waitsInZap(task, tasks);
      return task.exiting;
    });
    return;
  }
  const outcome = await callAgent(task, 'ping', deadline, tasks);
  if (outcome.kind === 'stopped') task.stopped = true;
  if (outcome.kind === 'exiting') task.exiting = true;
}

async function settleSleeper(task: Task, tasks: readonly Task[], deadline: number): Promise<void> {
  if (task.dead) return;
  await untilDeadOr(task, deadline, (stat) => {
    // A thread that is gone from /proc has exited with its process (its pidfd is readable now).
    if (stat === null || !isAsleep(task.hostPid)) return false;
    task.stopped = isStopped(task.hostPid, stat);
    // A CLONE_VM sleeper can be a pid namespace's init, and wait in its teardown like an agent.
    return !isExiting(stat) || waitsInZap(task, tasks);
  });
}

/** Poll /proc until the task is dead or `rests` says it is at rest. */
async function untilDeadOr(task: Task, deadline: number, rests: (stat: ReturnType<Task['stat']>) => boolean): Promise<void> {
  for (let interval = 0; !task.dead; interval = Math.min(interval + 1, 4)) {
    if (rests(task.stat())) return;
    if (Date.now() > deadline) {
      throw new Error(`${task.kind} ${JSON.stringify(task.name)} (pid ${task.hostPid}, state ${task.stat()?.state ?? 'gone'}) did not come to rest`);
    }
    await Promise.race([task.died, pause(interval)]);
  }
}
