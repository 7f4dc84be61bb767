/**
 * setns(2): kernel/nsproxy.c. With an nsfs fd: join that one namespace (nstype 0 or its own
 * CLONE_NEW* flag). With a pidfd: join the target's namespaces of every kind in the mask, all or
 * nothing — every install check runs (user, mnt, uts, ipc, pid, cgroup, net, time) before
 * anything changes.
 */
import { kindOf, type NamespaceType } from '../../kinds.js';
import { proc } from '../access.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success, violate } from '../rules.js';
import type { NsId, Process, TaskNamespaces, World } from '../world.js';
import { enterTimeNamespace } from './create.js';
import { noteCredChange } from './dumpable.js';
import { checkInstall } from './install.js';
import { ptraceMayAccess } from './ptrace.js';
import { pidfdTarget, taskNamespaces } from './task-state.js';
import type { SetnsStep } from '../../ops/setns.js';

const RULE_SETNS_BAD_FD = defineRule({
  id: 'setns.bad-fd',
  calls: ['setns'],
  errno: 'EBADF',
  reason: 'setns: the fd is not open',
});

const RULE_SETNS_NSTYPE = defineRule({
  id: 'setns.nstype-mismatch',
  calls: ['setns'],
  errno: 'EINVAL',
  reason: 'setns: nstype is neither 0 nor the CLONE_NEW* flag of the namespace the fd refers to',
  source: 'kernel/nsproxy.c setns: "if (flags && (ns->ns_type != flags)) err = -EINVAL"',
});

const RULE_SETNS_NOT_NS = defineRule({
  id: 'setns.not-a-namespace',
  calls: ['setns'],
  errno: 'EINVAL',
  reason: 'setns: the fd is neither a namespace file (/proc/<pid>/ns/*) nor a pidfd',
  source: 'kernel/nsproxy.c setns (EBADF on some old kernels; EINVAL since 5.8)',
});

const RULE_SETNS_PIDFD_FLAGS = defineRule({
  id: 'setns.pidfd-flags',
  calls: ['setns'],
  errno: 'EINVAL',
  reason: 'setns(pidfd): the mask of namespace kinds is 0 or has bits that are not CLONE_NEW* flags',
  source: 'kernel/nsproxy.c check_setns_flags',
});

const RULE_SETNS_TARGET_GONE = defineRule({
  id: 'setns.target-gone',
  calls: ['setns'],
  errno: 'ESRCH',
  reason: 'setns(pidfd): the process has been reaped',
  source: 'kernel/nsproxy.c validate_nsset: pid_task() is NULL',
});

const RULE_SETNS_PTRACE = defineRule({
  id: 'setns.ptrace-denied',
  calls: ['setns'],
  errno: 'EPERM',
  reason: 'setns(pidfd): the caller may not inspect the target (ptrace read access: same uid and gid and no more capabilities, or CAP_SYS_PTRACE over it)',
  source: 'kernel/nsproxy.c validate_nsset: ptrace_may_access(tsk, PTRACE_MODE_READ_REALCREDS)',
});

const RULE_SETNS_TARGET_EXITED = defineRule({
  id: 'setns.target-exited',
  calls: ['setns'],
  errno: 'ESRCH',
  reason: 'setns(pidfd): the process has exited (a zombie has no namespaces any more)',
  source: 'kernel/nsproxy.c validate_nsset: tsk->nsproxy is NULL after exit_task_namespaces()',
});

const RULE_SETNS_OK = defineRule({
  id: 'setns.joined',
  calls: ['setns'],
  errno: null,
  reason: 'setns: the caller joined the namespaces (pid: only its pid_for_children; time: also time_for_children; user: with every capability in it)',
  source: 'kernel/nsproxy.c commit_nsset',
});

/** The order validate_nsset() installs kinds in. */
const INSTALL_ORDER: readonly NamespaceType[] = ['user', 'mnt', 'uts', 'ipc', 'pid', 'cgroup', 'net', 'time'];

/**
 * The namespace of `kind` a pidfd join takes from the pidfd's task: its active ones (and its
 * cred's user ns). A thread's pidfd gives that thread's own nsproxy (validate_nsset reads
 * tsk->nsproxy of the task the pidfd refers to).
 */
function activeNs(target: Process, nsproxy: TaskNamespaces, kind: NamespaceType): NsId {
  return kind === 'user' ? target.cred.userns : nsproxy.ns[kind];
}

function commit(world: World, caller: Process, joins: ReadonlyArray<[NamespaceType, NsId]>): void {
  for (const [kind, ns] of joins) {
    if (kind === 'user') {
      // set_cred_user_ns(): every capability in the joined namespace; the kernel ids stay.
      const old = caller.cred;
      caller.cred = { ...old, userns: ns, caps: true };
      caller.ns.user = ns;
      noteCredChange(world, caller, old);
    } else if (kind === 'pid') {
      caller.pidForChildren = ns;
    } else if (kind === 'time') {
      caller.ns.time = ns;
      caller.timeForChildren = ns;
      enterTimeNamespace(world, ns);
    } else {
      caller.ns[kind] = ns;
    }
  }
}

export const setns: OpFn<SetnsStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const handle = step.fd === 'closed' ? undefined : caller.handles.get(step.fd);
  if (handle === undefined) violate(RULE_SETNS_BAD_FD);
  const mask = step.namespaces.reduce((acc, kind) => acc | kindOf(kind).flag, 0);

  if (handle.type === 'ns') {
    const nsId = handle.ns!;
    const ns = world.namespaces.get(nsId);
    if (ns === undefined) throw new Error(`handle refers to unknown namespace ${nsId}`);
    check(mask === 0 || mask === kindOf(ns.kind).flag, RULE_SETNS_NSTYPE, `the fd is a ${ns.kind} namespace`);
    const nssetUserns = ns.kind === 'user' ? ns.id : caller.cred.userns;
    checkInstall(world, caller, ns.kind, nsId, nssetUserns, true);
    commit(world, caller, [[ns.kind, nsId]]);
    return success(RULE_SETNS_OK);
  }
  if (handle.type !== 'pidfd') violate(RULE_SETNS_NOT_NS);

  check(mask !== 0, RULE_SETNS_PIDFD_FLAGS, 'the mask is 0');
  const { proc: target, task, state } = pidfdTarget(world, handle);
  check(state !== 'gone', RULE_SETNS_TARGET_GONE);
  check(ptraceMayAccess(world, caller, target), RULE_SETNS_PTRACE);
  check(state !== 'zombie', RULE_SETNS_TARGET_EXITED);
  const kinds = INSTALL_ORDER.filter((kind) => step.namespaces.includes(kind));
  const nsproxy = taskNamespaces(target, task);
  const joins: Array<[NamespaceType, NsId]> = kinds.map((kind) => [kind, activeNs(target, nsproxy, kind)]);
  let nssetUserns = caller.cred.userns;
  for (const [kind, ns] of joins) {
    checkInstall(world, caller, kind, ns, nssetUserns, kinds.length === 1);
    if (kind === 'user') nssetUserns = ns;
  }
  commit(world, caller, joins);
  return success(RULE_SETNS_OK);
};
