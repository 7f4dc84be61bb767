#!/usr/bin/env node
/**
 * The `nsbridge` command. Each subcommand lives in its own module; this file only wires them into
 * the argument parser (commander) and turns errors into one readable line on stderr. A subcommand's
 * module is loaded only when that subcommand runs (or --help, help or an unknown name needs them
 * all to list), so `nsbridge run` does not load what `ls` or `verify` need.
 */
import { readFileSync } from '../sync-fs.js';
import { Command, CommanderError } from './commander.js';
import { pinOptionalValues } from './arg-parsers.js';
import { formatError } from './output.js';

/** The package's version, as `nsbridge -V` and every subcommand's -V print it. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Register = (program: Command) => unknown;

/** The subcommands, in the order --help lists them, each a loader of its register function. */
const SUBCOMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  probe: async () => (await import('./probe-command.js')).registerProbe,
  verify: async () => (await import('./verify-command.js')).registerVerify,
  ls: async () => (await import('./ls-command.js')).registerLs,
  run: async () => (await import('./run-command.js')).registerRun,
  enter: async () => (await import('./enter-command.js')).registerEnter,
  netns: async () => (await import('./netns-command.js')).registerNetns,
};

/**
 * Which subcommands `argv` needs registered: the one it names; none for a lone -V / --version
 * (answered before any subcommand is looked at); otherwise (--help, `help <command>`, no command,
 * an unknown one, which commander answers with a suggestion) all of them.
 */
function subcommandsFor(argv: readonly string[]): string[] {
  const [first] = argv;
  if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) return [first];
  if (first === '-V' || first === '--version') return [];
  return Object.keys(SUBCOMMANDS);
}

/** The parser, with the subcommands `argv` needs (all of them by default). */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('nsbridge')
    .description('Linux namespaces from Node.js: inspect, create and join them.')
    .version(`nsbridge ${VERSION}`, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    // Options after a subcommand's name are the subcommand's (and after run's program, the program's).
    .enablePositionalOptions()
    .exitOverride();
  const names = argv === undefined ? Object.keys(SUBCOMMANDS) : subcommandsFor(argv);
  const registers = await Promise.all(names.map((name) => SUBCOMMANDS[name]!()));
  for (const register of registers) register(program);
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
  const program = await buildProgram(argv);
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
