/**
 * /proc/sys/kernel/ns_last_pid: the pid cursor of the reader's own pid namespace; writing it
 * (with CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE over the namespace's owner) picks the next pid.
 */
import type { Scenario } from '../../model/steps.js';

export const scenarios: Scenario[] = [
  {
    name: 'ns_last_pid/read',
    area: 'ns_last_pid',
    description: 'ns_last_pid is the last pid handed out in the reader\'s namespace',
    steps: [
      { op: 'readLastPid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'readLastPid', proc: 'root' },
      { op: 'readLastPid', proc: 'a' },
    ],
  },
  {
    name: 'ns_last_pid/write-picks-next',
    area: 'ns_last_pid',
    description: 'after writing N the next process gets the lowest free pid above N',
    steps: [
      { op: 'writeLastPid', proc: 'root', value: 99 },
      { op: 'readLastPid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'writeLastPid', proc: 'root', value: 1 },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'nspid', proc: 'root', target: 'a' },
      { op: 'nspid', proc: 'root', target: 'b' },
    ],
  },
  {
    name: 'ns_last_pid/write-needs-capability',
    area: 'ns_last_pid',
    description: 'uid 65534 without capabilities may read ns_last_pid but not write it (EPERM, even for an invalid value)',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'setuid', proc: 'a', id: 65534 },
      { op: 'writeLastPid', proc: 'a', value: 50 },
      { op: 'writeLastPid', proc: 'a', value: -1 },
      { op: 'readLastPid', proc: 'a' },
    ],
  },
  {
    name: 'ns_last_pid/write-range',
    area: 'ns_last_pid',
    description: 'values below 0 or above pid_max give EINVAL; 0 is fine (the next pid is the lowest free from 1)',
    steps: [
      { op: 'writeLastPid', proc: 'root', value: -1 },
      { op: 'writeLastPid', proc: 'root', value: 4_194_305 },
      { op: 'readLastPid', proc: 'root' },
      { op: 'writeLastPid', proc: 'root', value: 0 },
      { op: 'readLastPid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'readLastPid', proc: 'root' },
    ],
  },
  {
    name: 'ns_last_pid/per-namespace',
    area: 'ns_last_pid',
    description: 'each pid namespace has its own ns_last_pid: writing it inside a child namespace changes only the numbers there',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'readLastPid', proc: 'a' },
      { op: 'writeLastPid', proc: 'a', value: 10 },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'nspid', proc: 'root', target: 'b' },
      { op: 'readLastPid', proc: 'root' },
      { op: 'readLastPid', proc: 'b' },
    ],
  },
  {
    name: 'ns_last_pid/set-tid-only-reads-minus-one',
    area: 'ns_last_pid',
    description: 'in a namespace whose only pid came from set_tid the cursor has not moved: ns_last_pid reads -1, and the next pid is 2',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'], setTid: [1] },
      { op: 'readLastPid', proc: 'a' },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'readLastPid', proc: 'a' },
      { op: 'getpid', proc: 'b' },
    ],
  },
  {
    name: 'ns_last_pid/owner-user-namespace',
    area: 'ns_last_pid',
    description: 'the init of a pid namespace owned by its own new user namespace may write ns_last_pid there, even as uid 65534 outside',
    steps: [
      { op: 'clone3', proc: 'root', child: 'u' },
      { op: 'setuid', proc: 'u', id: 65534 },
      { op: 'clone3', proc: 'u', child: 'a', namespaces: ['user', 'pid'] },
      { op: 'writeLastPid', proc: 'a', value: 20 },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'getpid', proc: 'b' },
      { op: 'writeLastPid', proc: 'u', value: 20 },
    ],
  },
  {
    name: 'ns_last_pid/threads-count',
    area: 'ns_last_pid',
    description: 'threads take pids from the same counter as processes',
    steps: [
      { op: 'clone3', proc: 'root', child: 't', flags: ['thread', 'sighand', 'vm'] },
      { op: 'readLastPid', proc: 'root' },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'readLastPid', proc: 'root' },
    ],
  },
  {
    name: 'ns_last_pid/int-bounds',
    area: 'ns_last_pid',
    description: 'ns_last_pid written with the ends of int is EINVAL and changes nothing',
    steps: [
      { op: 'writeLastPid', proc: 'root', value: 100 },
      { op: 'writeLastPid', proc: 'root', value: 2147483647 },
      { op: 'writeLastPid', proc: 'root', value: -2147483648 },
      { op: 'readLastPid', proc: 'root' },
    ],
  },
];
