/**
 * A process tree in nested namespaces for the listing tests, started with nsbridge's spawn():
 *   outer:  sh, pid 1 of new user + pid namespaces A (root mapped to us), which runs
 *   middle: unshare(1) (pid 2 in A), which moves itself into a new user namespace B, makes pid
 *           namespace B its pid_for_children, and forks
 *   inner:  `sleep 1000`, pid 3 in A and pid 1 in B.
 * NSpid of inner: [host pid, 3, 1]. stop() kills them all and waits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from '../../src/index.js';

export interface Nested {
  outerPid: number;
  middlePid: number;
  innerPid: number;
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      /* exited */
    }
  }
  return out;
}

export async function startNested(): Promise<Nested> {
  const outer = spawn('sh', ['-c', 'unshare --user --map-root-user --pid --fork sleep 1000; exit 0'], {
    namespaces: ['user', 'pid'],
    mapRootUser: true,
    stdio: 'ignore',
  });
  await outer.ready;
  let middle: number | undefined;
  let inner: number | undefined;
  for (let i = 0; i < 300 && inner === undefined; i++) {
    [middle] = childrenOf(outer.pid!);
    const [kid] = middle === undefined ? [] : childrenOf(middle);
    // The fork exists before it execs sleep: wait for the exec.
    if (kid !== undefined && readFileSync(`/proc/${kid}/comm`, 'latin1').trim() === 'sleep') inner = kid;
    else await new Promise((r) => setTimeout(r, 10));
  }
  if (inner === undefined || middle === undefined) throw new Error('the nested sleep did not start');
  return {
    outerPid: outer.pid!,
    middlePid: middle,
    innerPid: inner,
    async stop() {
      // SIGKILL to pid 1 of namespace A kills everything in A and below.
      outer.kill('SIGKILL');
      await outer.exited;
    },
  };
}
