/** `nsbridge ls` output in the format the flags chose: JSON, raw, or an aligned table. */
import type { Column } from './ls-columns.js';
import { renderJson } from './ls-json.js';
import { treeLines } from './ls-lines.js';
import type { LsPlan } from './ls-options.js';
import { renderRaw } from './ls-raw.js';
import type { LsNode } from './ls-rows.js';
import { renderTable } from './ls-table.js';

export interface Terminal {
  isTTY: boolean;
  /** Its width, where known. */
  columns: number | undefined;
  colour: boolean;
}

/** lsns puts the process tree in COMMAND, the parent and owner trees in NS; -1: no such column. */
function treeColumnOf(plan: Pick<LsPlan, 'tree'>, columns: readonly Column[]): number {
  return plan.tree === null ? -1 : columns.findIndex((c) => c.name === (plan.tree === 'process' ? 'COMMAND' : 'NS'));
}

export function renderListing(plan: LsPlan, roots: readonly LsNode[], terminal: Terminal): string {
  const context = { nsfsSeparator: plan.wrap ? '\n' : ',' } as const;
  if (plan.format === 'json') return renderJson(plan.columns, roots, context);
  const lines = treeLines(roots);
  const treeColumn = treeColumnOf(plan, plan.columns);
  if (plan.format === 'raw') return renderRaw(plan.columns, lines, treeColumn, plan.headings, context);
  // lsns cuts COMMAND only on a terminal (libsmartcols does not fit other output), never with -u;
  // a terminal of unknown size counts as 80 wide, as libsmartcols has it.
  const fitWidth = terminal.isTTY && plan.truncate ? terminal.columns || 80 : null;
  return renderTable(plan.columns, lines, treeColumn, { headings: plan.headings, colour: terminal.colour, fitWidth, context });
}
