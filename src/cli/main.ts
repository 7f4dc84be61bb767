#!/usr/bin/env node
/**
 * The `nsbridge` command. Each subcommand lives in its own module; this file only wires them into
 * the argument parser (commander) and turns errors into one readable line on stderr.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { pinOptionalValues } from './arg-parsers.js';
import { registerProbe } from './probe-command.js';
import { registerVerify } from './verify-command.js';
import { registerLs } from './ls-command.js';
import { registerRun } from './run-command.js';
import { registerEnter } from './enter-command.js';
import { formatError } from './output.js';

/** The package's version, as `nsbridge -V` and every subcommand's -V print it. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('nsbridge')
    .description('Linux namespaces from Node.js: inspect, create and join them.')
    .version(`nsbridge ${VERSION}`, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerProbe(program);
  registerVerify(program);
  registerLs(program);
  registerRun(program);
  registerEnter(program);
  // Like util-linux, every command answers -V / --version. exitOverride is per command.
  for (const command of program.commands) command.version(`nsbridge ${VERSION}`, '-V, --version', 'print the version').exitOverride();
  return program;
}

/** getopt's rule for the optional values of run's and enter's flags (see pinOptionalValues). */
function withPinnedValues(program: Command, argv: readonly string[]): string[] {
  const [name, ...rest] = argv;
  const command = program.commands.find((c) => c.name() === name && (name === 'run' || name === 'enter'));
  // unshare's short flags take no values; nsenter's take attached ones (-n/run/netns/x).
  return command === undefined ? [...argv] : [name!, ...pinOptionalValues(command, rest, name === 'enter')];
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(withPinnedValues(program, argv), { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    // Usage errors: commander already printed the message; exit 2 like other Unix tools.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`nsbridge: ${formatError(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
