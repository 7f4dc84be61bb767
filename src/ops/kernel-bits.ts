/** Flag names to the bits the system calls take, for the ops' kernel sides. */
import { kindOf, type NamespaceType } from '../kinds.js';

/** The bit of each name (a TypeError for a name the table does not have). */
export function bitsOf<K extends string, N>(table: Readonly<Record<K, N>>, names: readonly K[] | undefined, what: string): N[] {
  return (names ?? []).map((name) => {
    if (!Object.hasOwn(table, name)) throw new TypeError(`unknown ${what} ${JSON.stringify(name)}`);
    return table[name];
  });
}

/** The CLONE_NEW* bits of the kinds. */
export function nsMask(kinds: readonly NamespaceType[] | undefined): number {
  return (kinds ?? []).reduce((mask, kind) => mask | kindOf(kind).flag, 0);
}
