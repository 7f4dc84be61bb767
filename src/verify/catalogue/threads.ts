/**
 * Threads (clone3 CLONE_THREAD) and memory-sharing sleepers (CLONE_VM): a thread has a pid of its
 * own at every level, signals to its tid reach its process, and exit_group ends them all.
 */
import type { Scenario } from '../../model/steps.js';

const THREAD = ['thread', 'sighand', 'vm'] as const;

export const scenarios: Scenario[] = [
  {
    name: 'threads/thread-pids-at-every-level',
    area: 'threads',
    description: 'a thread in a child pid namespace has a tid there and one in T (its NSpid), and takes those numbers from the next process',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'nspid', proc: 'root', target: 't' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'nspid', proc: 'root', target: 'b' },
      { op: 'nspid', proc: 'root', target: 'a' },
    ],
  },
  {
    name: 'threads/exit-group-ends-threads',
    area: 'threads',
    description: 'exit_group ends every thread; their tids are free at once, the process waits as a zombie',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'exit', proc: 'a', code: 0 },
      { op: 'state', target: 't' },
      { op: 'state', target: 'a' },
      { op: 'kill', proc: 'root', target: { pid: 4 }, signal: 0 },
      { op: 'nspid', proc: 'root', target: 't' },
      { op: 'wait', proc: 'root', target: 'a' },
    ],
  },
  {
    name: 'threads/kill-by-tid-reaches-process',
    area: 'threads',
    description: 'kill() of a thread id signals the whole process: a handled signal runs its handler, a fatal one ends it',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'handle', proc: 'a', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'kill', proc: 'root', target: 't', signal: 'SIGUSR1' },
      { op: 'signals', proc: 'a' },
      { op: 'kill', proc: 'root', target: 't', signal: 'SIGTERM' },
      { op: 'wait', proc: 'root', target: 'a' },
    ],
  },
  {
    name: 'threads/wait-for-tid-echild',
    area: 'threads',
    description: 'waitid(P_PID) with a thread id gives ECHILD: only processes are waited for',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'wait', proc: 'root', target: 't' },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'clone3', proc: 'root', child: 'u', flags: [...THREAD] },
      { op: 'wait', proc: 'root', target: 'u' },
    ],
  },
  {
    name: 'threads/no-thread-after-unshare',
    area: 'threads',
    description: 'CLONE_THREAD needs pid_for_children to be the caller\'s own pid namespace: EINVAL after unshare(CLONE_NEWPID)',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'unshare', proc: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'clone3', proc: 'a', child: 'u', flags: [...THREAD] },
      { op: 'getpid', proc: 'b' },
    ],
  },
  {
    name: 'threads/pidfd-of-thread',
    area: 'threads',
    description: 'a PIDFD_THREAD pidfd of a thread signals while the thread lives and gives ESRCH after its process exited',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'pidfdOpen', proc: 'root', as: 'h', target: 't', flags: ['thread'] },
      { op: 'pidfdSendSignal', proc: 'root', fd: 'h', signal: 0 },
      { op: 'exit', proc: 'a', code: 3 },
      { op: 'pidfdSendSignal', proc: 'root', fd: 'h', signal: 0 },
      { op: 'wait', proc: 'root' },
    ],
  },
  {
    name: 'threads/stop-stops-every-thread',
    area: 'threads',
    description: 'SIGSTOP stops the whole thread group, SIGCONT continues it',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'a', child: 't', flags: [...THREAD] },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGSTOP' },
      { op: 'state', target: 't' },
      { op: 'kill', proc: 'root', target: 'a', signal: 'SIGCONT' },
      { op: 'state', target: 't' },
    ],
  },
  {
    name: 'threads/set-tid-for-thread',
    area: 'threads',
    description: 'set_tid works for a thread too',
    steps: [
      { op: 'clone3', proc: 'root', child: 't', flags: [...THREAD], setTid: [30] },
      { op: 'kill', proc: 'root', target: { pid: 30 }, signal: 0 },
      { op: 'nspid', proc: 'root', target: 't' },
      { op: 'readLastPid', proc: 'root' },
    ],
  },
  {
    name: 'threads/sleeper-process',
    area: 'threads',
    description: 'a CLONE_VM child without CLONE_THREAD is a process of its own: it runs no steps here but can be signalled and waited for',
    steps: [
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'] },
      { op: 'getpid', proc: 's' },
      { op: 'state', target: 's' },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGTERM' },
      { op: 'wait', proc: 'root', target: 's' },
    ],
  },
  {
    name: 'threads/sleeper-inherits-handlers',
    area: 'threads',
    description: 'a CLONE_VM child inherits its parent\'s handlers: a handled signal does not kill it',
    steps: [
      { op: 'handle', proc: 'root', signal: 'SIGUSR1' },
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'] },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGUSR1' },
      { op: 'state', target: 's' },
      { op: 'signals', proc: 'root' },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGUSR2' },
      { op: 'wait', proc: 'root', target: 's' },
    ],
  },
  {
    name: 'threads/sleeper-in-new-pid-namespace',
    area: 'threads',
    description: 'a CLONE_VM child can be the init of a new pid namespace; killing it from the parent namespace works',
    steps: [
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm'], namespaces: ['pid'] },
      { op: 'nspid', proc: 'root', target: 's' },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGTERM' },
      { op: 'state', target: 's' },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGKILL' },
      { op: 'wait', proc: 'root', target: 's' },
    ],
  },
  {
    name: 'threads/sleeper-shares-handlers-with-sighand',
    area: 'threads',
    description: 'with CLONE_SIGHAND a CLONE_VM child shares its parent\'s handler table: a handler installed later covers it too; without, it keeps its copy',
    steps: [
      { op: 'clone3', proc: 'root', child: 's', flags: ['vm', 'sighand'] },
      { op: 'clone3', proc: 'root', child: 'v', flags: ['vm'] },
      { op: 'handle', proc: 'root', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'root', target: 's', signal: 'SIGUSR1' },
      { op: 'kill', proc: 'root', target: 'v', signal: 'SIGUSR1' },
      { op: 'state', target: 's' },
      { op: 'wait', proc: 'root', target: 'v' },
    ],
  },
  {
    // Found by nsbridge verify --area random --seed 3 (shrunk).
    name: 'threads/clone-fs-thread-blocks-mnt-join',
    area: 'threads',
    description: 'a thread made with CLONE_FS shares the fs_struct, so setns(mnt) by its process is EINVAL; one made without it does not count',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: [] },
      { op: 'openNs', proc: 'a', as: 'mnt', target: 'root', entry: 'mnt' },
      { op: 'clone3', proc: 'a', child: 't1', flags: ['thread', 'sighand', 'vm'] },
      { op: 'setns', proc: 'a', fd: 'mnt', namespaces: ['mnt'] },
      { op: 'clone3', proc: 'a', child: 't2', flags: ['thread', 'sighand', 'vm', 'fs'] },
      { op: 'setns', proc: 'a', fd: 'mnt', namespaces: ['mnt'] },
      { op: 'nsId', proc: 'a', entry: 'mnt' },
    ],
  },
  {
    // Found by npm run fuzz (nsbridge verify --area random --seed 1009, shrunk): a driver fix, see
    // THREAD_RELEASE_MS in src/verify/kernel/settle.ts.
    name: 'threads/exited-thread-pid-is-free',
    area: 'threads',
    description: "exit_group frees a thread's pid number: with ns_last_pid set just below it, the next clone3 gets that very number",
    steps: [
      { op: 'clone3', proc: 'root', child: 't', flags: ['thread', 'sighand', 'vm'] },
      { op: 'writeLastPid', proc: 'init', value: 2 },
      { op: 'exit', proc: 'root', code: 0 },
      { op: 'clone3', proc: 'init', child: 'c', namespaces: [] },
      { op: 'state', target: 't' },
      { op: 'getpid', proc: 'c' },
    ],
  },
  {
    // Found by npm run fuzz (nsbridge verify --area random --seed 2084, shrunk)
    name: 'threads/thread-own-mount-namespace',
    area: 'threads',
    description: "clone3(CLONE_THREAD | CLONE_NEWNS) gives the thread a mount namespace of its own: /proc/<tid>/ns shows it, and setns with the thread's pidfd joins it (not the process's)",
    steps: [
      { op: 'unshare', proc: 'init', namespaces: ['cgroup', 'user'] },
      { op: 'clone3', proc: 'init', child: 't', namespaces: ['cgroup', 'mnt'], flags: [...THREAD, 'pidfd'], pidfd: 'h' },
      { op: 'nsId', proc: 'init', entry: 'mnt' },
      { op: 'nsId', proc: 'init', target: 't', entry: 'mnt' },
      { op: 'nsId', proc: 'init', entry: 'cgroup' },
      { op: 'nsId', proc: 'init', target: 't', entry: 'cgroup' },
      { op: 'setns', proc: 'init', fd: 'h', namespaces: ['mnt'] },
      { op: 'nsId', proc: 'init', entry: 'mnt' },
      { op: 'clone3', proc: 'init', child: 'b', namespaces: ['cgroup'] },
      { op: 'nsId', proc: 'init', target: 'b', entry: 'mnt' },
    ],
  },
  {
    // Found by npm run fuzz (nsbridge verify --area random --seed 2084, shrunk): the other ways a
    // thread's own nsproxy shows.
    name: 'threads/thread-own-namespaces-every-kind',
    area: 'threads',
    description: "a thread made with CLONE_NEWUTS/IPC/NET/CGROUP/TIME gets those namespaces (time: only its time_for_children; user and pid stay the process's); a pidfd join takes them from the thread",
    steps: [
      { op: 'clone3', proc: 'root', child: 't', namespaces: ['uts', 'ipc', 'net', 'cgroup', 'time'], flags: [...THREAD, 'pidfd'], pidfd: 'h' },
      { op: 'nsId', proc: 'root', entry: 'uts' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'uts' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'ipc' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'net' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'cgroup' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'time' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'time_for_children' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'pid_for_children' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'user' },
      { op: 'setns', proc: 'root', fd: 'h', namespaces: ['uts', 'ipc', 'net', 'cgroup'] },
      { op: 'nsId', proc: 'root', entry: 'uts' },
      { op: 'nsId', proc: 'root', entry: 'ipc' },
      { op: 'nsId', proc: 'root', entry: 'net' },
      { op: 'nsId', proc: 'root', entry: 'cgroup' },
    ],
  },
  {
    // Found by npm run fuzz (nsbridge verify --area random --seed 2084, shrunk): the other ways a
    // thread's own nsproxy shows.
    name: 'threads/thread-own-time-offsets',
    area: 'threads',
    description: "a thread made with CLONE_NEWTIME has a time_for_children of its own: /proc/<tid>/timens_offsets writes and reads that one, the process's stays as it was",
    steps: [
      { op: 'clone3', proc: 'root', child: 't', namespaces: ['time'], flags: [...THREAD] },
      { op: 'writeTimeOffsets', proc: 'root', target: 't', offsets: [{ clock: 'monotonic', seconds: 100 }] },
      { op: 'readTimeOffsets', proc: 'root', target: 't' },
      { op: 'readTimeOffsets', proc: 'root', target: 'root' },
      { op: 'clockOffset', proc: 'root', clock: 'monotonic' },
    ],
  },
  {
    // Found by npm run fuzz (nsbridge verify --area random --seed 2084, shrunk): the other ways a
    // thread's own nsproxy shows.
    name: 'threads/thread-keeps-namespaces-after-unshare',
    area: 'threads',
    description: "unshare by a process switches only the calling task's nsproxy: its thread stays in the old namespaces, and setns with the thread's pidfd goes back to them",
    steps: [
      { op: 'clone3', proc: 'root', child: 't', flags: [...THREAD, 'pidfd'], pidfd: 'h' },
      { op: 'unshare', proc: 'root', namespaces: ['uts', 'net', 'time'] },
      { op: 'nsId', proc: 'root', entry: 'uts' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'uts' },
      { op: 'nsId', proc: 'root', entry: 'time_for_children' },
      { op: 'nsId', proc: 'root', target: 't', entry: 'time_for_children' },
      { op: 'setns', proc: 'root', fd: 'h', namespaces: ['uts', 'net'] },
      { op: 'nsId', proc: 'root', entry: 'uts' },
      { op: 'nsId', proc: 'root', entry: 'net' },
    ],
  },
];
