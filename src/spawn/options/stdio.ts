/** The program's stdio slots, as child_process takes them. */
import { checkFd, classProperty, describe } from '../../validate.js';
import { mapEntries, type Given } from './common.js';

/**
 * One stdio slot, as child_process takes it: 'pipe' (a socketpair: this process gets a Socket),
 * 'inherit' (this process's fd of the same number), 'ignore' (/dev/null for slots 0-2, closed
 * beyond), an fd of this process, an object with an fd (a FileHandle, a net.Socket), or
 * null / undefined: 'pipe' for slots 0-2, 'ignore' beyond.
 */
export type StdioSlotOption =
  | 'pipe' | 'inherit' | 'ignore' | number
  | {
      /** An open fd of this process to give the program in this slot (a FileHandle's fd). */
      fd: number;
    }
  | {
      /** The native handle of a Node stream (a net.Socket's), whose fd the slot gets. */
      _handle: {
        /** The handle's fd in this process. */
        fd: number;
      };
    }
  | null | undefined;

export const stdioKeys = ['stdio'] as const;

export type StdioSlot = { kind: 'pipe' } | { kind: 'ignore' } | { kind: 'fd'; fd: number };

// The native plan parser's limit too (kMaxStdioSlots, native/spawn/spawn_limits.h).
const MAX_STDIO_SLOTS = 1024;

function checkStdioSlot(value: unknown, index: number): StdioSlot {
  const name = `options.stdio[${index}]`;
  if (value === undefined || value === null) return index < 3 ? { kind: 'pipe' } : { kind: 'ignore' };
  if (value === 'pipe' || value === 'ignore') return { kind: value };
  if (value === 'inherit') return { kind: 'fd', fd: index };
  if (typeof value === 'number') return { kind: 'fd', fd: checkFd(value, name) };
  if (typeof value === 'object') {
    // The object's or its class's own (a FileHandle's fd getter, a socket's _handle, whose fd is a
    // getter of the native handle class), never Object.prototype's: that would be pollution.
    const fd = classProperty(value, 'fd');
    const handle = classProperty(value, '_handle');
    if (typeof fd === 'number') return { kind: 'fd', fd: checkFd(fd, `${name}.fd`) };
    const handleFd = typeof handle === 'object' && handle !== null ? classProperty(handle, 'fd') : undefined;
    if (typeof handleFd === 'number') return { kind: 'fd', fd: checkFd(handleFd, `${name}._handle.fd`) };
  }
  throw new TypeError(`${name} must be 'pipe', 'inherit', 'ignore', null, an fd number or an object with an fd, got ${describe(value)}`);
}

export function checkStdio({ stdio }: Given<typeof stdioKeys>): StdioSlot[] {
  const value = stdio === undefined ? 'pipe' : stdio;
  if (value === 'pipe' || value === 'inherit' || value === 'ignore') return [0, 1, 2].map((i) => checkStdioSlot(value, i));
  if (!Array.isArray(value)) throw new TypeError(`options.stdio must be 'pipe', 'inherit', 'ignore' or an array, got ${describe(value)}`);
  if (value.length > MAX_STDIO_SLOTS) throw new RangeError(`options.stdio must have at most ${MAX_STDIO_SLOTS} slots, got ${value.length}`);
  return mapEntries(value, checkStdioSlot).concat(
    Array.from({ length: Math.max(0, 3 - value.length) }, () => ({ kind: 'pipe' }) as const),
  );
}

/** Per slot: whether it is a pipe (what an NsChild made for a failure needs). */
export function pipeSlots(stdio: readonly StdioSlot[]): boolean[] {
  return stdio.map((slot) => slot.kind === 'pipe');
}

/**
 * The plan's stdio: -1 for a pipe (a socketpair), an fd to dup, and for 'ignore' /dev/null (-2,
 * opened by the addon) in slots 0-2 and a closed fd (-3) beyond, like child_process.
 */
export function stdioPlan(stdio: readonly StdioSlot[]): number[] {
  return stdio.map((slot, i) => (slot.kind === 'pipe' ? -1 : slot.kind === 'ignore' ? (i < 3 ? -2 : -3) : slot.fd));
}
