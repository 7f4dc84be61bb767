/**
 * /proc/<pid>/setgroups of the process's user namespace (kernel/user_namespace.c
 * proc_setgroups_open / proc_setgroups_write / proc_setgroups_show). "deny" is needed before an
 * unprivileged process may write its own gid_map; it is permanent, and it cannot be written
 * once the gid_map is set.
 */
import { proc, userNs } from '../access.js';
import { capableIn } from '../creds.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import { checkProcFileWrite, procFileTarget } from './proc-file.js';
import type { ReadSetgroupsStep } from '../../ops/read-setgroups.js';
import type { WriteSetgroupsStep } from '../../ops/write-setgroups.js';

const RULE_SETGROUPS_NO_CAP = defineRule({
  id: 'userns.setgroups-no-cap',
  calls: ['setgroups'],
  errno: 'EACCES',
  reason: '/proc/<pid>/setgroups: opening it for writing needs CAP_SYS_ADMIN in the process\'s user namespace',
  source: 'kernel/user_namespace.c proc_setgroups_open: ns_capable(ns, CAP_SYS_ADMIN) → -EACCES',
});

const RULE_SETGROUPS_DENIED = defineRule({
  id: 'userns.setgroups-deny-is-permanent',
  calls: ['setgroups'],
  errno: 'EPERM',
  reason: '/proc/<pid>/setgroups: "allow" after "deny" (denying is permanent, and children of the namespace inherit it)',
  source: 'kernel/user_namespace.c proc_setgroups_write',
});

const RULE_SETGROUPS_AFTER_GID_MAP = defineRule({
  id: 'userns.setgroups-after-gid-map',
  calls: ['setgroups'],
  errno: 'EPERM',
  reason: '/proc/<pid>/setgroups: "deny" after the gid_map was written (deny must come first)',
  source: 'kernel/user_namespace.c proc_setgroups_write: "if (ns->gid_map.nr_extents != 0) goto out_unlock"',
});

const RULE_SETGROUPS_WRITTEN = defineRule({
  id: 'userns.setgroups-written',
  calls: ['setgroups'],
  errno: null,
  reason: '/proc/<pid>/setgroups: written',
});

const RULE_SETGROUPS_READ = defineRule({
  id: 'userns.setgroups-read',
  calls: ['setgroups'],
  errno: null,
  reason: '/proc/<pid>/setgroups: "allow" or "deny"',
});

export const writeSetgroups: OpFn<WriteSetgroupsStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const target = procFileTarget(world, step.target, 'setgroups');
  checkProcFileWrite(world, caller, target, 'setgroups');
  const ns = userNs(world, target.cred.userns);
  check(capableIn(world, caller.cred, ns.id), RULE_SETGROUPS_NO_CAP);
  if (step.value === 'allow') {
    check(ns.setgroups === 'allow', RULE_SETGROUPS_DENIED);
  } else {
    check(ns.gidMap === null, RULE_SETGROUPS_AFTER_GID_MAP);
    ns.setgroups = 'deny';
  }
  return success(RULE_SETGROUPS_WRITTEN);
};

export const readSetgroups: OpFn<ReadSetgroupsStep> = (world, step) => {
  const target = procFileTarget(world, step.target, 'setgroups');
  return success(RULE_SETGROUPS_READ, userNs(world, target.cred.userns).setgroups);
};
