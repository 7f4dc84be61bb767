/**
 * Sending signals: kill(2) (by pid in the caller's view, or -1 for every process it may signal)
 * and pidfd_send_signal(2); installing a recording handler (sigaction) and reading the record.
 * Permission and validity follow kernel/signal.c check_kill_permission; what the signal then
 * does is deliver.ts.
 */
import { proc, processOfTask } from '../access.js';
import { capableIn } from '../creds.js';
import { pidIn } from '../pid-tree.js';
import { check, defineRule, success, violate } from '../rules.js';
import { RuleFailure, type ModelResult, type Process, type World } from '../world.js';
import { pidfdHandle } from './handles.js';
import { deliverSignal, type SendInfo } from './deliver.js';
import { targetNumber, taskByNumber, tgidIn } from './lookup.js';
import { SIGCONT, isKernelOnly, isValidSignal, signalNumber } from './signal-table.js';
import type { HandleStep } from '../../ops/handle.js';
import type { KillStep } from '../../ops/kill.js';
import type { PidfdSendSignalStep } from '../../ops/pidfd-send-signal.js';
import type { SignalsStep } from '../../ops/signals.js';

const RULE_KILL_NO_SUCH_PROCESS = defineRule({
  id: 'kill.no-such-process',
  calls: ['kill'],
  errno: 'ESRCH',
  kinds: ['pid'],
  reason: 'kill: no process has that pid in the caller\'s pid namespace (processes in ancestor or sibling namespaces are invisible; a reaped one is gone)',
  source: 'kernel/signal.c kill_proc_info → find_vpid',
});

const RULE_KILL_ALL_NONE = defineRule({
  id: 'kill.all-none',
  calls: ['kill'],
  errno: 'ESRCH',
  kinds: ['pid'],
  reason: 'kill(-1): the caller\'s pid namespace has no process other than its init and the caller',
  source: 'kernel/signal.c kill_something_info: "ret = count ? retval : -ESRCH"',
});

const RULE_KILL_ALL = defineRule({
  id: 'kill.all',
  calls: ['kill'],
  errno: null,
  kinds: ['pid'],
  reason: 'kill(-1): the signal goes to every process visible in the caller\'s pid namespace except its init (pid 1) and the caller; refusals for lack of permission are not reported',
  source: 'kernel/signal.c kill_something_info: task_pid_vnr(p) > 1 && !same_thread_group(p, current); -EPERM does not count',
});

const RULE_KILL_GROUP = defineRule({
  id: 'kill.process-group',
  calls: ['kill'],
  errno: null,
  kinds: ['pid'],
  reason: 'kill(0): the signal goes to every member of the caller\'s process group — across pid namespaces, ancestors included, the caller too; it succeeds if any delivery did (else the last error)',
  source: 'kernel/signal.c kill_something_info → __kill_pgrp_info; a process group is not confined to a pid namespace',
});

const RULE_SIGNAL_INVALID = defineRule({
  id: 'signal.invalid-number',
  calls: ['kill'],
  errno: 'EINVAL',
  reason: 'the signal number is not valid (0..64); checked only once the target has been found (a missing target gives ESRCH first)',
  source: 'kernel/signal.c check_kill_permission: valid_signal(sig)',
});

const RULE_SIGNAL_NO_PERMISSION = defineRule({
  id: 'signal.no-permission',
  calls: ['kill'],
  errno: 'EPERM',
  kinds: ['user'],
  reason: 'the caller\'s real or effective uid matches neither the real nor the saved uid of the target, and it lacks CAP_KILL in the target\'s user namespace',
  source: 'kernel/signal.c check_kill_permission / kill_ok_by_cred (SIGCONT within the same session is allowed)',
});

const RULE_SIGNAL_PROBE = defineRule({
  id: 'signal.probe',
  calls: ['kill'],
  errno: null,
  reason: 'signal 0: the target exists and may be signalled; nothing is sent',
  source: 'kernel/signal.c group_send_sig_info: "if (!ret && sig)"',
});

