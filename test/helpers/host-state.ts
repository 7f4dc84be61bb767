/**
 * What a spawn must leave as it was in this process: the same fds, mounts and namespaces, and no
 * zombie children. The /proc reading itself is in proc-state.mjs, which the fixtures share.
 */
import { spawn as spawnProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { spawn } from '../../src/index.js';
import { hostState, zombieChildren, type HostState } from './proc-state.mjs';

export type { HostState };

/**
 * The state equals `before`. A helper process a test started and stopped is watched through a
 * duplicate of its pidfd that libuv closes one loop turn after the watch ends: the comparison
 * is retried for a bounded number of turns before it counts.
 */
async function expectUnchanged(before: HostState): Promise<void> {
  let now = hostState();
  for (let turn = 0; turn < 200 && JSON.stringify(now) !== JSON.stringify(before); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    now = hostState();
  }
  expect(now.fds, 'open fds').toEqual(before.fds);
  expect(now.mounts, '/proc/self/mountinfo').toBe(before.mounts);
  expect(now.namespaces, 'our namespaces').toEqual(before.namespaces);
  expect(zombieChildren(), 'zombie children').toEqual([]);
}

/**
 * Registers hooks in the calling test file: the host state is taken before each test and must be
 * unchanged after it (expectUnchanged). Returns a function that gives the current test's baseline.
 */
export function expectEachTestLeavesHostUnchanged(): () => HostState {
  let baseline: HostState;
  beforeEach(() => {
    baseline = hostState();
  });
  afterEach(async () => {
    await expectUnchanged(baseline);
  });

  // fds that Node and libuv open once per process on first use (the loop's spare /dev/null fd of
  // the first stream, the SIGCHLD machinery of child_process) must exist before the first baseline.
  beforeAll(async () => {
    const child = spawn('sh', ['-c', 'echo warm'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const closed = once(child, 'close');
    child.stdout.resume();
    await closed;
    child.process!.close();
    const other = spawnProcess('true', { stdio: 'ignore' });
    await once(other, 'close');
  });

  return () => baseline;
}
