/**
 * Time namespaces: /proc/<pid>/timens_offsets (the offsets of the process's time_for_children
 * namespace; fs/proc/base.c timens_offsets_write → kernel/time/namespace.c
 * proc_timens_set_offset) and what a process's clocks show (clockOffset: the offsets of its
 * active time namespace; CLOCK_MONOTONIC and CLOCK_BOOTTIME only).
 */
import { proc, timeNs } from '../access.js';
import { capableOver } from '../creds.js';
import type { OpFn } from '../ops.js';
import { check, defineRule, success } from '../rules.js';
import { checkProcFileWrite, procFileTask } from './proc-file.js';
import type { ClockOffsetStep } from '../../ops/clock-offset.js';
import type { ReadTimeOffsetsStep } from '../../ops/read-time-offsets.js';
import type { WriteTimeOffsetsStep } from '../../ops/write-time-offsets.js';

/** KTIME_SEC_MAX: KTIME_MAX / NSEC_PER_SEC. */
const KTIME_SEC_MAX = 9_223_372_036;
/**
 * The kernel refuses an offset that would put the clock, now, below 0 or above KTIME_SEC_MAX / 2
 * (tp = the clock + offset), which depends on the host's clock. With the clocks in the world's
 * config the model checks exactly that (the harness passes them at the start of each scenario).
 * Without them it takes any uptime between |offset| and this bound: offsets below
 * -MODEL_MAX_UPTIME are ERANGE, negative offsets above it are taken to be smaller than the
 * uptime, and the upper end is KTIME_SEC_MAX / 2 - 1 (an uptime of at least a second).
 */
const MODEL_MAX_UPTIME = 1_000_000_000;

/** proc_timens_set_offset's range check for one offset, on a host whose clock reads `now` (s). */
function offsetInRange(seconds: number, now: number | undefined): boolean {
  if (seconds > KTIME_SEC_MAX || seconds < -KTIME_SEC_MAX) return false;
  // timespec64_add(tp, offset): whole seconds, as the driver writes 0 nanoseconds.
  const tp = now === undefined ? null : Math.floor(now) + seconds;
  // Without clocks: an uptime of at least 1 s and at most MODEL_MAX_UPTIME.
  if (tp === null) return seconds <= Math.floor(KTIME_SEC_MAX / 2) - 1 && seconds >= -MODEL_MAX_UPTIME;
  return tp >= 0 && tp <= Math.floor(KTIME_SEC_MAX / 2);
}

const RULE_OFFSETS_BAD = defineRule({
  id: 'timens.offsets-bad-line',
  calls: ['timens_offsets'],
  errno: 'EINVAL',
  kinds: ['time'],
  reason: 'timens_offsets: nothing written, or a line is not "<monotonic|boottime> <seconds> <nanoseconds>"',
  source: 'fs/proc/base.c timens_offsets_write',
});

const RULE_OFFSETS_EXITED = defineRule({
  id: 'timens.offsets-exited',
  calls: ['timens_offsets'],
  errno: 'ESRCH',
  kinds: ['time'],
  reason: 'timens_offsets: the process has exited (it has no time_for_children namespace any more)',
  source: 'kernel/time/namespace.c proc_timens_set_offset: timens_for_children_get() is NULL',
});

const RULE_OFFSETS_NO_CAP = defineRule({
  id: 'timens.offsets-no-cap',
  calls: ['timens_offsets'],
  errno: 'EPERM',
  kinds: ['time'],
  reason: 'timens_offsets: the writer lacks CAP_SYS_TIME over the user namespace that owns the time namespace',
  source: 'kernel/time/namespace.c proc_timens_set_offset: file_ns_capable(file, time_ns->user_ns, CAP_SYS_TIME)',
});

const RULE_OFFSETS_RANGE = defineRule({
  id: 'timens.offsets-range',
  calls: ['timens_offsets'],
  errno: 'ERANGE',
  kinds: ['time'],
  reason: 'timens_offsets: the offset would put the clock below 0 or above KTIME_SEC_MAX / 2 seconds',
  source: 'kernel/time/namespace.c proc_timens_set_offset (checked before EACCES)',
});

