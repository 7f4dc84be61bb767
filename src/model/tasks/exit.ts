/** exit_group(2) as a step: the process and all its threads exit (see lifecycle.ts for what follows). */
import { proc } from '../access.js';
import { defineRule, success } from '../rules.js';
import type { ModelResult, World } from '../world.js';
import { exitProcess } from './lifecycle.js';
import { activePidNs } from './lookup.js';
import type { ExitStep } from '../../ops/exit.js';

const RULE_EXIT = defineRule({
  id: 'exit.exit-group',
  calls: ['exit_group'],
  errno: null,
  reason: 'exit_group: every thread exits; the children go to the nearest living subreaper in the same pid namespace, else to its init, with SIGCHLD as their exit signal; the parent gets the exit signal',
  source: 'kernel/exit.c do_group_exit → do_exit → exit_notify (forget_original_parent, find_new_reaper, do_notify_parent); the status is (code & 0xff)',
});

const RULE_EXIT_INIT = defineRule({
  id: 'exit.namespace-init',
  calls: ['exit_group'],
  errno: null,
  kinds: ['pid'],
  reason: 'exit_group of a pid namespace\'s init: every other process with a pid in the namespace (nested ones included) is killed, no process can join it any more (ENOMEM), and the init becomes a zombie once the last zombie there whose parent is outside has been reaped',
  source: 'kernel/pid_namespace.c zap_pid_ns_processes (disable_pid_allocation, SIGKILL to all, wait until pid_allocated == 1)',
});

export function exit(world: World, step: ExitStep): ModelResult {
  const caller = proc(world, step.proc);
  const init = activePidNs(world, caller).init === caller.name;
  exitProcess(world, caller, { code: step.code & 0xff });
  return success(init ? RULE_EXIT_INIT : RULE_EXIT);
}
