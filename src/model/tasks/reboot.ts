/**
 * reboot(2) inside a pid namespace other than the initial one (kernel/reboot.c + kernel/pid_namespace.c
 * reboot_pid_ns): restart / power off / halt kill the namespace's init, whose wait status then
 * shows SIGHUP (restart) or SIGINT (power off, halt), and the caller exits with status 0.
 */
import { proc } from '../access.js';
import { capableIn } from '../creds.js';
import { check, defineRule, success } from '../rules.js';
import type { ModelResult, World } from '../world.js';
import { exitProcess } from './lifecycle.js';
import { activePidNs } from './lookup.js';
import { SIGHUP, SIGINT, SIGKILL } from './signal-table.js';
import type { RebootStep } from '../../ops/reboot.js';

const RULE_REBOOT_NO_CAP = defineRule({
  id: 'reboot.needs-cap-sys-boot',
  calls: ['reboot'],
  errno: 'EPERM',
  kinds: ['pid', 'user'],
  reason: 'reboot: the caller lacks CAP_SYS_BOOT in the user namespace that owns its pid namespace',
  source: 'kernel/reboot.c: "if (!ns_capable(pid_ns->user_ns, CAP_SYS_BOOT)) return -EPERM" (checked before the magic numbers)',
});

const RULE_REBOOT_BAD_MAGIC = defineRule({
  id: 'reboot.bad-magic',
  calls: ['reboot'],
  errno: 'EINVAL',
  reason: 'reboot: the magic numbers are wrong',
  source: 'kernel/reboot.c: magic1 != LINUX_REBOOT_MAGIC1 || magic2 not one of the four MAGIC2 values',
});

const RULE_REBOOT_CMD_IN_CHILD_NS = defineRule({
  id: 'reboot.command-in-child-pid-namespace',
  calls: ['reboot'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'reboot: inside a child pid namespace only RESTART, RESTART2, POWER_OFF and HALT mean something (they end the namespace); CAD_ON / CAD_OFF and the rest give EINVAL',
  source: 'kernel/pid_namespace.c reboot_pid_ns: "default: return -EINVAL"',
});

const RULE_REBOOT_RESTART = defineRule({
  id: 'reboot.restart-kills-namespace',
  calls: ['reboot'],
  errno: null,
  kinds: ['pid'],
  reason: 'reboot(RESTART/RESTART2) in a child pid namespace: its init is killed (its wait status shows SIGHUP) and the caller exits with status 0',
  source: 'kernel/pid_namespace.c reboot_pid_ns: pid_ns->reboot = SIGHUP; send_sig(SIGKILL, child_reaper); do_exit(0); zap_pid_ns_processes sets group_exit_code = pid_ns->reboot',
});

const RULE_REBOOT_POWER_OFF = defineRule({
  id: 'reboot.power-off-kills-namespace',
  calls: ['reboot'],
  errno: null,
  kinds: ['pid'],
  reason: 'reboot(POWER_OFF/HALT) in a child pid namespace: its init is killed (its wait status shows SIGINT) and the caller exits with status 0',
  source: 'kernel/pid_namespace.c reboot_pid_ns: pid_ns->reboot = SIGINT',
});

export function reboot(world: World, step: RebootStep): ModelResult {
  const caller = proc(world, step.proc);
  const ns = activePidNs(world, caller);
  check(ns.owner !== null && capableIn(world, caller.cred, ns.owner), RULE_REBOOT_NO_CAP);
  check(step.cmd !== 'bad-magic', RULE_REBOOT_BAD_MAGIC);
  const restart = step.cmd === 'restart' || step.cmd === 'restart2';
  check(restart || step.cmd === 'power_off' || step.cmd === 'halt', RULE_REBOOT_CMD_IN_CHILD_NS, step.cmd);
  if (ns.opaque || ns.init === null) throw new Error('reboot(2) in the host\'s pid namespace is not modelled');
  ns.rebootSignal = restart ? SIGHUP : SIGINT;
  const init = proc(world, ns.init);
  // send_sig(SIGKILL, init, 1) then do_exit(0): the caller is past PF_EXITING before the init's
  // teardown can reach it, so its own status stays 0.
  if (caller !== init) exitProcess(world, caller, { code: 0 });
  exitProcess(world, init, { signal: SIGKILL });
  return success(restart ? RULE_REBOOT_RESTART : RULE_REBOOT_POWER_OFF);
}
