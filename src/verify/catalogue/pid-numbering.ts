/**
 * Pid numbering: one number per pid-namespace level, pid 1 for a new namespace's first process,
 * and cyclic allocation — the next pid is the lowest free one above the last handed out, not the
 * lowest free one overall.
 */
import type { Scenario, Step } from '../../model/steps.js';

/** root, then a chain of processes each creating the next in a new pid namespace: p1 … p<count>. */
function nestedChain(count: number): Step[] {
  const steps: Step[] = [];
  for (let i = 1; i <= count; i++) steps.push({ op: 'clone3', proc: i === 1 ? 'root' : `p${i - 1}`, child: `p${i}`, namespaces: ['pid'] });
  return steps;
}

export const scenarios: Scenario[] = [
  {
    name: 'pid-numbering/new-namespace-first-is-pid-1',
    area: 'pid-numbering',
    description: 'the first process of a new pid namespace is pid 1 there and has a second number in the parent namespace',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'getpid', proc: 'a' },
      { op: 'nspid', proc: 'root', target: 'a' },
      { op: 'nspid', proc: 'a' },
      { op: 'getpid', proc: 'root' },
    ],
  },
  {
    name: 'pid-numbering/second-process-is-pid-2',
    area: 'pid-numbering',
    description: 'the namespace\'s next processes are numbered from 2 on, each with its own number in every ancestor namespace',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'clone3', proc: 'a', child: 'c' },
      { op: 'getpid', proc: 'b' },
      { op: 'getpid', proc: 'c' },
      { op: 'nspid', proc: 'root', target: 'c' },
      { op: 'getppid', proc: 'c' },
    ],
  },
  {
    name: 'pid-numbering/cyclic-not-lowest-free',
    area: 'pid-numbering',
    description: 'a reaped pid is not reused at once: the next pid is above the last one handed out (idr_alloc_cyclic), not the lowest free one',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'clone3', proc: 'root', child: 'c' },
      { op: 'nspid', proc: 'root', target: 'c' },
      { op: 'readLastPid', proc: 'root' },
    ],
  },
  {
    name: 'pid-numbering/cyclic-inside-namespace',
    area: 'pid-numbering',
    description: 'cyclic allocation holds in a child pid namespace too: a reaped pid 2 is skipped for pid 3',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'wait', proc: 'a' },
      { op: 'clone3', proc: 'a', child: 'c' },
      { op: 'getpid', proc: 'c' },
      { op: 'nspid', proc: 'c' },
    ],
  },
  {
    name: 'pid-numbering/levels-count-independently',
    area: 'pid-numbering',
    description: 'each level has its own counter: processes created in T between two in a child namespace take T numbers only',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'clone3', proc: 'root', child: 'x' },
      { op: 'clone3', proc: 'root', child: 'y' },
      { op: 'clone3', proc: 'a', child: 'c' },
      { op: 'nspid', proc: 'root', target: 'b' },
      { op: 'nspid', proc: 'root', target: 'c' },
      { op: 'readLastPid', proc: 'a' },
      { op: 'readLastPid', proc: 'root' },
    ],
  },
  {
    name: 'pid-numbering/three-levels',
    area: 'pid-numbering',
    description: 'a process three pid namespaces down has a number at every level (NSpid lists them outermost first)',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b', namespaces: ['pid'] },
      { op: 'clone3', proc: 'b', child: 'c', namespaces: ['pid'] },
      { op: 'clone3', proc: 'c', child: 'd' },
      { op: 'nspid', proc: 'd' },
      { op: 'nspid', proc: 'a', target: 'd' },
      { op: 'getpid', proc: 'd' },
      { op: 'getppid', proc: 'd' },
      { op: 'getppid', proc: 'c' },
    ],
  },
  {
    name: 'pid-numbering/nesting-limit-enospc',
    area: 'pid-numbering',
    description: 'pid namespaces nest 32 levels below the initial one: from T (level 1) 31 nested clone3(CLONE_NEWPID) succeed, the 32nd gives ENOSPC; a plain clone3 at the deepest level still works',
    steps: [
      ...nestedChain(32),
      { op: 'getpid', proc: 'p31' },
      { op: 'clone3', proc: 'p31', child: 'leaf' },
      { op: 'getpid', proc: 'leaf' },
      { op: 'nspid', proc: 'p1', target: 'leaf' },
    ],
  },
  {
    name: 'pid-numbering/unshare-second-clone-is-pid-2',
    area: 'pid-numbering',
    description: 'after unshare(CLONE_NEWPID) the caller keeps its pid; its first child is pid 1 of the new namespace, its second child pid 2',
    steps: [
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'getpid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'getpid', proc: 'a' },
      { op: 'getpid', proc: 'b' },
      { op: 'nspid', proc: 'root', target: 'b' },
      { op: 'getppid', proc: 'b' },
    ],
  },
  {
    name: 'pid-numbering/zombie-keeps-its-pid',
    area: 'pid-numbering',
    description: 'a zombie holds its pid at every level until it is reaped: set_tid for that number gives EEXIST until then',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'exit', proc: 'b', code: 0 },
      { op: 'clone3', proc: 'a', child: 'c', setTid: [2] },
      { op: 'wait', proc: 'a', target: 'b' },
      { op: 'clone3', proc: 'a', child: 'd', setTid: [2] },
      { op: 'getpid', proc: 'd' },
    ],
  },
];
