/**
 * Creating namespaces: the part clone3(2) and unshare(2) share. checkCreate() refuses in the
 * kernel's order without touching the world; createNamespaces() then builds the new namespaces and
 * credentials (it cannot fail). The caller (clone3 or unshare) installs them.
 *
 * Kernel order (kernel/fork.c copy_process → copy_creds → copy_namespaces; kernel/fork.c
 * ksys_unshare → unshare_userns → unshare_nsproxy_namespaces):
 *   1. the user namespace (kernel/user_namespace.c create_user_ns): nesting, creator mapped;
 *   2. CAP_SYS_ADMIN in the new credentials' user namespace for every other kind;
 *   3. (clone3 only) CLONE_NEWIPC with CLONE_SYSVSEM;
 *   4. create_new_namespaces() in the order mnt, uts, ipc, pid, cgroup, net, time — only pid can
 *      fail in the model (kernel/pid_namespace.c copy_pid_ns / create_pid_namespace).
 */
import type { NamespaceType } from '../../kinds.js';
import { pidNs, userNs } from '../access.js';
import { addNamespace, freshNsId } from '../create-world.js';
import { capableIn, fromKernelId, isUserAncestor } from '../creds.js';
import { MAX_PID_NS_LEVEL } from '../pid-tree.js';
import { check, defineRule } from '../rules.js';
import type { Credentials, NsId, Process, World } from '../world.js';

/** The deepest user namespace that may still get a child (create_user_ns: parent level > 32). */
const MAX_USER_NS_PARENT_LEVEL = 32;

const RULE_USER_NESTING = defineRule({
  id: 'create.user-nesting-limit',
  topic: 'create',
  calls: ['clone3', 'unshare'],
  errno: 'ENOSPC',
  kinds: ['user'],
  reason: 'CLONE_NEWUSER: the caller\'s user namespace is 33 levels below the initial one; no deeper user namespace can be created',
  source: 'kernel/user_namespace.c create_user_ns: "if (parent_ns->level > 32) ret = -ENOSPC". user_namespaces(7) says EUSERS and "32 levels"; the kernel (6.18, checked) gives ENOSPC and allows levels 1..33',
});

const RULE_USER_CREATOR_UNMAPPED = defineRule({
  id: 'create.user-creator-unmapped',
  topic: 'create',
  calls: ['clone3', 'unshare'],
  errno: 'EPERM',
  kinds: ['user'],
  reason: 'CLONE_NEWUSER: the caller\'s effective uid or gid has no mapping in its own user namespace, so the new namespace\'s owner could not be named (write uid_map/gid_map first)',
  source: 'kernel/user_namespace.c create_user_ns: kuid_has_mapping(parent_ns, owner) / kgid_has_mapping(parent_ns, group)',
});

const RULE_CREATE_NEEDS_CAP = defineRule({
  id: 'create.needs-cap-sys-admin',
  topic: 'create',
  calls: ['clone3', 'unshare'],
  errno: 'EPERM',
  reason: 'creating a namespace other than a user namespace needs CAP_SYS_ADMIN in the caller\'s user namespace — or in the user namespace the same call creates (add CLONE_NEWUSER)',
  source: 'kernel/nsproxy.c copy_namespaces / unshare_nsproxy_namespaces: ns_capable(new cred user_ns, CAP_SYS_ADMIN)',
  hintRank: 1,
});

const RULE_CREATE_IPC_SYSVSEM = defineRule({
  id: 'create.ipc-with-sysvsem',
  topic: 'create',
  calls: ['clone3'],
  errno: 'EINVAL',
  kinds: ['ipc'],
  reason: 'clone3: CLONE_NEWIPC with CLONE_SYSVSEM (the semaphore undo list cannot be shared across ipc namespaces)',
  source: 'kernel/nsproxy.c copy_namespaces (checked after the CAP_SYS_ADMIN check)',
});

