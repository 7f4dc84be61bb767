/**
 * The nsfs ioctls on a namespace fd (fs/nsfs.c ns_ioctl): NS_GET_USERNS, NS_GET_PARENT,
 * NS_GET_NSTYPE, NS_GET_OWNER_UID. Walking up the trees stops at the edge of the caller's view:
 * a related namespace is only handed out when it is the caller's own (user namespace, or active
 * pid namespace) or below it.
 */
import { proc, userNs, pidNs } from '../access.js';
import { shownId } from '../creds.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success, violate } from '../rules.js';
import type { Handle, Namespace, NsId, Process, World } from '../world.js';
import type { NsIoctlStep } from '../../ops/ns-ioctl.js';

const RULE_IOCTL_BAD_FD = defineRule({
  id: 'nsfs.ioctl-bad-fd',
  calls: ['ioctl'],
  errno: 'EBADF',
  reason: 'nsfs ioctl: the fd is not open',
});

const RULE_IOCTL_NOT_NSFS = defineRule({
  id: 'nsfs.ioctl-not-nsfs',
  calls: ['ioctl'],
  errno: 'ENOTTY',
  reason: 'nsfs ioctl: the fd is not a namespace file (the NS_GET_* requests mean nothing to it)',
  source: 'fs/ioctl.c vfs_ioctl: -ENOIOCTLCMD / no unlocked_ioctl → -ENOTTY',
});

const RULE_USERNS_OUTSIDE = defineRule({
  id: 'nsfs.userns-outside-view',
  calls: ['ioctl'],
  errno: 'EPERM',
  reason: 'NS_GET_USERNS: the owning user namespace is not the caller\'s user namespace or a descendant of it (or the namespace is the initial user namespace, which has no owner)',
  source: 'kernel/user_namespace.c ns_get_owner',
});

const RULE_PARENT_NOT_HIERARCHICAL = defineRule({
  id: 'nsfs.parent-not-hierarchical',
  calls: ['ioctl'],
  errno: 'EINVAL',
  reason: 'NS_GET_PARENT: only pid and user namespaces have parents',
  source: 'fs/nsfs.c ns_ioctl: "if (!ns->ops->get_parent) return -EINVAL"',
});

const RULE_PARENT_USER_OUTSIDE = defineRule({
  id: 'nsfs.parent-user-outside-view',
  calls: ['ioctl'],
  errno: 'EPERM',
  kinds: ['user'],
  reason: 'NS_GET_PARENT on a user namespace: the parent is not the caller\'s user namespace or a descendant of it (or this is the initial user namespace)',
  source: 'kernel/user_namespace.c userns_get_parent → ns_get_owner',
});

const RULE_PARENT_PID_OUTSIDE = defineRule({
  id: 'nsfs.parent-pid-outside-view',
  calls: ['ioctl'],
  errno: 'EPERM',
  kinds: ['pid'],
  reason: 'NS_GET_PARENT on a pid namespace: the parent is not the caller\'s active pid namespace or a descendant of it',
  source: 'kernel/pid_namespace.c pidns_get_parent',
});

const RULE_OWNER_UID_NOT_USER = defineRule({
  id: 'nsfs.owner-uid-not-user',
  calls: ['ioctl'],
  errno: 'EINVAL',
  reason: 'NS_GET_OWNER_UID: the fd is not a user namespace',
  source: 'fs/nsfs.c ns_ioctl',
});

const RULE_IOCTL_RELATED = defineRule({
  id: 'nsfs.related-ns',
  calls: ['ioctl'],
  errno: null,
  reason: 'NS_GET_USERNS / NS_GET_PARENT: a new fd for the related namespace',
});

const RULE_IOCTL_NSTYPE = defineRule({
  id: 'nsfs.nstype',
  calls: ['ioctl'],
  errno: null,
  reason: 'NS_GET_NSTYPE: the CLONE_NEW* flag of the namespace\'s kind',
});

const RULE_IOCTL_OWNER_UID = defineRule({
  id: 'nsfs.owner-uid',
  calls: ['ioctl'],
  errno: null,
  reason: 'NS_GET_OWNER_UID: the creator\'s euid as the caller\'s user namespace shows it (65534 when unmapped there)',
  source: 'fs/nsfs.c ns_ioctl: from_kuid_munged(current_user_ns(), user_ns->owner)',
});

/** A namespace fd of the caller, with EBADF / ENOTTY for fds that are not one. */
export function nsfsHandle(world: World, caller: Process, fd: string): Namespace {
  const handle: Handle | undefined = fd === 'closed' ? undefined : caller.handles.get(fd);
  if (handle === undefined) violate(RULE_IOCTL_BAD_FD);
  if (handle.type !== 'ns') violate(RULE_IOCTL_NOT_NSFS, `a ${handle.type === 'pidfd' ? 'pidfd' : '/dev/null'} fd`);
  const ns = world.namespaces.get(handle.ns!);
  if (ns === undefined) throw new Error(`handle refers to unknown namespace ${handle.ns}`);
  return ns;
}

/** ns_get_owner(): `owner` if it is the caller's user namespace or below it. */
function ownerInView(world: World, caller: Process, owner: NsId | null): boolean {
  for (let cur = owner; cur !== null; cur = userNs(world, cur).parent) {
    if (cur === caller.cred.userns) return true;
  }
  return false;
}

/** pidns_get_parent(): `parent` if it is the caller's active pid namespace or below it. */
function pidInView(world: World, caller: Process, parent: NsId | null): boolean {
  for (let cur = parent; cur !== null; cur = pidNs(world, cur).parent) {
    if (cur === caller.ns.pid) return true;
  }
  return false;
}

export const nsIoctl: OpFn<NsIoctlStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const ns = nsfsHandle(world, caller, step.fd);
  let related: NsId | null;
  switch (step.request) {
    case 'NS_GET_NSTYPE':
      return success(RULE_IOCTL_NSTYPE, ns.kind);
    case 'NS_GET_OWNER_UID':
      check(ns.kind === 'user', RULE_OWNER_UID_NOT_USER, `the fd is a ${ns.kind} namespace`);
      return success(RULE_IOCTL_OWNER_UID, shownId(world, caller.cred.userns, ns.ownerKuid, 'uid'));
    case 'NS_GET_USERNS':
      related = ns.kind === 'user' ? ns.parent : ns.owner;
      check(ownerInView(world, caller, related), RULE_USERNS_OUTSIDE);
      break;
    case 'NS_GET_PARENT':
      if (ns.kind === 'user') {
        related = ns.parent;
        check(ownerInView(world, caller, related), RULE_PARENT_USER_OUTSIDE);
      } else if (ns.kind === 'pid') {
        related = ns.parent;
        check(pidInView(world, caller, related), RULE_PARENT_PID_OUTSIDE);
      } else {
        violate(RULE_PARENT_NOT_HIERARCHICAL, `the fd is a ${ns.kind} namespace`);
      }
      break;
  }
  if (related === null) throw new Error('unreachable: a namespace in view has an id');
  if (step.as !== undefined) caller.handles.set(step.as, { type: 'ns', ns: related });
  return success(RULE_IOCTL_RELATED, { ns: related });
};
