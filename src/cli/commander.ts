/**
 * commander, as the CLI's modules use it. Loaded with require(): its ESM entry (esm.mjs, a wrapper
 * over the CommonJS index.js) costs Node's ESM loader the package's exports resolution, a lexer pass
 * over the CommonJS source and a facade, ~10 ms of every `nsbridge` start on a 2-vCPU VM against
 * require()'s ~1 ms (scripts/bench/startup.mjs). Same classes either way.
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';

const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
export type InvalidArgumentError = Commander.InvalidArgumentError;
export type Option = Commander.Option;
