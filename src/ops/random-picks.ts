/** The choices random sequences pick from, shared by the ops' generators. */
import { NAMESPACE_TYPES, type NamespaceType } from '../kinds.js';
import type { CloneFlag, NsEntry, SignalName } from '../model/steps.js';

/** Signals random steps send or catch. */
export const SIGNAL_CHOICES: readonly SignalName[] = ['SIGTERM', 'SIGKILL', 'SIGUSR1', 'SIGHUP', 'SIGCHLD', 'SIGINT', 'SIGUSR2', 'SIGCONT'];
/** Every /proc/<pid>/ns entry. */
export const ENTRIES: readonly NsEntry[] = [...NAMESPACE_TYPES, 'pid_for_children', 'time_for_children'];
/** clone3 flags random steps add to a fork-style child. */
export const EXTRA_CLONE_FLAGS: readonly CloneFlag[] = ['parent', 'fs', 'files', 'sysvsem'];

/** The item `n` picks (modulo the length). */
export function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

/** Up to two namespace kinds from the bits (most steps create one or none). */
export function kindsFrom(bits: number): NamespaceType[] {
  const first = bits & 0xf;
  const second = (bits >> 4) & 0xf;
  const kinds = new Set<NamespaceType>();
  if (first < NAMESPACE_TYPES.length) kinds.add(NAMESPACE_TYPES[first]!);
  if (second < NAMESPACE_TYPES.length && bits & 0x100) kinds.add(NAMESPACE_TYPES[second]!);
  return [...kinds];
}
