/** The program's credentials: setresuid / setresgid / setgroups before the exec. */
import type { NativeSpawnPlan } from '../../native/binding.js';
import { checkArray, checkId } from '../../validate.js';
import { mapEntries, type Given } from './common.js';

export const credentialKeys = ['uid', 'gid', 'groups'] as const;

// setgroups(2) takes at most NGROUPS_MAX (65536) groups.
const NGROUPS_MAX = 65536;

export interface Credentials {
  uid: number | undefined;
  gid: number | undefined;
  groups: number[] | null;
}

export function checkCredentials(options: Given<typeof credentialKeys>): Credentials {
  return {
    uid: options.uid === undefined ? undefined : checkId(options.uid, 'options.uid'),
    gid: options.gid === undefined ? undefined : checkId(options.gid, 'options.gid'),
    groups:
      options.groups === undefined
        ? null
        : mapEntries(checkArray(options.groups, 'options.groups', 0, NGROUPS_MAX), (id, i) => checkId(id, `options.groups[${i}]`)),
  };
}

type CredentialPlan = Pick<NativeSpawnPlan, 'uid' | 'gid' | 'groups'>;

/** `joinsUser`: whether a user namespace is actually joined (after the identical-namespace skip). */
export function credentialPlan(credentials: Credentials, joinsUser: boolean, preserveCredentials: boolean): CredentialPlan {
  let { uid, gid } = credentials;
  // Like nsenter: entering a user namespace makes the program root there (uid and gid 0, each
  // unless given) unless the credentials are to be preserved (then only given ids change).
  if (joinsUser && !preserveCredentials) {
    uid ??= 0;
    gid ??= 0;
  }
  return { uid: uid ?? -1, gid: gid ?? -1, groups: credentials.groups };
}
