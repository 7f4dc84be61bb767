/**
 * How the program's life is tied to ours: killOnParentDeath (PR_SET_PDEATHSIG), an AbortSignal
 * and the signal it sends, and `init` (read earlier by init-option.ts, which rewrites the spawn).
 */
import { constants } from 'node:os';
import { checkSignal, describe } from '../../validate.js';
import type { Given } from './common.js';

export const lifetimeKeys = ['killOnParentDeath', 'signal', 'killSignal', 'init'] as const;

export interface Lifetime {
  /** PR_SET_PDEATHSIG's signal, or 0. */
  pdeathSignal: number;
  signal: AbortSignal | undefined;
  killSignal: number;
}

function checkPdeathSignal(value: unknown): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return constants.signals.SIGKILL;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TypeError(`options.killOnParentDeath must be a boolean or a signal, got ${describe(value)}`);
  }
  const signal = checkSignal(value, 'options.killOnParentDeath');
  if (signal === 0) throw new RangeError('options.killOnParentDeath must be a signal from 1 to 64 (0 would send nothing)');
  return signal;
}

function checkAbortSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new TypeError(`options.signal must be an AbortSignal, got ${describe(value)}`);
  return value;
}

export function checkLifetime(options: Given<typeof lifetimeKeys>): Lifetime {
  return {
    pdeathSignal: checkPdeathSignal(options.killOnParentDeath),
    signal: checkAbortSignal(options.signal),
    killSignal: options.killSignal === undefined ? checkSignal('SIGTERM') : checkSignal(options.killSignal, 'options.killSignal'),
  };
}
