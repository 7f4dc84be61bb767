/**
 * The agent protocol's message schema: the one description both sides follow.
 *
 * A request is one line `<seq> <command> <word…>`, a reply `<seq> ok <word…>` | `<seq> err
 * <ERRNO>` | `<seq> refused <why>`; every word is a token without spaces. Each scenario op is a
 * command of the same name (its descriptor in src/ops/ gives the argument and reply kinds), plus
 * the protocol's own 'ping'. This module formats the arguments and parses the replies by those
 * kinds; scripts/gen-agent-protocol.mjs writes the same table as C++ (native/agent/protocol.inc),
 * from which the agent checks every request's words before its handler runs (test/agent-protocol
 * .test.ts keeps the file current), and the number of words of each of its replies. So a kind,
 * an enum value or a word count cannot drift between the driver and the agent.
 *
 * Pure: no I/O, no imports of Node modules (Buffer is a global), so the model can import the
 * descriptors anywhere.
 */

/**
 * The kinds of argument word (the agent's parser for each is in native/agent/agent.cc, struct Args):
 * - fd: an fd the agent holds, as its number; '-' for one that is never open (EBADF);
 * - int: a signed decimal integer (pid_t, int, uid_t as read);
 * - mask: flag bits, 0x followed by lower-case hex;
 * - path: an absolute path without spaces;
 * - bytes: hex-encoded bytes, '-' for none;
 * - name: a name (process, handle), percent-encoded behind an 'n': opaque to the agent;
 * - ints: decimal integers joined by ',', '-' for none;
 * - { enum }: one of the listed words.
 */
type ArgKind = 'fd' | 'int' | 'mask' | 'path' | 'bytes' | 'name' | 'ints';

/** One argument: its kind, and for 'enum' the words it may be. */
type ArgSpec = ArgKind | { readonly enum: readonly string[] };

/** The kinds of reply word. */
type ReplyKind = 'int' | 'id' | 'bytes' | 'word';

/** A command's schema: the agent's handler, its argument words, its reply words. */
export interface CommandSchema {
  /** The C++ function in native/agent/agent.cc that runs it (several commands may share one). */
  readonly handler: string;
  /** The argument words, in order. */
  readonly args: readonly ArgSpec[];
  /**
   * The reply's words after 'ok', in order; `rest` for a command that replies a list (each word
   * of that kind). A command that never replies (exit) has none.
   */
  readonly reply: readonly ReplyKind[] | { readonly rest: ReplyKind };
}

/** What an argument word is made from, by kind. */
export type ArgValue = number | bigint | string | readonly number[] | null;

/** What a reply word becomes: numbers for 'int', text for the others. */
export type ReplyValue = number | string;

/** The protocol's own commands (not scenario ops). */
export const PROTOCOL_COMMANDS = {
  /** Answer at once: the driver's way to know every signal sent before has been handled. */
  ping: { handler: 'Ping', args: [], reply: [] },
} as const satisfies Record<string, CommandSchema>;

/** A name as it travels: percent-encoded behind an 'n', so never a space, newline or '-'. */
export function encodeName(name: string): string {
  return `n${encodeURIComponent(name)}`;
}

export function decodeName(token: string): string {
  return decodeURIComponent(token.slice(1));
}

const toHex = (text: string): string => (text === '' ? '-' : Buffer.from(text, 'latin1').toString('hex'));
const fromHex = (word: string): string => (word === '-' ? '' : Buffer.from(word, 'hex').toString('latin1'));

function badArg(command: string, index: number, spec: ArgSpec, value: unknown): never {
  const kind = typeof spec === 'string' ? spec : `one of ${spec.enum.join(', ')}`;
  throw new TypeError(`agent command ${command} argument ${index} must be ${kind}, got ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}`);
}

function formatArg(command: string, index: number, spec: ArgSpec, value: ArgValue): string {
  const wrong = (): never => badArg(command, index, spec, value);
  if (typeof spec === 'object') return typeof value === 'string' && spec.enum.includes(value) ? value : wrong();
  switch (spec) {
    case 'fd':
      if (value === null) return '-';
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : wrong();
    case 'int':
      if (typeof value === 'bigint') return String(value);
      return typeof value === 'number' && Number.isInteger(value) ? String(value) : wrong();
    case 'mask':
      if (typeof value !== 'number' && typeof value !== 'bigint') return wrong();
      if (typeof value === 'number' && (!Number.isInteger(value) || value < 0)) return wrong();
      if (typeof value === 'bigint' && value < 0n) return wrong();
      return `0x${value.toString(16)}`;
    case 'path':
      return typeof value === 'string' && value.startsWith('/') && !/\s/.test(value) ? value : wrong();
    case 'bytes':
      return typeof value === 'string' ? toHex(value) : wrong();
    case 'name':
      return typeof value === 'string' && value !== '' ? encodeName(value) : wrong();
    case 'ints':
      if (!Array.isArray(value) || !value.every((n) => Number.isInteger(n))) return wrong();
      return value.length === 0 ? '-' : value.join(',');
  }
}

/** The request line's text (without seq) for `command` with `values`, checked against its schema. */
export function formatCommand(command: string, schema: CommandSchema, values: readonly ArgValue[]): string {
  if (values.length !== schema.args.length) throw new TypeError(`agent command ${command} takes ${schema.args.length} arguments, got ${values.length}`);
  return [command, ...schema.args.map((spec, i) => formatArg(command, i, spec, values[i]!))].join(' ');
}

function parseWord(command: string, kind: ReplyKind, word: string): ReplyValue {
  switch (kind) {
    case 'int': {
      if (!/^-?\d+$/.test(word)) throw new Error(`the agent's reply to ${command} has ${JSON.stringify(word)} where a number belongs`);
      return Number(word);
    }
    case 'bytes':
      return fromHex(word);
    case 'id':
    case 'word':
      return word;
  }
}

/** The words after 'ok', parsed by the command's reply schema (an agent that breaks it is a driver error). */
export function parseReply(command: string, schema: CommandSchema, words: readonly string[]): ReplyValue[] {
  if ('rest' in schema.reply) {
    const { rest } = schema.reply;
    return words.map((word) => parseWord(command, rest, word));
  }
  const kinds = schema.reply;
  if (words.length !== kinds.length) throw new Error(`the agent replied ${words.length} words to ${command}, the protocol says ${kinds.length}`);
  return kinds.map((kind, i) => parseWord(command, kind, words[i]!));
}
