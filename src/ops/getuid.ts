/**
 * The scenario op 'getuid' — getuid(2) and getgid(2): the caller's ids as its own user namespace
 * maps them. An id with no mapping there (a new user namespace before its maps are written)
 * shows as the overflow id, 65534 (kernel/sys.c getuid: from_kuid_munged(current_user_ns(), …)).
 */
import { proc } from '../model/access.js';
import { shownId } from '../model/creds.js';
import { name, oneOf } from '../model/fields.js';
import { defineRule, success } from '../model/rules.js';
import type { ProcName } from '../model/steps.js';
import { NOTHING_MORE, type OpDescriptor } from './descriptor.js';

/** getuid(2) or getgid(2). Result: the id in the caller's user namespace (65534 where unmapped). */
export interface GetuidStep {
  /** getuid(2) / getgid(2). */
  op: 'getuid';
  /** The process that makes the call. */
  proc: ProcName;
  /** Which id: 'uid' (getuid, the default) or 'gid' (getgid). */
  which?: 'uid' | 'gid';
}

const RULE_GETUID = defineRule({
  id: 'userns.getuid-shown',
  calls: ['getuid', 'getgid'],
  errno: null,
  reason: "getuid/getgid: the caller's id as its own user namespace maps it; an unmapped id shows as the overflow id (65534)",
  source: 'kernel/sys.c getuid / getgid: from_kuid_munged(current_user_ns(), current_uid()); overflowuid is /proc/sys/kernel/overflowuid (65534 by default)',
});

export const getuidOp: OpDescriptor<GetuidStep> = {
  shape: [{ proc: name }, { which: oneOf(['uid', 'gid']) }],
  model(world, step) {
    const caller = proc(world, step.proc);
    const which = step.which ?? 'uid';
    return success(RULE_GETUID, shownId(world, caller.cred.userns, which === 'uid' ? caller.cred.uid : caller.cred.gid, which));
  },
  kernel: {
    schema: { handler: 'Getuid', args: [{ enum: ['uid', 'gid'] }], reply: ['int'] },
    encode: (step) => [step.which ?? 'uid'],
    decode: ([id]) => id,
  },
  requires: NOTHING_MORE,
  random: { weight: 1, make: (r) => ({ op: 'getuid', proc: r.proc, ...(r.bits & 1 ? { which: 'gid' as const } : {}) }) },
};
