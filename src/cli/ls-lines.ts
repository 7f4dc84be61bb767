/**
 * A forest of rows as the lines of a table, depth first, with libsmartcols's tree art (what lsns
 * prints): roots bare, children "├─" / "└─" (the last one), below them "│ " / "  " indents.
 */
import type { LsRow } from './ls-columns.js';
import type { LsNode } from './ls-rows.js';

export interface Line {
  row: LsRow;
  /** Art before the tree column's text on the row's own line. */
  prefix: string;
  /**
   * Art on the tree column of the row's continuation lines (a multi-line NSFS cell): the
   * ancestors' indents, this row's own ("│ " unless it is a last child), and "│ " when it has
   * children below.
   */
  continuation: string;
}

export function treeLines(roots: readonly LsNode[]): Line[] {
  const out: Line[] = [];
  const walk = (nodes: readonly LsNode[], lead: string, nested: boolean): void => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      const own = nested ? (last ? '  ' : '│ ') : '';
      out.push({
        row: node.row,
        prefix: nested ? lead + (last ? '└─' : '├─') : '',
        continuation: lead + own + (node.children.length > 0 ? '│ ' : ''),
      });
      walk(node.children, lead + own, true);
    });
  };
  walk(roots, '', false);
  return out;
}
