/**
 * The columns of `nsbridge ls`, in lsns 2.38's order (then nsbridge's own): names as lsns spells
 * them, JSON keys and types, alignment, width hints, and values. The one table of columns: every
 * renderer (table, raw, JSON) and the -o parser read it.
 */
import { readFileSync } from '../sync-fs.js';
import type { NamespaceEntry } from '../listing/types.js';

/**
 * What one row shows: a namespace (with its lowest pid's details) — or, for `nsbridge ls
 * <namespace>`, one member process of it (the entry's process fields are that process's).
 */
export interface LsRow {
  entry: NamespaceEntry;
  /** NETNSID: its id in our network namespace, -1 when none is assigned; null unknown or not asked. */
  netnsid: number | null;
}

/** Settings that change what a cell holds. */
export interface CellContext {
  /** How NSFS joins several mount points: '\n' (a multi-line cell), ',' with -W / -r. */
  nsfsSeparator: '\n' | ',';
}

export interface Column {
  name: string;
  help: string;
  /** Right-aligned in tables (lsns's SCOLS_FL_RIGHT); a column that holds the tree never is. */
  right: boolean;
  /** JSON type as lsns -J prints it; an empty value is null either way. */
  json: 'number' | 'string';
  /**
   * libsmartcols width hint (>= 1): a column whose widest cell is at least as wide as its header
   * but narrower than the hint is padded to the hint (PID is 5 wide once a pid has 4 digits).
   */
  widthHint: number;
  /** May be cut to fit a terminal's width (lsns's SCOLS_FL_TRUNC; -u turns it off). */
  truncate: boolean;
  /** '\n' in a cell starts a continuation line in tables (lsns's SCOLS_FL_WRAP on NSFS). */
  wrap: boolean;
  value(row: LsRow, context: CellContext): string | number | null;
}

let users: Map<number, string> | undefined;

/** uid → user name from /etc/passwd (what lsns's USER shows); the number where unknown. */
function userName(uid: number | null): string | null {
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

/** lsns's NETNSID text: the id, 'unassigned' (NETNSA_NSID_NOT_ASSIGNED), empty for other kinds or on errors. */
function netnsid(row: LsRow): string | null {
  if (row.entry.type !== 'net' || row.netnsid === null) return null;
  return row.netnsid === -1 ? 'unassigned' : row.netnsid < 0 ? null : String(row.netnsid);
}

/** lsns lists a mount point once even when it is mounted there twice (stacked). */
const mountPoints = (e: NamespaceEntry): string[] => [...new Set(e.holders.mounts)];

type Spec = Omit<Column, 'right' | 'json' | 'widthHint' | 'truncate' | 'wrap'> & Partial<Column>;
const column = (spec: Spec): Column => ({ right: false, json: 'string', widthHint: 0, truncate: false, wrap: false, ...spec });
const NUMBER = { right: true, json: 'number' } as const;

export const COLUMNS: readonly Column[] = [
  column({ name: 'NS', help: 'namespace identifier (inode number)', ...NUMBER, widthHint: 10, value: ({ entry }) => big(entry.inode) }),
  column({ name: 'TYPE', help: 'kind of namespace', widthHint: 5, value: ({ entry }) => entry.type }),
  column({ name: 'PATH', help: 'path to the namespace', value: ({ entry }) => entry.path }),
  column({ name: 'NPROCS', help: 'number of processes in the namespace', ...NUMBER, widthHint: 5, value: ({ entry }) => entry.processes }),
  column({ name: 'PID', help: 'lowest PID in the namespace', ...NUMBER, widthHint: 5, value: ({ entry }) => entry.lowestPid }),
  column({ name: 'PPID', help: 'PPID of the PID', ...NUMBER, widthHint: 5, value: ({ entry }) => entry.ppid }),
  column({ name: 'COMMAND', help: 'command line of the PID', truncate: true, value: ({ entry }) => entry.command }),
  column({ name: 'UID', help: 'UID of the PID', ...NUMBER, value: ({ entry }) => entry.uid }),
  column({ name: 'USER', help: 'username of the PID', value: ({ entry }) => userName(entry.uid) }),
  column({ name: 'NETNSID', help: 'namespace ID as used by network subsystem', right: true, value: netnsid }),
  column({ name: 'NSFS', help: 'nsfs mountpoint (usually used network subsystem)', wrap: true, value: ({ entry }, c) => mountPoints(entry).join(c.nsfsSeparator) || null }),
  // lsns prints 0 where there is no parent (the kinds without one, or not visible) or owner.
  column({ name: 'PNS', help: 'parent namespace identifier (inode number)', ...NUMBER, widthHint: 10, value: ({ entry }) => big(entry.parent) ?? 0 }),
  column({ name: 'ONS', help: 'owner namespace identifier (inode number)', ...NUMBER, widthHint: 10, value: ({ entry }) => big(entry.owner?.inode) ?? 0 }),
  // nsbridge's own:
  column({ name: 'OUID', help: 'UID that owns the owner namespace', ...NUMBER, value: ({ entry }) => entry.owner?.uid ?? null }),
  column({ name: 'ID', help: 'kernel namespace id (NS_GET_ID)', ...NUMBER, value: ({ entry }) => big(entry.id) }),
  column({
    name: 'HOLDER',
    help: 'what keeps it alive without a process: mounts and pid:fd',
    value: ({ entry }) => [...mountPoints(entry), ...entry.holders.fds.map((h) => `${h.pid}:${h.fd}`)].join(',') || null,
  }),
];

const byName = new Map(COLUMNS.map((c) => [c.name, c]));
const named = (...names: string[]): Column[] => names.map((n) => byName.get(n)!);

/**
 * lsns's default columns: for `ls <namespace>` its processes' PID PPID USER COMMAND; else the
 * namespaces', with NETNSID and NSFS when `-t net` is among the types.
 */
export function defaultColumns(options: { members: boolean; net: boolean }): Column[] {
  if (options.members) return named('PID', 'PPID', 'USER', 'COMMAND');
  return options.net ? named('NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'NETNSID', 'NSFS', 'COMMAND') : named('NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND');
}

/**
 * An -o list (comma-separated names, case-insensitive, as lsns matches them: no trimming): it
 * replaces `current`, or with a leading '+' is appended to it. The first name that is not a
 * column ('' included: `-o ''`, `-o NS,,TYPE`) is returned as `unknown`.
 */
export function parseColumns(list: string, current: readonly Column[]): { columns: Column[] } | { unknown: string } {
  const append = list.startsWith('+');
  const columns: Column[] = append ? [...current] : [];
  for (const name of (append ? list.slice(1) : list).split(',')) {
    const found = byName.get(name.replace(/[a-z]/g, (c) => c.toUpperCase())); // ASCII only, like strncasecmp
    if (found === undefined) return { unknown: name };
    columns.push(found);
  }
  return { columns };
}

/** A cell's value as text: '' for none. */
export function cellText(column: Column, row: LsRow, context: CellContext): string {
  const value = column.value(row, context);
  return value === null ? '' : String(value);
}
