/**
 * The per-kind install checks of setns(2): the ns->ops->install() of each kind, run on a private
 * nsset before anything is committed (kernel/nsproxy.c validate_nsset). Each check may refuse;
 * none changes the world. `nssetUserns` is the user namespace of the credentials being prepared
 * (the joined one when a user namespace is part of the same call). Capability checks use the
 * caller's current credentials (ns_capable), as the kernel does.
 */
import type { NamespaceType } from '../../kinds.js';
import { pidNs } from '../access.js';
import { capableIn, capableOver } from '../creds.js';
import { check, defineRule, type Rule } from '../rules.js';
import type { NsId, Process, World } from '../world.js';
import { fsUsers, isSingleThreaded } from './task-state.js';

const RULE_USER_OWN = defineRule({
  id: 'setns.user-own',
  calls: ['setns'],
  errno: 'EINVAL',
  kinds: ['user'],
  reason: 'setns(CLONE_NEWUSER): the caller is already in that user namespace (re-entering it would regain capabilities); a pidfd join of a process in the caller\'s own user namespace must leave CLONE_NEWUSER out',
  source: 'kernel/user_namespace.c userns_install: "if (user_ns == current_user_ns()) return -EINVAL"',
});

const RULE_USER_THREADS = defineRule({
  id: 'setns.user-multithreaded',
  calls: ['setns'],
  errno: 'EINVAL',
  kinds: ['user'],
  reason: 'setns(CLONE_NEWUSER): the caller has other threads (all threads of a process share one user namespace)',
  source: 'kernel/user_namespace.c userns_install: !thread_group_empty(current)',
});

const RULE_USER_FS_SHARED = defineRule({
  id: 'setns.user-fs-shared',
  calls: ['setns'],
  errno: 'EINVAL',
  kinds: ['user'],
  reason: 'setns(CLONE_NEWUSER): the caller shares its fs_struct (root and cwd) with another process (CLONE_FS)',
  source: 'kernel/user_namespace.c userns_install: "if (current->fs->users != 1) return -EINVAL"',
});

const RULE_USER_NO_CAP = defineRule({
  id: 'setns.user-no-cap',
  calls: ['setns'],
  errno: 'EPERM',
  kinds: ['user'],
  reason: 'setns(CLONE_NEWUSER): the caller lacks CAP_SYS_ADMIN in the target user namespace (it must be a descendant of the caller\'s, created by the caller\'s uid or entered with capabilities)',
  source: 'kernel/user_namespace.c userns_install: ns_capable(user_ns, CAP_SYS_ADMIN)',
});

const RULE_MNT_FS_SHARED = defineRule({
  id: 'setns.mnt-fs-shared',
  calls: ['setns'],
  errno: 'EINVAL',
  kinds: ['mnt'],
  reason: 'setns(CLONE_NEWNS): the caller shares its fs_struct (root and cwd) with another process (CLONE_FS)',
  source: 'fs/namespace.c mntns_install: "if (fs->users != 1) return -EINVAL" — fs is current->fs only when CLONE_NEWNS is the only kind joined; a pidfd join of mnt with other kinds uses a private copy and does not fail here (kernel/nsproxy.c prepare_nsset)',
});

const RULE_PID_NOT_DESCENDANT = defineRule({
  id: 'setns.pid-not-descendant',
  calls: ['setns'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'setns(CLONE_NEWPID): the target pid namespace is neither the caller\'s active pid namespace nor a descendant of it',
  source: 'kernel/pid_namespace.c pidns_install',
});

const RULE_TIME_THREADS = defineRule({
  id: 'setns.time-multithreaded',
  calls: ['setns'],
  errno: 'EUSERS',
  kinds: ['time'],
  reason: 'setns(CLONE_NEWTIME): the caller has other threads or shares its memory with another process',
  source: 'kernel/time/namespace.c timens_install: "if (!current_is_single_threaded()) return -EUSERS" (checked before the capability checks)',
});

const INSTALL_FN: Record<Exclude<NamespaceType, 'user'>, string> = {
  cgroup: 'kernel/cgroup/namespace.c cgroupns_install',
  ipc: 'ipc/namespace.c ipcns_install',
  mnt: 'fs/namespace.c mntns_install',
  net: 'net/core/net_namespace.c netns_install',
  pid: 'kernel/pid_namespace.c pidns_install',
  time: 'kernel/time/namespace.c timens_install',
  uts: 'kernel/utsname.c utsns_install',
};

function noCapRule(kind: Exclude<NamespaceType, 'user'>, extra = ''): Rule {
  return defineRule({
    id: `setns.${kind}-no-cap`,
    calls: ['setns'],
    errno: 'EPERM',
    kinds: [kind],
    reason: `setns(${kind}): the caller needs CAP_SYS_ADMIN${extra} both over the user namespace that owns the target namespace and in its own (or the joined) user namespace`,
    source: `${INSTALL_FN[kind]}: ns_capable(ns->user_ns, CAP_SYS_ADMIN) && ns_capable(nsset->cred->user_ns, CAP_SYS_ADMIN), with the caller's current credentials`,
  });
}

const NO_CAP: Record<Exclude<NamespaceType, 'user'>, Rule> = {
  cgroup: noCapRule('cgroup'),
  ipc: noCapRule('ipc'),
  mnt: noCapRule('mnt', ' (and CAP_SYS_CHROOT)'),
  net: noCapRule('net'),
  pid: noCapRule('pid'),
  time: noCapRule('time'),
  uts: noCapRule('uts'),
};

/**
 * Check joining namespace `target` of `kind`. `onlyKind`: the call joins this kind alone (an nsfs
 * fd, or a pidfd whose mask is just this kind) — then mnt uses the caller's real fs_struct.
 */
export function checkInstall(world: World, caller: Process, kind: NamespaceType, target: NsId, nssetUserns: NsId, onlyKind: boolean): void {
  if (kind === 'user') {
    check(target !== caller.cred.userns, RULE_USER_OWN);
    check(caller.threads.length === 0, RULE_USER_THREADS);
    check(fsUsers(world, caller) === 1, RULE_USER_FS_SHARED);
    check(capableIn(world, caller.cred, target), RULE_USER_NO_CAP);
    return;
  }
  if (kind === 'time') check(isSingleThreaded(world, caller), RULE_TIME_THREADS);
  check(capableOver(world, caller, target) && capableIn(world, caller.cred, nssetUserns), NO_CAP[kind]);
  if (kind === 'mnt' && onlyKind) check(fsUsers(world, caller) === 1, RULE_MNT_FS_SHARED);
  if (kind === 'pid') {
    const active = pidNs(world, caller.ns.pid);
    let ancestor = pidNs(world, target);
    check(ancestor.level >= active.level, RULE_PID_NOT_DESCENDANT, 'the target is above the caller\'s pid namespace');
    while (ancestor.level > active.level && ancestor.parent !== null) ancestor = pidNs(world, ancestor.parent);
    check(ancestor.id === active.id, RULE_PID_NOT_DESCENDANT);
  }
}
