/**
 * The namespace flags of `run` and `enter`, one per kind, with unshare(1)'s and nsenter(1)'s
 * letters. Each takes an optional file, attached only (`--net=FILE`): for run, a file to persist
 * the new namespace onto; for enter, a namespace file to join instead of the target's.
 */
import type { NamespaceType } from '../kinds.js';

export interface KindFlag {
  /** The commander attribute name (flags.pid, flags.mount, …). */
  key: 'pid' | 'net' | 'uts' | 'ipc' | 'mount' | 'user' | 'cgroup' | 'time';
  short: string;
  long: string;
  type: NamespaceType;
  /** What the namespace is, for the help texts. */
  what: string;
}

export const KIND_FLAGS: readonly KindFlag[] = [
  { key: 'pid', short: '-p', long: '--pid', type: 'pid', what: 'pid namespace' },
  { key: 'net', short: '-n', long: '--net', type: 'net', what: 'network namespace' },
  { key: 'uts', short: '-u', long: '--uts', type: 'uts', what: 'UTS namespace (hostname, domain name)' },
  { key: 'ipc', short: '-i', long: '--ipc', type: 'ipc', what: 'IPC namespace' },
  { key: 'mount', short: '-m', long: '--mount', type: 'mnt', what: 'mount namespace' },
  { key: 'user', short: '-U', long: '--user', type: 'user', what: 'user namespace' },
  { key: 'cgroup', short: '-C', long: '--cgroup', type: 'cgroup', what: 'cgroup namespace' },
  { key: 'time', short: '-T', long: '--time', type: 'time', what: 'time namespace' },
];

/** A kind flag's value: true when given bare, the file when given as --flag=FILE. */
type KindFlagValue = true | string | undefined;

/** The kind flags as commander hands them to a command's action. */
export type KindFlagValues = { [K in KindFlag['key']]?: KindFlagValue };