const RULE_PID_FOR_CHILDREN_MOVED = defineRule({
  id: 'create.pid-for-children-not-active',
  topic: 'create',
  calls: ['clone3', 'unshare'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'CLONE_NEWPID: the caller\'s pid_for_children is no longer its own pid namespace (after an earlier unshare(CLONE_NEWPID) or setns to a pid namespace); a new pid namespace can only be a child of the caller\'s own',
  source: 'kernel/pid_namespace.c copy_pid_ns: "if (task_active_pid_ns(current) != old_ns) return ERR_PTR(-EINVAL)"',
});

const RULE_PID_OWNER_OUTSIDE = defineRule({
  id: 'create.pid-owner-outside',
  topic: 'create',
  calls: ['clone3', 'unshare'],
  errno: 'EINVAL',
  kinds: ['pid'],
  reason: 'CLONE_NEWPID: the new pid namespace\'s user namespace is not at or below the user namespace that owns its parent pid namespace',
  source: 'kernel/pid_namespace.c create_pid_namespace: in_userns(parent_pid_ns->user_ns, user_ns)',
});

const RULE_PID_NESTING = defineRule({
  id: 'create.pid-nesting-limit',
  topic: 'create',
  calls: ['clone3', 'unshare'],
  errno: 'ENOSPC',
  kinds: ['pid'],
  reason: `CLONE_NEWPID: pid namespaces nest at most ${MAX_PID_NS_LEVEL} levels below the initial one`,
  source: 'kernel/pid_namespace.c create_pid_namespace: "if (level > MAX_PID_NS_LEVEL) goto out" with err = -ENOSPC',
});

/**
 * Refuse a namespace creation the kernel would refuse, in the kernel's order; changes nothing.
 * `cloneFlags` (optional, clone3 only) lets the CLONE_SYSVSEM check sit where the kernel has it.
 */
export function checkCreate(world: World, caller: Process, kinds: readonly NamespaceType[], how: 'clone3' | 'unshare', cloneFlags: readonly string[] = []): void {
  const cred = caller.cred;
  const newUser = kinds.includes('user');
  if (newUser) {
    const parent = userNs(world, cred.userns);
    check(parent.level <= MAX_USER_NS_PARENT_LEVEL, RULE_USER_NESTING, `the caller's user namespace is at level ${parent.level}`);
    check(fromKernelId(world, parent.id, cred.uid, 'uid') !== null && fromKernelId(world, parent.id, cred.gid, 'gid') !== null,
      RULE_USER_CREATOR_UNMAPPED);
  }
  const others = kinds.filter((k) => k !== 'user');
  if (others.length === 0) return;
  // A new user namespace gives its creator every capability in it.
  check(newUser || capableIn(world, cred, cred.userns), RULE_CREATE_NEEDS_CAP, `new: ${others.join(', ')}`);
  if (how === 'clone3') check(!(kinds.includes('ipc') && cloneFlags.includes('sysvsem')), RULE_CREATE_IPC_SYSVSEM);
  if (kinds.includes('pid')) {
    const active = caller.ns.pid;
    check(caller.pidForChildren === active, RULE_PID_FOR_CHILDREN_MOVED);
    const parent = pidNs(world, caller.pidForChildren);
    const parentOwner = parent.owner;
    // The owner of the new pid namespace: the new user namespace (a child of cred.userns) or cred.userns.
    check(parentOwner !== null && isUserAncestor(world, parentOwner, cred.userns), RULE_PID_OWNER_OUTSIDE);
    check(parent.level + 1 <= MAX_PID_NS_LEVEL, RULE_PID_NESTING, `the parent pid namespace is at level ${parent.level}`);
  }
}

export interface CreatedNamespaces {
  ns: Record<'cgroup' | 'ipc' | 'mnt' | 'net' | 'uts', NsId>;
  pidForChildren: NsId;
  timeForChildren: NsId;
  cred: Credentials;
}

/**
 * Build the namespaces of `kinds` (after checkCreate passed) and return the nsproxy and creds the
 * new task (clone3) or the caller (unshare) gets. Kinds not in `kinds` are the caller's: its
 * active namespaces, and its pid_for_children / time_for_children.
 */
export function createNamespaces(world: World, caller: Process, kinds: readonly NamespaceType[]): CreatedNamespaces {
  let cred: Credentials = { ...caller.cred };
  if (kinds.includes('user')) {
    const parent = userNs(world, caller.cred.userns);
    const created = addNamespace(world, {
      id: freshNsId(world, 'user'), kind: 'user', owner: parent.id, parent: parent.id, level: parent.level + 1,
      ownerKuid: caller.cred.uid, ownerKgid: caller.cred.gid,
      uidMap: null, gidMap: null,
      // create_user_ns: "ns->flags = parent_ns->flags" — a child of a setgroups-denied namespace starts denied.
      setgroups: parent.setgroups,
      parentCouldSetfcap: capableIn(world, caller.cred, parent.id),
    });
    // set_cred_user_ns(): the creator gets every capability in the new namespace; its ids stay.
    cred = { uid: caller.cred.uid, gid: caller.cred.gid, userns: created.id, caps: true };
  }
  const owner = cred.userns;
  const plain = (kind: 'cgroup' | 'ipc' | 'mnt' | 'net' | 'uts'): NsId =>
    kinds.includes(kind) ? addNamespace(world, { id: freshNsId(world, kind), kind, owner }).id : caller.ns[kind];
  // create_new_namespaces() order: mnt, uts, ipc, pid, cgroup, net, time.
  const mnt = plain('mnt');
  const uts = plain('uts');
  const ipc = plain('ipc');
  let pidForChildren = caller.pidForChildren;
  if (kinds.includes('pid')) {
    const parent = pidNs(world, caller.pidForChildren);
    pidForChildren = addNamespace(world, {
      id: freshNsId(world, 'pid'), kind: 'pid', owner, parent: parent.id, level: parent.level + 1,
      pids: new Map(), cursor: 1, init: null, dead: false, rebootSignal: null, opaque: false,
    }).id;
  }
  const cgroup = plain('cgroup');
  const net = plain('net');
  let timeForChildren = caller.timeForChildren;
  if (kinds.includes('time')) {
    // kernel/time/namespace.c clone_time_ns: the offsets of the old time_for_children, not frozen.
    const old = world.namespaces.get(caller.timeForChildren);
    const offsets = old?.kind === 'time' ? { ...old.offsets } : { monotonic: 0, boottime: 0 };
    timeForChildren = addNamespace(world, { id: freshNsId(world, 'time'), kind: 'time', owner, offsets, frozen: false }).id;
  }
  return { ns: { cgroup, ipc, mnt, net, uts }, pidForChildren, timeForChildren, cred };
}

/**
 * A task enters time namespace `ns` (a clone3 child entering its parent's time_for_children, or
 * setns): from now on its offsets are fixed (kernel/time/namespace.c timens_set_vvar_page sets
 * frozen_offsets; timens_offsets writes then give EACCES).
 */
export function enterTimeNamespace(world: World, ns: NsId): void {
  const time = world.namespaces.get(ns);
  if (time?.kind !== 'time') throw new Error(`${ns} is not a time namespace`);
  time.frozen = true;
}
