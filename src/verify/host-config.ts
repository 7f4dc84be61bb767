/**
 * Where this process sits in the pid- and user-namespace trees, for the model's world: the nesting
 * limits count absolute levels, so a harness running inside a container must tell the model how
 * deep the host's namespaces already are.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { WorldConfig } from '../model/world.js';
import { isSystemError } from '../errors.js';
import { nsGetParent, openNamespaceFile } from '../raw.js';

/** NSpid of /proc/self/status has one entry per level from the proc mount's namespace down. */
function pidLevel(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('NSpid:'));
  return line === undefined ? 0 : line.trim().split(/\s+/).length - 2;
}

/** Walk NS_GET_PARENT up from our user namespace; EPERM marks the initial one (or our view's top). */
function userLevel(): number {
  let level = 0;
  let current = openNamespaceFile('/proc/self/ns/user');
  try {
    for (;;) {
      let parent;
      try {
        parent = nsGetParent(current.fd);
      } catch (error) {
        if (isSystemError(error, 'EPERM')) return level;
        throw error;
      }
      current.close();
      current = parent;
      level++;
    }
  } finally {
    current.close();
  }
}

export function hostWorldConfig(): WorldConfig {
  return { hostPidLevel: pidLevel(), hostUserLevel: userLevel() };
}

/**
 * The host's CLOCK_MONOTONIC (Node's hrtime reads it) and CLOCK_BOOTTIME (/proc/uptime), in
 * seconds, now: a time-namespace offset is in range or not depending on them. The kernel judges
 * against its own clocks, not a time namespace's, so where this process is in a time namespace
 * with offsets (and has entered it: ns/time is ns/time_for_children, whose offsets
 * /proc/self/timens_offsets shows) they are taken off.
 */
export function hostClocks(): NonNullable<WorldConfig['clocks']> {
  const own = { monotonic: Number(process.hrtime.bigint()) / 1e9, boottime: Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) };
  let offsets: string;
  try {
    if (readlinkSync('/proc/self/ns/time') !== readlinkSync('/proc/self/ns/time_for_children')) return own;
    offsets = readFileSync('/proc/self/timens_offsets', 'latin1');
  } catch {
    return own; // no time namespaces on this kernel
  }
  for (const line of offsets.split('\n')) {
    const [clock, seconds, nanoseconds] = line.trim().split(/\s+/);
    const shift = Number(seconds) + Number(nanoseconds) / 1e9;
    if ((clock === 'monotonic' || clock === 'boottime') && Number.isFinite(shift)) own[clock] -= shift;
  }
  return own;
}
