/** The new network namespace's setup: loopback (lo up before the program runs). */
import type { NativeSpawnPlan } from '../../native/binding.js';
import type { NamespaceType } from '../../kinds.js';
import { checkBoolean } from '../../validate.js';
import { requireCreated, type Given } from './common.js';

export const networkKeys = ['loopback'] as const;

export type NetworkPlan = Pick<NativeSpawnPlan, 'loopbackUp'>;

/** A new network namespace starts with lo down (ENETUNREACH for 127.0.0.1 and ::1). */
export function checkNetwork({ loopback }: Given<typeof networkKeys>, creates: ReadonlySet<NamespaceType>): NetworkPlan {
  if (loopback === undefined || !checkBoolean(loopback, 'options.loopback')) return { loopbackUp: false };
  requireCreated(creates, 'net', 'options.loopback');
  return { loopbackUp: true };
}
