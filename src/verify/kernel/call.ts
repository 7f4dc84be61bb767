/**
 * One request to an agent, and what became of it. The agent answers, or — because of what the
 * command itself did (a signal to itself, exit, reboot) or of a signal that reached it — it dies,
 * stops, or is left as an init waiting in its namespace's teardown. A stopped agent answers
 * nothing until continued, so the reply is raced with the process's state from /proc.
 */
import { isStopped, waitsInZap, type Task } from './tasks.js';

export type AgentOutcome =
  | { kind: 'reply'; words: string[] }
  | { kind: 'dead' }
  | { kind: 'stopped' }
  | { kind: 'exiting' };

/** Thrown when an agent neither answers nor dies nor stops in time. */
class AgentTimeout extends Error {
  constructor(task: Task, command: string, ms: number) {
    const state = task.stat()?.state ?? 'gone';
    super(`agent ${JSON.stringify(task.name)} (pid ${task.hostPid}, state ${state}) did not answer '${command.split(' ')[0]}' within ${ms} ms`);
  }
}

function pause(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Send `command` to the agent and wait for its outcome, until `deadline` (Date.now() ms).
 * `world` is every task of the run (to tell an init stuck in its namespace's teardown).
 */
export async function callAgent(task: Task, command: string, deadline: number, world: readonly Task[]): Promise<AgentOutcome> {
  const started = Date.now();
  const link = task.link;
  if (link === null) return { kind: 'dead' };
  const { seq, reply } = link.request(command);
  let outcome: AgentOutcome | undefined;
  const replied = reply.then((words) => {
    outcome ??= { kind: 'reply', words };
  });
  const died = task.died.then(() => {
    outcome ??= { kind: 'dead' };
  });
  try {
    // The usual reply takes a fraction of a millisecond; /proc is looked at only while waiting.
    for (let interval = 1; ; interval = Math.min(interval * 2, 8)) {
      const timer = pause(interval);
      await Promise.race([replied, died, timer.promise]);
      timer.cancel();
      if (outcome !== undefined) return outcome;
      const stat = task.stat();
      if (isStopped(task.hostPid, stat)) return { kind: 'stopped' };
      if (waitsInZap(task, world)) return { kind: 'exiting' };
      if (Date.now() > deadline) throw new AgentTimeout(task, command, Date.now() - started);
    }
  } finally {
    link.forget(seq);
  }
}
