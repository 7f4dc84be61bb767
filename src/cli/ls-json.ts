/**
 * lsns -J, byte for byte as libsmartcols 2.38 writes it (lib/jsonwrt.c): {"namespaces": [...]},
 * three-space indents, objects in an array joined by "},{", keys the lower-cased column names;
 * numbers for the number columns, strings for the others, null for an empty value. In a tree a
 * row's children are its last member, "children": [...].
 */
import { type CellContext, type Column } from './ls-columns.js';
import type { LsNode } from './ls-rows.js';

/** lsns's string quoting (fputs_quoted_json): '"' and '\' escaped, controls as \b \t \n \f \r or \u00XX. */
function jsonString(text: string): string {
  const short: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
  let out = '"';
  for (const ch of text) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch < ' ') out += short[ch] ?? `\\u00${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function jsonValue(column: Column, node: LsNode, context: CellContext): string {
  const value = column.value(node.row, context);
  if (value === null || value === '') return 'null';
  return column.json === 'number' ? String(value) : jsonString(String(value));
}

export function renderJson(columns: readonly Column[], roots: readonly LsNode[], context: CellContext): string {
  const indent = (depth: number): string => '   '.repeat(depth);
  // An array of objects at `depth` (the array's own members are one level deeper).
  const array = (nodes: readonly LsNode[], depth: number): string => {
    const objects = nodes.map((node) => {
      const members = columns.map((c) => `${indent(depth + 1)}${jsonString(c.name.toLowerCase())}: ${jsonValue(c, node, context)}`);
      if (node.children.length > 0) members.push(`${indent(depth + 1)}"children": [\n${array(node.children, depth + 2)}\n${indent(depth + 1)}]`);
      return `{\n${members.join(',\n')}\n${indent(depth)}}`;
    });
    return objects.length === 0 ? '' : `${indent(depth)}${objects.join(',')}`;
  };
  return `{\n   "namespaces": [\n${array(roots, 2)}\n   ]\n}\n`;
}
