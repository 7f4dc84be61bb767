/**
 * The types of a spawned child's stdin / stdout / stderr, from the stdio option as written: a
 * slot that is certainly a pipe ('pipe', the default) is a Socket, one that certainly is not
 * ('inherit', 'ignore', an fd) is null, and one the types cannot tell is Socket | null. So the
 * common `spawn(…).stdout.pipe(…)` needs no null check under strict TypeScript.
 */
import type { Socket } from 'node:net';

/** What stdio slot I is set to; undefined where the option leaves it to the default. */
export type SlotValue<S, I extends number> = S extends readonly unknown[]
  ? `${I}` extends keyof S
    ? S[`${I}` & keyof S]
    : number extends S['length']
      ? S[number] | undefined
      : undefined
  : S;

/** 'pipe': certainly a pipe; 'none': certainly not; 'maybe': either. */
export type PipeKind<V> = [V] extends ['pipe' | null | undefined] ? 'pipe' : 'pipe' extends V ? 'maybe' : null extends V ? 'maybe' : undefined extends V ? 'maybe' : 'none';

/** The stream of slot I (0-2) for a stdio option S. */
export type StdioStream<S, I extends 0 | 1 | 2> = PipeKind<SlotValue<S, I>> extends 'pipe' ? Socket : PipeKind<SlotValue<S, I>> extends 'none' ? null : Socket | null;

/** The stdio option of an options object type (undefined when it has none). */
export type StdioOption<O> = O extends {
  /** SpawnOptions.stdio, as the options object's type has it. */
  stdio?: infer S;
} ? S : undefined;
