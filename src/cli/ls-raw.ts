/**
 * lsns -r: one line per row, cells joined by exactly one space with no alignment (an empty cell is
 * empty, so spaces double up), every cell raw-escaped (ls-escape.ts) — tree art included, byte by
 * byte; the header is the column names. An empty table prints nothing.
 */
import { cellText, type CellContext, type Column } from './ls-columns.js';
import { rawEscape } from './ls-escape.js';
import type { Line } from './ls-lines.js';

export function renderRaw(columns: readonly Column[], lines: readonly Line[], treeColumn: number, headings: boolean, context: CellContext): string {
  if (lines.length === 0) return '';
  const out = headings ? [columns.map((c) => rawEscape(c.name)).join(' ')] : [];
  for (const line of lines) out.push(columns.map((c, i) => rawEscape((i === treeColumn ? line.prefix : '') + cellText(c, line.row, context))).join(' '));
  return `${out.join('\n')}\n`;
}
