/** The new time namespace's clock offsets, rendered as /proc/<pid>/timens_offsets takes them. */
import type { NativeSpawnPlan } from '../../native/binding.js';
import type { NamespaceType } from '../../kinds.js';
import { checkKeys, checkObject, describe } from '../../validate.js';
import { requireCreated, type Given } from './common.js';

export const timeKeys = ['timeOffsets'] as const;

const NSEC_PER_SEC = 1_000_000_000n;
// timens_offsets refuses |seconds| > KTIME_SEC_MAX = KTIME_MAX / NSEC_PER_SEC with ERANGE.
const KTIME_SEC_MAX = 9_223_372_036n;

/** An offset as (seconds, nanoseconds 0..999999999), flooring negative values like a timespec. */
function timeOffset(value: unknown, name: string): [bigint, bigint] {
  let secs: bigint;
  let nsecs: bigint;
  if (typeof value === 'bigint') {
    secs = value / NSEC_PER_SEC;
    nsecs = value % NSEC_PER_SEC;
    if (nsecs < 0n) {
      secs -= 1n;
      nsecs += NSEC_PER_SEC;
    }
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of seconds, got ${describe(value)}`);
    let whole = Math.floor(value);
    let frac = Math.round((value - whole) * 1e9);
    if (frac === 1e9) {
      whole += 1;
      frac = 0;
    }
    secs = BigInt(whole);
    nsecs = BigInt(frac);
  } else {
    throw new TypeError(`${name} must be a bigint (nanoseconds) or a number (seconds), got ${describe(value)}`);
  }
  if (secs > KTIME_SEC_MAX || secs < -KTIME_SEC_MAX) {
    throw new RangeError(`${name} must be within ±${KTIME_SEC_MAX} seconds, got ${describe(value)}`);
  }
  return [secs, nsecs];
}

export type TimePlan = Pick<NativeSpawnPlan, 'timeOffsets'>;

export function checkTime({ timeOffsets: value }: Given<typeof timeKeys>, creates: ReadonlySet<NamespaceType>): TimePlan {
  if (value === undefined) return { timeOffsets: null };
  const offsets = checkObject(value, 'options.timeOffsets');
  checkKeys(offsets, ['monotonic', 'boottime'], 'options.timeOffsets key');
  let text = '';
  for (const clock of ['monotonic', 'boottime'] as const) {
    if (offsets[clock] === undefined) continue;
    const [secs, nsecs] = timeOffset(offsets[clock], `options.timeOffsets.${clock}`);
    text += `${clock} ${secs} ${nsecs}\n`;
  }
  if (text === '') throw new RangeError('options.timeOffsets must set monotonic and/or boottime');
  requireCreated(creates, 'time', 'options.timeOffsets');
  return { timeOffsets: text };
}
