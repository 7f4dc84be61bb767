/**
 * /proc/<pid>/ns/<entry>: open() gives an nsfs fd (openNs), readlink() its name (nsId). Both go
 * through the same checks (fs/proc/namespaces.c proc_ns_get_link / proc_ns_readlink):
 * ptrace read access with the fs credentials (EACCES), then ns_ops->get(task), which finds
 * nothing (ENOENT) for an exited process's nsproxy kinds and for a pid_for_children namespace
 * that has no process yet.
 */
import { proc } from '../access.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import type { NsEntry, ProcName } from '../steps.js';
import type { NsId, Process, World } from '../world.js';
import { ptraceMayAccess } from './ptrace.js';
import { procTask } from './task-state.js';
import type { NsIdStep } from '../../ops/ns-id.js';
import type { OpenNsStep } from '../../ops/open-ns.js';

const RULE_NS_TARGET_REAPED = defineRule({
  id: 'nsfs.proc-entry-gone',
  calls: ['/proc/<pid>/ns'],
  errno: 'ENOENT',
  reason: '/proc/<pid>/ns: the process has been reaped, so /proc/<pid> no longer exists',
});

const RULE_NS_PTRACE = defineRule({
  id: 'nsfs.proc-ptrace-denied',
  calls: ['/proc/<pid>/ns'],
  errno: 'EACCES',
  reason: '/proc/<pid>/ns: the caller may not inspect the process (ptrace read access with its fs credentials: same uid and gid and no more capabilities, or CAP_SYS_PTRACE over it)',
  source: 'fs/proc/namespaces.c proc_ns_get_link / proc_ns_readlink: ptrace_may_access(PTRACE_MODE_READ_FSCREDS), error -EACCES',
});

const RULE_NS_ZOMBIE = defineRule({
  id: 'nsfs.proc-entry-exited',
  calls: ['/proc/<pid>/ns'],
  errno: 'ENOENT',
  reason: '/proc/<pid>/ns: the process has exited; only its user and pid namespace links still resolve (the others lived in its nsproxy, dropped at exit)',
  source: 'fs/nsfs.c ns_get_path_cb: ns_ops->get() returns NULL → -ENOENT (utsns_get etc. read task->nsproxy; userns_get reads the cred, pidns_get the task\'s struct pid)',
});

const RULE_NS_PID_FOR_CHILDREN_EMPTY = defineRule({
  id: 'nsfs.pid-for-children-empty',
  calls: ['/proc/<pid>/ns'],
  errno: 'ENOENT',
  kinds: ['pid'],
  reason: '/proc/<pid>/ns/pid_for_children: the pid namespace the process\'s next child will be born in has no process yet (after unshare(CLONE_NEWPID), until the first fork)',
  source: 'kernel/pid_namespace.c pidns_for_children_get: NULL while ns->child_reaper is unset',
});

const RULE_NS_OPENED = defineRule({
  id: 'nsfs.proc-entry-opened',
  calls: ['/proc/<pid>/ns'],
  errno: null,
  reason: '/proc/<pid>/ns: the entry names the namespace',
});

/** The namespace behind /proc/<target>/ns/<entry> as `caller` resolves it, or a refusal. */
function resolveNsEntry(world: World, caller: Process, name: ProcName, entry: NsEntry): NsId {
  const found = procTask(world, name);
  const target = found?.proc ?? null;
  check(target !== null && target.state !== 'reaped', RULE_NS_TARGET_REAPED);
  check(ptraceMayAccess(world, caller, target), RULE_NS_PTRACE);
  // A thread's /proc/<tid>/ns shows its own nsproxy (threads share the process's credentials).
  const nsproxy = found!.nsproxy;
  if (entry === 'user') return target.cred.userns;
  if (entry === 'pid') return nsproxy.ns.pid;
  check(target.state !== 'zombie', RULE_NS_ZOMBIE, `${entry} of ${target.name}`);
  if (entry === 'pid_for_children') {
    const ns = world.namespaces.get(nsproxy.pidForChildren);
    check(!(ns?.kind === 'pid' && ns.init === null && !ns.dead), RULE_NS_PID_FOR_CHILDREN_EMPTY);
    return nsproxy.pidForChildren;
  }
  if (entry === 'time_for_children') return nsproxy.timeForChildren;
  return nsproxy.ns[entry];
}

export const openNs: OpFn<OpenNsStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const ns = resolveNsEntry(world, caller, step.target, step.entry);
  caller.handles.set(step.as, { type: 'ns', ns });
  return success(RULE_NS_OPENED);
};

export const nsId: OpFn<NsIdStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const ns = resolveNsEntry(world, caller, step.target ?? step.proc, step.entry);
  return success(RULE_NS_OPENED, { ns });
};
