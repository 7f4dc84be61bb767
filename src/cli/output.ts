/** Output helpers shared by the subcommands: colour policy, aligned tables, error lines. */
import { isSystemError } from '../errors.js';

/** Colour only on a TTY, and never with NO_COLOR set (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

export function paint(text: string, code: number, enabled: boolean): string {
  return enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Columns aligned like lsns: every column padded to its widest cell, the last one not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(' ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** One line for an error: the step, the errno name and the hint where there are ones. */
export function formatError(error: unknown): string {
  const message = isSystemError(error) || error instanceof Error ? error.message : String(error);
  return message.replace(/^nsbridge: /, ''); // the CLI prefixes every line with it already
}
