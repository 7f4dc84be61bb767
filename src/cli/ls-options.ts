/**
 * `nsbridge ls`'s flags (as commander parsed them) turned into what to list and how to print it,
 * with lsns 2.38's meanings; every conflict and bad value is a UsageError naming the flag.
 */
import { NAMESPACE_TYPES, type NamespaceType } from '../kinds.js';
import type { TreeRelation } from '../listing/types.js';
import { PID_MAX_LIMIT } from '../validate.js';
import { COLUMNS, defaultColumns, parseColumns, type Column } from './ls-columns.js';

export interface LsOptions {
  type?: string[];
  task?: string;
  pid?: string;
  tree?: string;
  json?: boolean;
  list?: boolean;
  noheadings?: boolean;
  raw?: boolean;
  notruncate?: boolean;
  nowrap?: boolean;
  output?: string;
  outputAll?: boolean;
}

export interface LsPlan {
  types: NamespaceType[];
  /** -p: only the namespaces of this process. */
  pid: number | undefined;
  /** The positional <namespace>: list its member processes instead. */
  namespace: bigint | undefined;
  tree: TreeRelation | null;
  columns: Column[];
  format: 'table' | 'raw' | 'json';
  headings: boolean;
  /** Cut COMMAND to the terminal's width (tables on a terminal only). */
  truncate: boolean;
  /** NSFS mount points one per line ('\n') rather than joined by ','. */
  wrap: boolean;
}

/** A bad or conflicting flag: exit 2 with this message. */
export class UsageError extends Error {}

const RELATIONS: readonly TreeRelation[] = ['parent', 'owner', 'process'];

function types(list: readonly string[]): NamespaceType[] {
  return list.map((t) => {
    if (!NAMESPACE_TYPES.includes(t as NamespaceType)) throw new UsageError(`unknown namespace type '${t}' for -t (expected one of ${NAMESPACE_TYPES.join(', ')})`);
    return t as NamespaceType;
  });
}

function pid(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^[1-9]\d{0,6}$/.test(text) && Number(text) <= PID_MAX_LIMIT) return Number(text);
  throw new UsageError(`invalid pid '${text}' for -p (expected 1-${PID_MAX_LIMIT})`);
}

/** The <namespace> operand: a decimal inode (lsns reads it base 10), 1 to 2^64-1. */
function namespaceArgument(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const inode = /^\d+$/.test(text) ? BigInt(text) : 0n;
  if (inode === 0n || inode > 0xffff_ffff_ffff_ffffn) throw new UsageError(`invalid namespace argument: '${text}'`);
  return inode;
}

function relation(text: string | undefined): TreeRelation | undefined {
  if (text === undefined) return undefined;
  const name = text.startsWith('=') ? text.slice(1) : text; // -T=parent: lsns strips the '='
  if (RELATIONS.includes(name as TreeRelation)) return name as TreeRelation;
  throw new UsageError(`unknown tree relation '${name}' for --tree (expected parent, owner or process)`);
}

export function planLs(options: LsOptions, operand: string | undefined): LsPlan {
  if (options.json && options.raw) throw new UsageError('mutually exclusive arguments: --json --raw');
  // lsns 2.38 means to refuse -l with -T (its exclusion table has the pair) but never does: the
  // pair is out of ASCII order, so err_exclusive_options misses it and -T wins. We refuse it.
  if (options.list && options.tree !== undefined) throw new UsageError('mutually exclusive arguments: --list --tree');
  const chosenTypes = types(options.type ?? []);
  const chosenPid = pid(options.task ?? options.pid);
  const namespace = namespaceArgument(operand);
  if (namespace !== undefined && chosenPid !== undefined) throw new UsageError('--task is mutually exclusive with <namespace>');
  const members = namespace !== undefined;

  // Columns as lsns settles them: --output-all, else the defaults; then -o replaces them or,
  // with a leading '+', appends to them (wherever -o stands among the flags).
  let columns = options.outputAll ? [...COLUMNS] : defaultColumns({ members, net: chosenTypes.includes('net') });
  if (options.output !== undefined) {
    const parsed = parseColumns(options.output, columns);
    if ('unknown' in parsed) throw new UsageError(`unknown column '${parsed.unknown}' for -o (expected some of ${COLUMNS.map((c) => c.name).join(', ')})`);
    columns = parsed.columns;
  }

  // The default tree: the process tree, unless -l — and, for the namespace list, unless
  // --output-all (lsns sets it only along with its default columns).
  const tree = relation(options.tree) ?? (options.list || (!members && options.outputAll) ? null : 'process');
  const raw = options.raw === true;
  return {
    types: chosenTypes,
    pid: chosenPid,
    namespace,
    tree,
    columns,
    format: options.json ? 'json' : raw ? 'raw' : 'table',
    headings: !options.noheadings,
    truncate: !options.notruncate,
    wrap: !options.nowrap && !raw, // -r implies -W
  };
}
