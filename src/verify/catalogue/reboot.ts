/**
 * reboot(2) inside a child pid namespace: restart kills the namespace's init with its wait status
 * showing SIGHUP, power off and halt with SIGINT; the caller exits with 0. Other commands give
 * EINVAL; without CAP_SYS_BOOT over the namespace's owner, EPERM. (Never from T itself.)
 */
import type { Scenario } from '../../model/steps.js';

export const scenarios: Scenario[] = [
  {
    name: 'reboot/restart-from-member',
    area: 'reboot',
    description: 'reboot(RESTART) by a process inside: the init dies with status SIGHUP, everything in the namespace goes',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'clone3', proc: 'a', child: 'c' },
      { op: 'reboot', proc: 'b', cmd: 'restart' },
      { op: 'state', target: 'c' },
      { op: 'state', target: 'b' },
      { op: 'wait', proc: 'root', target: 'a' },
    ],
  },
  {
    name: 'reboot/power-off-and-halt',
    area: 'reboot',
    description: 'reboot(POWER_OFF) and reboot(HALT) report SIGINT as the init\'s death; RESTART2 reports SIGHUP',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'b', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'c', namespaces: ['pid'] },
      { op: 'reboot', proc: 'a', cmd: 'power_off' },
      { op: 'reboot', proc: 'b', cmd: 'halt' },
      { op: 'reboot', proc: 'c', cmd: 'restart2' },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'wait', proc: 'root', target: 'b' },
      { op: 'wait', proc: 'root', target: 'c' },
    ],
  },
  {
    name: 'reboot/other-commands-einval',
    area: 'reboot',
    description: 'inside a child pid namespace CAD_ON, CAD_OFF give EINVAL, bad magic numbers too; nothing happens',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'reboot', proc: 'a', cmd: 'cad_on' },
      { op: 'reboot', proc: 'a', cmd: 'cad_off' },
      { op: 'reboot', proc: 'a', cmd: 'bad-magic' },
      { op: 'state', target: 'a' },
      { op: 'getpid', proc: 'a' },
    ],
  },
  {
    name: 'reboot/unprivileged-eperm',
    area: 'reboot',
    description: 'without CAP_SYS_BOOT over the pid namespace\'s owner reboot gives EPERM — before the magic numbers are looked at',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'setuid', proc: 'b', id: 65534 },
      { op: 'reboot', proc: 'b', cmd: 'restart' },
      { op: 'reboot', proc: 'b', cmd: 'bad-magic' },
      { op: 'state', target: 'a' },
    ],
  },
  {
    name: 'reboot/caller-exits-zero',
    area: 'reboot',
    description: 'the caller of reboot exits with status 0; when its parent is outside the namespace it stays a zombie, and the init waits for it before it is a zombie itself',
    steps: [
      { op: 'unshare', proc: 'root', namespaces: ['pid'] },
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'clone3', proc: 'root', child: 'b' },
      { op: 'reboot', proc: 'b', cmd: 'restart' },
      { op: 'wait', proc: 'root', target: 'a' },
      { op: 'wait', proc: 'root', target: 'b' },
      { op: 'wait', proc: 'root', target: 'a' },
    ],
  },
  {
    name: 'reboot/nested-namespace-only',
    area: 'reboot',
    description: 'reboot in a nested pid namespace ends only that namespace, not its parent',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b', namespaces: ['pid'] },
      { op: 'clone3', proc: 'b', child: 'c' },
      { op: 'reboot', proc: 'c', cmd: 'halt' },
      { op: 'wait', proc: 'a', target: 'b' },
      { op: 'state', target: 'a' },
      { op: 'getpid', proc: 'a' },
    ],
  },
  {
    name: 'reboot/owner-user-namespace',
    area: 'reboot',
    description: 'CAP_SYS_BOOT is checked in the user namespace owning the pid namespace: a uid-65534 process\'s child with its own user and pid namespaces may reboot it',
    steps: [
      { op: 'clone3', proc: 'root', child: 'u' },
      { op: 'setuid', proc: 'u', id: 65534 },
      { op: 'clone3', proc: 'u', child: 'a', namespaces: ['user', 'pid'] },
      { op: 'clone3', proc: 'a', child: 'b' },
      { op: 'reboot', proc: 'b', cmd: 'power_off' },
      { op: 'wait', proc: 'u', target: 'a' },
    ],
  },
  {
    name: 'reboot/user-namespace-without-pid-namespace',
    area: 'reboot',
    description: 'capabilities in a new user namespace do not cover a pid namespace owned by its parent: EPERM',
    steps: [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'clone3', proc: 'a', child: 'b', namespaces: ['user'] },
      { op: 'reboot', proc: 'b', cmd: 'restart' },
      { op: 'state', target: 'a' },
    ],
  },
];
