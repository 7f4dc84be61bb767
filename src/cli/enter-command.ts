/** `nsbridge enter`: run a program in the namespaces of a running process, like nsenter(1). */
import { Option, type Command } from './commander.js';
import { optionalValue, parseAbsolutePath, parseId, parseNonEmpty, parsePid, repeatedOptionalValue } from './arg-parsers.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { KIND_FLAGS } from './kind-flags.js';
import { UsageError } from './run-options.js';
import type { EnterFlags } from './enter-options.js';

const EXAMPLES = `
As with nsenter, flags with an optional value take it only attached (--net=FILE, --root=DIR,
--wd=DIR): a bare flag means the target's (its namespace, root or working directory). A FILE is a
namespace file to join (a bind mount such as /run/netns/NAME, or /proc/PID/ns/KIND), and needs no
target. Namespaces the target shares with nsbridge are not joined (nothing to do), as with
nsenter -a. --root and --wd directories are opened before any namespace is joined; --wdns names a
directory inside. Entering a user namespace makes the program root there (uid and gid 0) unless
--preserve-credentials. Without a program, $SHELL (or /bin/sh) runs. SIGINT, SIGTERM, SIGHUP and
SIGQUIT sent to nsbridge are passed on to the program once it runs (a second SIGTERM kills it);
during the setup they end nsbridge itself, and the program is not run.
${EXIT_CODES_HELP}
Examples:
  nsbridge enter -t 4711 --all -- hostname
  nsbridge enter -t 4711 --net -- ip addr
  nsbridge enter --net=/run/netns/blue -- ip addr
  nsbridge enter -t 4711 --pid --mount -- ps -e
  nsbridge enter -t 4711 --user --mount --wdns /tmp -- sh
`;

const JOINS: Readonly<Record<string, string>> = {
  pid: 'the program becomes a member of it (see --no-fork)',
  mount: 'the program starts at its root unless --wd / --wdns',
  user: 'the program runs as its root unless --preserve-credentials',
};

export function registerEnter(program: Command): Command {
  // Options after the program name belong to the program: see run-command.ts.
  program.enablePositionalOptions();
  const command = program
    .command('enter')
    .description('run a program in the namespaces of a running process (like nsenter)')
    .usage('[-t <pid>] (--all | namespace flags...) [options] [--] [program [args...]]')
    .argument('[program]', 'program to run, looked up on PATH (default: $SHELL or /bin/sh)')
    .argument('[args...]', "the program's arguments")
    .passThroughOptions()
    .option('-t, --target <pid>', 'the process whose namespaces to enter', parsePid)
    .option('-a, --all', 'every namespace of the target that differs from ours (not those given as --kind=FILE)');
  for (const kind of KIND_FLAGS) {
    const note = JOINS[kind.key];
    command.addOption(
      new Option(`${kind.short}, ${kind.long} [file]`, `join the target's ${kind.what}, or the one in FILE${note === undefined ? '' : `; ${note}`}`).argParser(repeatedOptionalValue(parseNonEmpty, 'bare')),
    );
  }
  command
    .option('-S, --setuid <uid>', 'set the uid in the entered namespaces', parseId)
    .option('-G, --setgid <gid>', 'set the gid in the entered namespaces (and drop supplementary groups)', parseId)
    .option('--preserve-credentials', 'do not become root of an entered user namespace: keep the uid and gid')
    .addOption(new Option('-r, --root [dir]', "set the root directory: DIR, or the target's root (opened before the joins)").argParser(optionalValue(parseAbsolutePath)))
    .addOption(new Option('-w, --wd [dir]', "set the working directory: DIR, or the target's (opened before the joins)").argParser(optionalValue(parseAbsolutePath)))
    .option('-W, --wdns <dir>', 'set the working directory to this path inside the entered mount namespace (and root)', parseNonEmpty)
    .option('-F, --no-fork', 'the program stays out of a joined pid namespace; only its children enter it')
    .addHelpText('after', EXAMPLES.trimEnd())
    .action(async (file: string | undefined, args: string[], flags: EnterFlags & { fork?: boolean }, self: Command) => {
      const usage = (message: string): never => self.error(`error: ${message}`, { exitCode: 2, code: 'nsbridge.usage' });
      // commander turns --no-fork into fork: false.
      const { enterPlan } = await import('./enter-options.js');
      let plan;
      try {
        plan = enterPlan({ ...flags, noFork: flags.fork === false });
      } catch (error) {
        if (error instanceof UsageError) return usage(error.message);
        throw error;
      }
      try {
        // Loaded here, not at the top: spawn() and its modules are needed only when a program runs.
        const { defaultProgram, runProgram, usageErrorFromSpawn } = await import('./program-runner.js');
        const [programFile, programArgs] = file === undefined ? [defaultProgram(), []] : [file, args];
        try {
          process.exitCode = await runProgram(programFile, programArgs, plan.options, () => plan.release());
        } catch (error) {
          const message = usageErrorFromSpawn(error);
          if (message !== null) usage(message);
          throw error;
        }
      } finally {
        plan.release();
      }
    });
  return command;
}
