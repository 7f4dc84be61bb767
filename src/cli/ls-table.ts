/**
 * The human table of `nsbridge ls`, laid out like libsmartcols 2.38 lays out lsns's:
 * - a column is as wide as its widest cell, at least its header, and padded to its width hint
 *   when its widest cell is at least the header but narrower than the hint;
 * - right-aligned columns (numbers, NETNSID) are padded on the left, the others on the right; the
 *   last column gets no padding on the right; the column that holds the tree is left-aligned;
 * - a multi-line cell (NSFS: one mount point per line) continues on extra lines on which the other
 *   cells are blank (the tree column shows the tree's vertical lines there);
 * - on a terminal (`fitWidth`), COMMAND is cut so a line fits, down to its header's width;
 * - cell text is safe-encoded (controls as \xHH); an empty table prints nothing.
 */
import { cellText, type CellContext, type Column } from './ls-columns.js';
import { cellWidth, cutToWidth, safeEncode } from './ls-escape.js';
import type { Line } from './ls-lines.js';
import { paint } from './output.js';

export interface TableOptions {
  headings: boolean;
  /** Bold header (a TTY without NO_COLOR). */
  colour: boolean;
  /** The terminal's width when COMMAND may be cut to fit it (a TTY, no -u); null: never cut. */
  fitWidth: number | null;
  context: CellContext;
}

function widthOf(column: Column, cells: readonly (readonly string[])[]): number {
  const header = cellWidth(column.name);
  const widest = Math.max(0, ...cells.flatMap((chunks) => chunks.map(cellWidth)));
  if (widest < header) return header;
  return column.widthHint >= 1 && widest < column.widthHint && header < column.widthHint ? column.widthHint : widest;
}

/** libsmartcols's reduction: one cell at a time off each cuttable column, round robin. */
function fit(columns: readonly Column[], widths: number[], fitWidth: number): void {
  let total = widths.reduce((a, b) => a + b, 0) + widths.length - 1;
  while (total > fitWidth) {
    let reduced = false;
    columns.forEach((c, i) => {
      if (total > fitWidth && c.truncate && widths[i]! > Math.max(1, cellWidth(c.name))) {
        widths[i]!--;
        total--;
        reduced = true;
      }
    });
    if (!reduced) return;
  }
}

export function renderTable(columns: readonly Column[], lines: readonly Line[], treeColumn: number, options: TableOptions): string {
  if (lines.length === 0) return '';
  // Per line and column: the cell's chunks (one unless it is a multi-line cell).
  const cells = lines.map((line) =>
    columns.map((c, i) => {
      const text = cellText(c, line.row, options.context);
      const chunks = c.wrap ? text.split('\n').map((t) => safeEncode(t)) : [safeEncode(text)];
      if (i === treeColumn) chunks[0] = line.prefix + chunks[0]!;
      return chunks;
    }),
  );
  const widths = columns.map((c, i) => widthOf(c, cells.map((row) => row[i]!)));
  const cut = options.fitWidth !== null;
  if (cut) fit(columns, widths, options.fitWidth!);
  const last = columns.length - 1;
  const pad = (text: string, i: number, right: boolean): string => {
    const room = ' '.repeat(Math.max(0, widths[i]! - cellWidth(text)));
    if (right) return text === '' && i === last ? '' : room + text;
    return i === last ? text : text + room;
  };
  const alignedRight = (i: number): boolean => columns[i]!.right && i !== treeColumn;
  const cell = (text: string, i: number): string => pad(cut && columns[i]!.truncate ? cutToWidth(text, widths[i]!) : text, i, alignedRight(i));

  const out: string[] = [];
  if (options.headings) out.push(paint(columns.map((c, i) => pad(c.name, i, alignedRight(i))).join(' '), 1, options.colour));
  lines.forEach((line, r) => {
    const row = cells[r]!;
    out.push(row.map((chunks, i) => cell(chunks[0]!, i)).join(' '));
    const height = Math.max(...row.map((chunks) => chunks.length));
    for (let k = 1; k < height; k++) {
      out.push(row.map((chunks, i) => pad(k < chunks.length ? chunks[k]! : i === treeColumn ? line.continuation : '', i, false)).join(' '));
    }
  });
  return `${out.join('\n')}\n`;
}
