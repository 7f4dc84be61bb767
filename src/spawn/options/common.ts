/** Helpers the option groups share. */
import { kindOf, type NamespaceType } from '../../kinds.js';
import { ownElement } from '../../validate.js';

/** The options object as a group reads it: only its own keys, each still unchecked. */
export type Given<Keys extends readonly string[]> = { readonly [Key in Keys[number]]?: unknown };

/** Like Array.prototype.map, but holes of sparse arrays are visited (as undefined, never inherited). */
export function mapEntries<T>(array: readonly unknown[], each: (value: unknown, index: number) => T): T[] {
  return Array.from({ length: array.length }, (_, i) => each(ownElement(array, i), i));
}

export function requireCreated(creates: ReadonlySet<NamespaceType>, type: NamespaceType, option: string): void {
  if (!creates.has(type)) throw new RangeError(`${option} requires a new ${type} namespace (namespaces.${type})`);
}

export function maskOf(kinds: Iterable<NamespaceType>): number {
  let mask = 0;
  for (const type of kinds) mask |= kindOf(type).flag;
  return mask;
}