const RULE_PIDFD_SIGNAL_OUTSIDE = defineRule({
  id: 'pidfd_send_signal.outside-namespace',
  calls: ['pidfd_send_signal'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'pidfd_send_signal: the pidfd\'s process is not in the caller\'s pid namespace or a descendant of it (an inherited pidfd of an ancestor\'s process)',
  source: 'kernel/signal.c pidfd_send_signal: access_pidfd_pidns',
});

const RULE_PIDFD_SIGNAL_GONE = defineRule({
  id: 'pidfd_send_signal.gone',
  calls: ['pidfd_send_signal'],
  errno: 'ESRCH',
  kinds: ['pid'],
  reason: 'pidfd_send_signal: the process has been reaped (or the thread has exited); a zombie can still be signalled (nothing happens)',
  source: 'kernel/signal.c kill_pid_info_type: pid_task() finds no task',
});

const RULE_HANDLE_UNCATCHABLE = defineRule({
  id: 'sigaction.uncatchable',
  calls: ['sigaction'],
  errno: 'EINVAL',
  reason: 'sigaction: SIGKILL and SIGSTOP cannot be caught',
  source: 'kernel/signal.c do_sigaction: sig_kernel_only(sig)',
});

const RULE_HANDLE = defineRule({
  id: 'sigaction.handler',
  calls: ['sigaction'],
  errno: null,
  reason: 'sigaction: a handler for the signal; it is copied to clone3 children (shared with CLONE_SIGHAND, reset by CLONE_CLEAR_SIGHAND)',
  source: 'kernel/signal.c do_sigaction; kernel/fork.c copy_sighand',
});

const RULE_SIGNALS_READ = defineRule({
  id: 'signals.read',
  calls: ['sigaction'],
  errno: null,
  reason: 'the signals the process\'s handlers ran for since the last read, in order, each with its si_pid',
});

/** check_kill_permission(): validity, then credentials. */
function checkPermission(world: World, sender: Process, target: Process, sig: number): void {
  check(isValidSignal(sig), RULE_SIGNAL_INVALID, `signal ${sig}`);
  if (sender === target || sig === SIGCONT) return; // same thread group; SIGCONT in the same session
  const allowed = sender.cred.uid === target.cred.uid || capableIn(world, sender.cred, target.cred.userns);
  check(allowed, RULE_SIGNAL_NO_PERMISSION);
}

/**
 * The siginfo a kill() builds once (prepare_kill_siginfo): si_pid is the sender's pid in its
 * *own* namespace (task_tgid_vnr).
 */
interface KillInfo { siPid: number }

function killInfo(sender: Process): KillInfo {
  return { siPid: tgidIn(sender, sender.ns.pid) };
}

/**
 * What the signal carries to `target` (send_signal_locked): where the sender has no pid in the
 * target's namespace, si_pid becomes 0 — in the one siginfo the whole call shares, so with
 * kill(0) and kill(-1) every later target gets 0 too (checked on 6.18) — and SIGKILL/SIGSTOP
 * are forced through an init's protection. The pid is not translated for a target in an
 * ancestor namespace (reachable through a process group): it sees the sender's inner number.
 */
function sendInfo(info: KillInfo, sender: Process, target: Process): SendInfo {
  if (pidIn(sender, target.ns.pid) !== null) return { siPid: info.siPid, force: false };
  info.siPid = 0;
  return { siPid: 0, force: true };
}

/** group_send_sig_info() from a user-space sender, after the target was found. */
function sendFromUser(world: World, sender: Process, target: Process, sig: number, info: KillInfo = killInfo(sender)): ModelResult {
  checkPermission(world, sender, target, sig);
  if (sig === 0) return success(RULE_SIGNAL_PROBE);
  return success(deliverSignal(world, target, sig, sendInfo(info, sender, target)));
}

/**
 * kill(0): the caller's process group. In the scenario world that is every process (init leads
 * a session and process group of its own, which every clone3 child joins) — whatever pid
 * namespace each is in: process groups do not stop at namespace borders. The call succeeds if
 * one delivery did, else gives the last error (__kill_pgrp_info); members are visited newest
 * first (attach_pid adds at the head of the group's list).
 */
function killGroup(world: World, caller: Process, sig: number): ModelResult {
  let last: ModelResult = { ok: false, errno: 'ESRCH', rule: RULE_KILL_NO_SUCH_PROCESS.id, reason: RULE_KILL_NO_SUCH_PROCESS.reason };
  let delivered = false;
  const info = killInfo(caller);
  for (const p of [...world.processes.values()].reverse()) {
    if (p.state === 'reaped') continue;
    try {
      sendFromUser(world, caller, p, sig, info);
      delivered = true;
    } catch (error) {
      if (!(error instanceof RuleFailure)) throw error;
      last = error.result;
    }
  }
  return delivered ? success(RULE_KILL_GROUP) : last;
}

/** kill(-1): for_each_process, oldest first, sharing one siginfo (see sendInfo). */
function killAll(world: World, caller: Process, sig: number): ModelResult {
  const info = killInfo(caller);
  let count = 0;
  let failed: ModelResult | null = null;
  for (const p of [...world.processes.values()]) {
    if (p === caller || p.state === 'reaped') continue;
    const nr = pidIn(p, caller.ns.pid);
    if (nr === null || nr <= 1) continue;
    count++;
    if (!isValidSignal(sig)) {
      failed = { ok: false, errno: 'EINVAL', rule: RULE_SIGNAL_INVALID.id, reason: RULE_SIGNAL_INVALID.reason };
      continue;
    }
    const allowed = sig === SIGCONT || caller.cred.uid === p.cred.uid || capableIn(world, caller.cred, p.cred.userns);
    // Refusals (EPERM) are not reported; a zombie still gets the (dropped) signal's siginfo.
    if (sig === 0 || !allowed) continue;
    deliverSignal(world, p, sig, sendInfo(info, caller, p));
  }
  if (count === 0) violate(RULE_KILL_ALL_NONE);
  return failed ?? success(RULE_KILL_ALL);
}

export function kill(world: World, step: KillStep): ModelResult {
  const caller = proc(world, step.proc);
  const sig = signalNumber(step.signal);
  const nr = targetNumber(world, caller, step.target);
  if (nr === -1) return killAll(world, caller, sig);
  if (nr === 0) return killGroup(world, caller, sig);
  // -pgid: the world's only process group is init's, which is pid 1 only in T (and -1 means all).
  if (nr < -1) return violate(RULE_KILL_NO_SUCH_PROCESS, `process group ${-nr}`);
  const found = taskByNumber(world, caller.ns.pid, nr);
  if (found === null) return violate(RULE_KILL_NO_SUCH_PROCESS, `pid ${nr}`);
  return sendFromUser(world, caller, found.proc, sig);
}

export function pidfdSendSignal(world: World, step: PidfdSendSignalStep): ModelResult {
  const caller = proc(world, step.proc);
  const sig = signalNumber(step.signal);
  const handle = pidfdHandle(caller, step.fd, 'pidfd_send_signal');
  const task = handle.task!;
  const found = proc(world, processOfTask(task));
  check(found.pidChain.includes(caller.ns.pid), RULE_PIDFD_SIGNAL_OUTSIDE);
  const gone = found.state === 'reaped' || (task !== found.name && !found.threads.some((t) => t.task === task));
  check(!gone, RULE_PIDFD_SIGNAL_GONE);
  return sendFromUser(world, caller, found, sig);
}

export function handle(world: World, step: HandleStep): ModelResult {
  const caller = proc(world, step.proc);
  const sig = signalNumber(step.signal);
  check(!isKernelOnly(sig), RULE_HANDLE_UNCATCHABLE);
  caller.handled.add(sig);
  return success(RULE_HANDLE);
}

export function signals(world: World, step: SignalsStep): ModelResult {
  const caller = proc(world, step.proc);
  const records = caller.received.splice(0).map((r) => ({ signal: r.signal, fromPid: r.fromPid }));
  return success(RULE_SIGNALS_READ, records);
}