const RULE_OFFSETS_FROZEN = defineRule({
  id: 'timens.offsets-frozen',
  calls: ['timens_offsets'],
  errno: 'EACCES',
  kinds: ['time'],
  reason: 'timens_offsets: a process has already entered the time namespace; its offsets are fixed from then on',
  source: 'kernel/time/namespace.c proc_timens_set_offset: time_ns->frozen_offsets → -EACCES. time_namespaces(7) says only unshare(2) creates a time namespace; clone3(CLONE_NEWTIME) does too (6.18, checked), and its child enters it at once, so those offsets are fixed from the start',
});

const RULE_OFFSETS_WRITTEN = defineRule({
  id: 'timens.offsets-written',
  calls: ['timens_offsets'],
  errno: null,
  kinds: ['time'],
  reason: 'timens_offsets: the offsets of the process\'s time_for_children namespace are set (the clocks of processes that enter it later show them)',
});

const RULE_OFFSETS_READ = defineRule({
  id: 'timens.offsets-read',
  calls: ['timens_offsets'],
  errno: null,
  kinds: ['time'],
  reason: 'timens_offsets: the offsets of the process\'s time_for_children namespace',
});

const RULE_OFFSETS_READ_EXITED = defineRule({
  id: 'timens.offsets-read-exited',
  calls: ['timens_offsets'],
  errno: null,
  kinds: ['time'],
  reason: 'timens_offsets of an exited process is empty (it has no time_for_children namespace any more); read as zero offsets',
  source: 'kernel/time/namespace.c proc_timens_show_offsets: nothing shown when timens_for_children_get() is NULL',
});

const RULE_CLOCK = defineRule({
  id: 'timens.clock-offset',
  calls: ['clock_gettime'],
  errno: null,
  kinds: ['time'],
  reason: 'clock_gettime: CLOCK_MONOTONIC and CLOCK_BOOTTIME read the host\'s clock plus the offsets of the caller\'s active time namespace',
  source: 'kernel/time/namespace.c, vdso time namespace page',
});

export const writeTimeOffsets: OpFn<WriteTimeOffsetsStep> = (world, step) => {
  const caller = proc(world, step.proc);
  // /proc/<tid>/timens_offsets of a thread: its own nsproxy's time_for_children.
  const { proc: target, nsproxy } = procFileTask(world, step.target, 'timens_offsets');
  checkProcFileWrite(world, caller, target, 'timens_offsets');
  // At most two lines are read from one write (ARRAY_SIZE(offsets)); the rest is not consumed.
  const offsets = step.offsets.slice(0, 2);
  check(offsets.length > 0 && offsets.every((o) => Number.isInteger(o.seconds)), RULE_OFFSETS_BAD);
  check(target.state !== 'zombie', RULE_OFFSETS_EXITED);
  const ns = timeNs(world, nsproxy.timeForChildren);
  check(capableOver(world, caller, ns.id), RULE_OFFSETS_NO_CAP);
  for (const { clock, seconds } of offsets) {
    check(offsetInRange(seconds, world.config.clocks?.[clock]), RULE_OFFSETS_RANGE, `${clock} ${seconds}`);
  }
  check(!ns.frozen, RULE_OFFSETS_FROZEN);
  for (const { clock, seconds } of offsets) ns.offsets[clock] = seconds;
  return success(RULE_OFFSETS_WRITTEN);
};

export const readTimeOffsets: OpFn<ReadTimeOffsetsStep> = (world, step) => {
  const { proc: target, nsproxy } = procFileTask(world, step.target, 'timens_offsets');
  if (target.state === 'zombie') return success(RULE_OFFSETS_READ_EXITED, { monotonic: 0, boottime: 0 });
  const { monotonic, boottime } = timeNs(world, nsproxy.timeForChildren).offsets;
  return success(RULE_OFFSETS_READ, { monotonic, boottime });
};

export const clockOffset: OpFn<ClockOffsetStep> = (world, step) => {
  const caller = proc(world, step.proc);
  return success(RULE_CLOCK, timeNs(world, caller.ns.time).offsets[step.clock]);
};
