/**
 * Capability checks, for the thread that asks: capabilities are per thread, and the kernel checks
 * the thread that makes a call (capget(2) through the addon; /proc/self/status would show the main
 * thread's, at ~80x the cost).
 */
import { addon } from './native/addon.js';

/** CAP_SETGID (linux/capability.h): set any gid; without it a gid_map needs setgroups 'deny' first. */
export const CAP_SETGID = 6;

/** Capability number `capability` (capabilities(7)) is in the calling thread's effective set, in its own user namespace. */
export function hasEffectiveCapability(capability: number): boolean {
  return ((addon().effectiveCapabilities() >> BigInt(capability)) & 1n) === 1n;
}
