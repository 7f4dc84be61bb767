/**
 * unshare(2): kernel/fork.c ksys_unshare. The caller gets new namespaces of the given kinds —
 * except pid and time, where only pid_for_children / time_for_children change (the caller itself
 * stays where it is; its next child is the first process of the new namespace).
 */
import { proc } from '../access.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import { checkCreate, createNamespaces } from './create.js';
import { noteCredChange } from './dumpable.js';
import { freshFsGroup, fsUsers, isSingleThreaded } from './task-state.js';
import type { UnshareStep } from '../../ops/unshare.js';

type UnshareFlag = NonNullable<UnshareStep['flags']>[number];

const RULE_UNSHARE_THREADS = defineRule({
  id: 'unshare.multithreaded',
  calls: ['unshare'],
  errno: 'EINVAL',
  reason: 'unshare: CLONE_NEWUSER (which implies CLONE_THREAD), CLONE_THREAD, CLONE_SIGHAND or CLONE_VM in a process that has other threads',
  source: 'kernel/fork.c ksys_unshare adds CLONE_THREAD|CLONE_FS for CLONE_NEWUSER; check_unshare_flags: !thread_group_empty(current) → -EINVAL',
});

const RULE_UNSHARE_VM_SHARED = defineRule({
  id: 'unshare.vm-shared',
  calls: ['unshare'],
  errno: 'EINVAL',
  reason: 'unshare(CLONE_VM): another process shares the caller\'s memory',
  source: 'kernel/fork.c check_unshare_flags: !current_is_single_threaded() → -EINVAL',
});

const RULE_UNSHARE_OK = defineRule({
  id: 'unshare.ok',
  calls: ['unshare'],
  errno: null,
  reason: 'unshare: the caller now has the new namespaces (for pid and time only its pid_for_children / time_for_children changed)',
  source: 'kernel/fork.c ksys_unshare, kernel/nsproxy.c unshare_nsproxy_namespaces',
});

export const unshare: OpFn<UnshareStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const kinds = step.namespaces;
  // ksys_unshare's implied flags.
  const flags = new Set<UnshareFlag | 'thread'>(step.flags ?? []);
  if (kinds.includes('user')) { flags.add('thread'); flags.add('fs'); }
  if (flags.has('vm')) flags.add('sighand');
  if (flags.has('sighand')) flags.add('thread');
  if (kinds.includes('mnt')) flags.add('fs');

  // check_unshare_flags (sighand sharing between processes is not modelled).
  if (flags.has('thread') || flags.has('sighand') || flags.has('vm')) {
    check(caller.threads.length === 0, RULE_UNSHARE_THREADS, `${caller.threads.length} other thread(s)`);
  }
  if (flags.has('vm')) check(isSingleThreaded(world, caller), RULE_UNSHARE_VM_SHARED);
  // unshare_fs / unshare_fd cannot fail in the model; then unshare_userns and the nsproxy.
  checkCreate(world, caller, kinds, 'unshare');

  // Every check passed: change the world.
  if (flags.has('fs') && fsUsers(world, caller) > 1) caller.fsGroup = freshFsGroup(world, caller);
  if (flags.has('files')) caller.handles = new Map(caller.handles);
  if (kinds.length > 0) {
    const created = createNamespaces(world, caller, kinds);
    Object.assign(caller.ns, created.ns);
    caller.pidForChildren = created.pidForChildren;
    caller.timeForChildren = created.timeForChildren;
    const old = caller.cred;
    caller.cred = created.cred;
    caller.ns.user = created.cred.userns;
    noteCredChange(world, caller, old);
  }
  return success(RULE_UNSHARE_OK);
};
