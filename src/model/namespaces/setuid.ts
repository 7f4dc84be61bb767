/**
 * setresgid(id, id, id) then setresuid(id, id, id), ids as the caller sees them (kernel/sys.c
 * __sys_setresgid / __sys_setresuid; security/commoncap.c cap_emulate_setxuid). Two system calls:
 * when the second fails the first has happened (the gid is changed, the result is the error).
 * The id is a uid_t: -1 and 4294967295 are the same value, (uid_t)-1, which both calls take as
 * "keep this id" — no mapping or capability check, no change.
 */
import { proc } from '../access.js';
import { capableIn, toKernelId } from '../creds.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import type { Process, World } from '../world.js';
import { noteCredChange } from './dumpable.js';
import type { SetuidStep } from '../../ops/setuid.js';

const RULE_SETGID_UNMAPPED = defineRule({
  id: 'userns.setgid-unmapped',
  calls: ['setresgid'],
  errno: 'EINVAL',
  reason: 'setresgid: the gid has no mapping in the caller\'s user namespace (write gid_map first)',
  source: 'kernel/sys.c __sys_setresgid: !gid_valid(make_kgid(ns, rgid))',
});

const RULE_SETGID_NO_CAP = defineRule({
  id: 'userns.setgid-no-cap',
  calls: ['setresgid'],
  errno: 'EPERM',
  reason: 'setresgid: changing to another gid needs CAP_SETGID in the caller\'s user namespace',
  source: 'kernel/sys.c __sys_setresgid: ns_capable_setid(old->user_ns, CAP_SETGID)',
});

const RULE_SETUID_UNMAPPED = defineRule({
  id: 'userns.setuid-unmapped',
  calls: ['setresuid'],
  errno: 'EINVAL',
  reason: 'setresuid: the uid has no mapping in the caller\'s user namespace (write uid_map first)',
  source: 'kernel/sys.c __sys_setresuid: !uid_valid(make_kuid(ns, ruid))',
});

const RULE_SETUID_NO_CAP = defineRule({
  id: 'userns.setuid-no-cap',
  calls: ['setresuid'],
  errno: 'EPERM',
  reason: 'setresuid: changing to another uid needs CAP_SETUID in the caller\'s user namespace',
  source: 'kernel/sys.c __sys_setresuid: ns_capable_setid(old->user_ns, CAP_SETUID)',
});

const RULE_SETUID_KEEP = defineRule({
  id: 'userns.setuid-keep',
  calls: ['setresuid'],
  errno: null,
  reason: 'setresgid + setresuid with (uid_t)-1 (-1 or 4294967295): every id is kept; nothing is checked and nothing changes',
  source: 'kernel/sys.c __sys_setresuid / __sys_setresgid: "if (ruid != (uid_t) -1 …)" on each check; no change → return 0',
});

/** (uid_t)-1: "keep" to setresuid / setresgid. */
const KEEP_ID = 4_294_967_295;

const RULE_SETUID_OK = defineRule({
  id: 'userns.setuid-ok',
  calls: ['setresuid'],
  errno: null,
  reason: 'setresgid + setresuid: the ids changed; leaving uid 0 of the caller\'s user namespace drops every capability, and the process stops being dumpable when its ids change',
  source: 'security/commoncap.c cap_emulate_setxuid; kernel/cred.c commit_creds (set_dumpable)',
});

function setIds(world: World, p: Process, uid: number, gid: number, caps: boolean): void {
  const old = p.cred;
  p.cred = { ...old, uid, gid, caps };
  noteCredChange(world, p, old);
}

export const setuid: OpFn<SetuidStep> = (world, step) => {
  const caller = proc(world, step.proc);
  const id = step.id >>> 0; // as the uid_t / gid_t parameter holds it
  if (id === KEEP_ID) return success(RULE_SETUID_KEEP);
  const ns = caller.cred.userns;
  const capable = capableIn(world, caller.cred, ns);

  const kgid = toKernelId(world, ns, id, 'gid');
  check(kgid !== null, RULE_SETGID_UNMAPPED, `gid ${id}`);
  check(capable || kgid === caller.cred.gid, RULE_SETGID_NO_CAP, `gid ${id}`);
  if (kgid !== caller.cred.gid) setIds(world, caller, caller.cred.uid, kgid, caller.cred.caps);

  const kuid = toKernelId(world, ns, id, 'uid');
  check(kuid !== null, RULE_SETUID_UNMAPPED, `uid ${id}`);
  check(capable || kuid === caller.cred.uid, RULE_SETUID_NO_CAP, `uid ${id}`);
  // cap_emulate_setxuid: from holding uid 0 (of the caller's user namespace) to not: caps dropped.
  const root = toKernelId(world, ns, 0, 'uid');
  const dropsRoot = caller.cred.uid === root && kuid !== root;
  if (kuid !== caller.cred.uid) setIds(world, caller, kuid, caller.cred.gid, caller.cred.caps && !dropsRoot);
  return success(RULE_SETUID_OK);
};
