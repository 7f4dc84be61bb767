#!/usr/bin/env node
/**
 * The `nsbridge` command. Each subcommand lives in its own module; this file only wires them into
 * the argument parser (commander) and turns errors into one readable line on stderr.
 */
import { Command, CommanderError } from 'commander';
import { registerProbe } from './probe-command.js';
import { registerVerify } from './verify-command.js';
import { registerLs } from './ls-command.js';
import { registerRun } from './run-command.js';
import { registerEnter } from './enter-command.js';
import { formatError } from './output.js';

export function buildProgram(): Command {
  const program = new Command('nsbridge')
    .description('Linux namespaces from Node.js: inspect, create and join them.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerProbe(program);
  registerVerify(program);
  registerLs(program);
  registerRun(program);
  registerEnter(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    // Usage errors: commander already printed the message; exit 2 like other Unix tools.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`nsbridge: ${formatError(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
