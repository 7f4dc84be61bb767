/**
 * Visibility across pid namespaces: a process sees its own namespace and those below it, never
 * its ancestors or siblings. A pid number means whatever holds it in the caller's namespace.
 */
import type { Scenario } from '../../model/steps.js';

export const scenarios: Scenario[] = [
  {
    name: 'visibility/getppid-zero-across-boundary',
    area: 'visibility',
    description: 'an init\'s parent lives in the parent pid namespace, so getppid() gives 0',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'getppid', proc: 'a' },
      { op: 'getppid', proc: 'root' },
      { op: 'getppid', proc: 'init' },
    ],
  },
  {
    name: 'visibility/ancestor-invisible-to-kill',
    area: 'visibility',
    description: 'kill() of the parent (in an ancestor namespace) gives ESRCH: the number 2 in the child namespace is nobody, then a sibling',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'kill', proc: 'a', target: 'root', signal: 0 },
      { op: 'kill', proc: 'a', target: { pid: 2 }, signal: 0 },
      { op: 'kill', proc: 'a', target: { pid: 1 }, signal: 0 },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'kill', proc: 'a', target: { pid: 2 }, signal: 'SIGTERM' },
      { op: 'wait', proc: 'a', target: 'b' },
      { op: 'state', target: 'root' },
    ],
  },
  {
    name: 'visibility/sibling-namespaces-invisible',
    area: 'visibility',
    description: 'two sibling pid namespaces see nothing of each other; their common parent namespace sees both',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'b', namespaces: ['pid'] },
      { op: 'kill', proc: 'a', target: 'b', signal: 0 },
      { op: 'pidfdOpen', proc: 'b', as: 'h', target: 'a' },
      { op: 'kill', proc: 'root', target: 'a', signal: 0 },
      { op: 'kill', proc: 'root', target: 'b', signal: 0 },
      { op: 'getpid', proc: 'b' },
    ],
  },
  {
    name: 'visibility/descendants-visible',
    area: 'visibility',
    description: 'a process sees the processes of descendant namespaces under their numbers in its own namespace',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'kill', proc: 'root', target: { pid: 4 }, signal: 0 },
      { op: 'nspid', proc: 'root', target: 'b' },
      { op: 'pidfdOpen', proc: 'root', as: 'h', target: 'b' },
      { op: 'pidfdSendSignal', proc: 'root', fd: 'h', signal: 'SIGKILL' },
      { op: 'wait', proc: 'a', target: { pid: 2 } },
    ],
  },
  {
    name: 'visibility/wait-for-invisible-echild',
    area: 'visibility',
    description: 'waitid() for a pid that is nobody in the caller\'s namespace gives ECHILD, and so does P_ALL without children',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'wait', proc: 'a', target: { pid: 2 } },
      { op: 'wait', proc: 'a' },
      { op: 'wait', proc: 'a', target: 'root' },
      { op: 'wait', proc: 'root', target: 'a' },
    ],
  },
  {
    name: 'visibility/nspid-from-inside-shows-outer-levels',
    area: 'visibility',
    description: '/proc (T\'s proc mount) shows every process with its numbers from T down, even to a process in a child namespace reading its own status',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'nspid', proc: 'b' },
      { op: 'nspid', proc: 'b', target: 'root' },
      { op: 'getpid', proc: 'b' },
    ],
  },
  {
    name: 'visibility/unshare-children-do-not-see-caller',
    area: 'visibility',
    description: 'after unshare(CLONE_NEWPID) the caller\'s children live in the new namespace and see it (their parent) as pid 0',
    steps: [
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'getppid', proc: 'a' },
      { op: 'getppid', proc: 'b' },
      { op: 'kill', proc: 'b', target: 'root', signal: 0 },
      { op: 'kill', proc: 'b', target: 'a', signal: 0 },
      { op: 'kill', proc: 'root', target: 'b', signal: 0 },
    ],
  },
  {
    name: 'visibility/handled-signal-from-parent-namespace',
    area: 'visibility',
    description: 'a signal from an ancestor namespace arrives with si_pid 0; from the same namespace with the sender\'s pid there',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'handle', proc: 'b', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'root', target: 'b', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'a', target: 'b', signal: 'SIGUSR1' },
      { op: 'signals', proc: 'b' },
    ],
  },
];
