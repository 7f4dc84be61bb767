/** The new uts namespace's names: hostname and domainname. */
import type { NativeSpawnPlan } from '../../native/binding.js';
import type { NamespaceType } from '../../kinds.js';
import { checkString, describe } from '../../validate.js';
import { requireCreated, type Given } from './common.js';

export const utsKeys = ['hostname', 'domainname'] as const;

// sethostname / setdomainname take at most __NEW_UTS_LEN (64) bytes.
const UTS_NAME_MAX = 64;

function checkUtsName(value: unknown, name: string, creates: ReadonlySet<NamespaceType>): string | null {
  if (value === undefined) return null;
  const text = checkString(value, name);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes < 1 || bytes > UTS_NAME_MAX) throw new RangeError(`${name} must be 1 to ${UTS_NAME_MAX} bytes (UTF-8), got ${bytes}: ${describe(text)}`);
  requireCreated(creates, 'uts', name);
  return text;
}

export type UtsPlan = Pick<NativeSpawnPlan, 'hostname' | 'domainname'>;

/** The names to set, checked: this group's part of the plan as it is. */
export function checkUts(options: Given<typeof utsKeys>, creates: ReadonlySet<NamespaceType>): UtsPlan {
  return {
    hostname: checkUtsName(options.hostname, 'options.hostname', creates),
    domainname: checkUtsName(options.domainname, 'options.domainname', creates),
  };
}
