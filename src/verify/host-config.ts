/**
 * Where this process sits in the pid- and user-namespace trees, for the model's world: the nesting
 * limits count absolute levels, so a harness running inside a container must tell the model how
 * deep the host's namespaces already are.
 */
import { readFileSync } from 'node:fs';
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
 * seconds, now: a time-namespace offset is in range or not depending on them.
 */
export function hostClocks(): NonNullable<WorldConfig['clocks']> {
  return { monotonic: Number(process.hrtime.bigint()) / 1e9, boottime: Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) };
}
