/**
 * The agent commands several ops share a handler for: /proc files read or written whole, and
 * files opened into a handle. Each op is still a command of its own name; these are its schema.
 */
import type { CommandSchema } from './agent-protocol.js';

/** open(O_RDONLY) of the path into the handle (the first argument's fd number). */
export const OPEN_FILE: CommandSchema = { handler: 'OpenFile', args: ['fd', 'path'], reply: [] };
/** The whole file, read until EOF. */
export const READ_FILE: CommandSchema = { handler: 'ReadFile', args: ['path'], reply: ['bytes'] };
/** The bytes in one write(2) (uid_map / gid_map must be written in one go). */
export const WRITE_FILE: CommandSchema = { handler: 'WriteFile', args: ['path', 'bytes'], reply: [] };
