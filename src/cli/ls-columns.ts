/** The columns of `nsbridge ls`: names as lsns spells them, JSON keys, alignment, and values. */
import { readFileSync } from 'node:fs';
import type { NamespaceEntry } from '../listing/types.js';

export interface Column {
  name: string;
  help: string;
  /** Numbers are right-aligned in tables (like lsns) and numbers in JSON. */
  numeric: boolean;
  value(entry: NamespaceEntry): string | number | null;
}

let users: Map<number, string> | undefined;

/** uid → user name from /etc/passwd (what lsns's USER shows); the number where unknown. */
export function userName(uid: number | null): string | null {
  if (uid === null) return null;
  if (users === undefined) {
    users = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== undefined && !users.has(Number(id))) users.set(Number(id), name);
      }
    } catch {
      /* no passwd: numbers only */
    }
  }
  return users.get(uid) ?? String(uid);
}

/** Inodes and ids are far below 2^53: exact as JSON numbers. */
const big = (value: bigint | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));

export const COLUMNS: readonly Column[] = [
  { name: 'NS', help: 'namespace identifier (inode number)', numeric: true, value: (e) => big(e.inode) },
  { name: 'TYPE', help: 'kind of namespace', numeric: false, value: (e) => e.type },
  { name: 'PATH', help: 'path to the namespace', numeric: false, value: (e) => e.path },
  { name: 'NPROCS', help: 'number of processes in the namespace', numeric: true, value: (e) => e.processes },
  { name: 'PID', help: 'lowest PID in the namespace', numeric: true, value: (e) => e.lowestPid },
  { name: 'PPID', help: 'PPID of the PID', numeric: true, value: (e) => e.ppid },
  { name: 'COMMAND', help: 'command line of the PID', numeric: false, value: (e) => e.command },
  { name: 'UID', help: 'UID of the PID', numeric: true, value: (e) => e.uid },
  { name: 'USER', help: 'username of the PID', numeric: false, value: (e) => userName(e.uid) },
  { name: 'NSFS', help: 'nsfs mount points holding it', numeric: false, value: (e) => (e.holders.mounts.length ? e.holders.mounts.join(',') : null) },
  { name: 'PNS', help: 'parent namespace identifier (inode number)', numeric: true, value: (e) => big(e.parent) },
  { name: 'ONS', help: 'owner namespace identifier (inode number)', numeric: true, value: (e) => big(e.owner?.inode) },
  { name: 'OUID', help: 'UID that owns the owner namespace', numeric: true, value: (e) => e.owner?.uid ?? null },
  { name: 'ID', help: 'kernel namespace id (NS_GET_ID)', numeric: true, value: (e) => big(e.id) },
  {
    name: 'HOLDER',
    help: 'what keeps it alive without a process: mounts and pid:fd',
    numeric: false,
    value: (e) => [...e.holders.mounts, ...e.holders.fds.map((h) => `${h.pid}:${h.fd}`)].join(',') || null,
  },
];

export const DEFAULT_COLUMNS = ['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND'];

const byName = new Map(COLUMNS.map((c) => [c.name, c]));

/** The columns of an -o list (case-insensitive, comma-separated); the unknown name, if any. */
export function parseColumns(list: string): { columns: Column[] } | { unknown: string } {
  const columns: Column[] = [];
  for (const raw of list.split(',')) {
    const column = byName.get(raw.trim().toUpperCase());
    if (column === undefined) return { unknown: raw };
    columns.push(column);
  }
  return { columns };
}
