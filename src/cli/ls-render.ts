/** Rendering for `nsbridge ls`: lsns-like aligned tables, trees with lsns's glyphs, and JSON. */
import type { NamespaceEntry, NamespaceTreeNode } from '../listing/types.js';
import type { Column } from './ls-columns.js';
import { paint } from './output.js';

type Line = { entry: NamespaceEntry; prefix: string };

/** Depth-first rows with lsns's tree glyphs: roots bare, children "├─"/"└─", deeper "│ " indents. */
export function flattenTree(roots: readonly NamespaceTreeNode[]): Line[] {
  const out: Line[] = [];
  const walk = (nodes: readonly NamespaceTreeNode[], lead: string): void => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      out.push({ entry: node.entry, prefix: lead + (last ? '└─' : '├─') });
      walk(node.children, lead + (last ? '  ' : '│ '));
    });
  };
  for (const root of roots) {
    out.push({ entry: root.entry, prefix: '' });
    walk(root.children, '');
  }
  return out;
}

const cell = (value: string | number | null): string => (value === null ? '' : String(value));

/**
 * An aligned table: numeric columns right-aligned, text left-aligned, the last column unpadded
 * (like lsns). `treeColumn` (an index) gets each row's prefix; the header is bold on a TTY.
 */
export function renderTable(columns: readonly Column[], rows: readonly Line[], treeColumn: number, colour: boolean): string {
  const body = rows.map(({ entry, prefix }) => ({ cells: columns.map((c, i) => (i === treeColumn ? prefix : '') + cell(c.value(entry))) }));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...body.map((r) => r.cells[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((text, i) => {
        if (i === cells.length - 1) return text;
        const treeCell = i === treeColumn && treeColumn >= 0;
        return columns[i]!.numeric && !treeCell ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
      })
      .join(' ')
      .trimEnd();
  const header = paint(line(columns.map((c) => c.name)), 1, colour);
  return [header, ...body.map((r) => line(r.cells))].join('\n') + '\n';
}

function record(columns: readonly Column[], entry: NamespaceEntry): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const c of columns) out[c.name.toLowerCase()] = c.value(entry);
  return out;
}

/** lsns -J's shape: {"namespaces": [{ns, type, nprocs, pid, user, command, …}]}; trees nest "children". */
export function renderJson(columns: readonly Column[], entries: readonly NamespaceEntry[] | null, tree: readonly NamespaceTreeNode[] | null): string {
  const nest = (nodes: readonly NamespaceTreeNode[]): unknown[] =>
    nodes.map((n) => (n.children.length ? { ...record(columns, n.entry), children: nest(n.children) } : record(columns, n.entry)));
  const namespaces = tree !== null ? nest(tree) : entries!.map((e) => record(columns, e));
  return `${JSON.stringify({ namespaces }, null, 3)}\n`;
}
