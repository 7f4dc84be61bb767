// What the soak compares before and after: this process's fds, mounts, zombie children, other
// children, and memory (VmRSS after a full GC, VmHWM for the peak). The /proc reading of fds,
// mounts and zombies is the test suite's (test/helpers/proc-state.mjs).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import v8 from 'node:v8';
import { hostState, zombieChildren } from '../../test/helpers/proc-state.mjs';

const MiB = 1024 * 1024;

/** A field of /proc/self/status in bytes (VmRSS, VmHWM are given in kB). */
function statusBytes(field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (match === null) throw new Error(`no ${field} in /proc/self/status`);
  return Number(match[1]) * 1024;
}

/** Pids of every process whose parent is this one, in any state. */
export function childProcesses() {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) found.push(Number(entry));
    } catch {
      /* exited while we looked */
    }
  }
  return found;
}

/**
 * A full collection (needs --expose-gc), repeated across loop turns: Node 20 runs the finalizers
 * of collected addon objects (OwnedFd, FdWatcher: napi_wrap) from a setImmediate after the GC,
 * and only then is their native memory freed and what they referenced collectable. One gc()
 * alone overstates what is retained by everything created since the last turn of the loop.
 */
async function collectGarbage() {
  if (typeof globalThis.gc !== 'function') throw new Error('soak: gc() is missing: run node with --expose-gc');
  for (let round = 0; round < 3; round++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** VmRSS after a full collection, in MiB. */
export async function rssAfterGc() {
  await collectGarbage();
  return statusBytes('VmRSS') / MiB;
}

export const peakRss = () => statusBytes('VmHWM') / MiB;

/**
 * V8's share of the memory (call after rssAfterGc): what JS objects hold, the young generation's
 * resident size (V8 grows it with the allocation rate; scripts/soak.mjs pins it), and memory
 * held outside the JS heap by JS objects.
 */
export function heapFigures() {
  const usage = process.memoryUsage();
  const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return { heapUsedMiB: usage.heapUsed / MiB, newSpaceMiB: (newSpace?.physical_space_size ?? 0) / MiB, externalMiB: usage.external / MiB };
}

/** fds, mounts, zombie children and all children (no GC: cheap enough to repeat). */
function processState() {
  const { fds, mounts } = hostState();
  return { fds, mounts, zombies: zombieChildren(), children: childProcesses() };
}

const same = (a, b) => JSON.stringify([a.fds, a.mounts, a.children]) === JSON.stringify([b.fds, b.mounts, b.children]);

/**
 * The state with RSS after a full GC. With `before`, waits for it to settle first: libuv closes
 * some fds (a pidfd watch's duplicate, a socket) a loop turn after the handle is done with, so
 * fds and children are compared again for a bounded number of turns (1 s) before a difference
 * counts, like expectUnchanged() in test/helpers/host-state.ts.
 */
export async function snapshot(before) {
  let now = processState();
  for (let turn = 0; before !== undefined && turn < 200 && !(same(now, before) && now.zombies.length === 0); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    now = processState();
  }
  return { ...now, fdTargets: Object.fromEntries(now.fds.map((fd) => [fd, fdTarget(fd)])), rssMiB: await rssAfterGc(), peakMiB: peakRss(), ...heapFigures() };
}

/** What /proc/self/fd/<n> points at, so that a leaked fd can be named in the report. */
function fdTarget(fd) {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '(closed)';
  }
}
