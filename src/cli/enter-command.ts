/** `nsbridge enter`: run a program in the namespaces of a running process, like nsenter(1). */
import { Option, type Command } from 'commander';
import type { NamespaceType } from '../kinds.js';
import { parseNonEmpty, parsePid } from './arg-parsers.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

interface EnterFlags {
  target: number;
  all?: boolean;
  pid?: boolean;
  net?: boolean;
  mount?: boolean;
  uts?: boolean;
  ipc?: boolean;
  user?: boolean;
  cgroup?: boolean;
  time?: boolean;
  wd?: string;
}

const KIND_FLAGS: readonly [keyof EnterFlags, string, NamespaceType, string][] = [
  ['pid', '-p, --pid', 'pid', "the target's pid namespace: the program becomes a member of it"],
  ['net', '-n, --net', 'net', "the target's network namespace"],
  ['mount', '-m, --mount', 'mnt', "the target's mount namespace (the program starts at its root unless --wd)"],
  ['uts', '-u, --uts', 'uts', "the target's UTS namespace"],
  ['ipc', '-i, --ipc', 'ipc', "the target's IPC namespace"],
  ['user', '-U, --user', 'user', "the target's user namespace (the program runs as its root)"],
  ['cgroup', '-C, --cgroup', 'cgroup', "the target's cgroup namespace"],
  ['time', '-T, --time', 'time', "the target's time namespace"],
];

const EXAMPLES = `
Namespaces the target shares with nsbridge are not joined (nothing to do), as with nsenter -a.
Without a program, $SHELL (or /bin/sh) runs. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to nsbridge
are passed on to the program.
${EXIT_CODES_HELP}
Examples:
  nsbridge enter -t 4711 --all -- hostname
  nsbridge enter -t 4711 --net -- ip addr
  nsbridge enter -t 4711 --pid --mount -- ps -e
  nsbridge enter -t 4711 --user --mount --wd /tmp -- sh
`;

export function registerEnter(program: Command): void {
  // Options after the program name belong to the program: see run-command.ts.
  program.enablePositionalOptions();
  const command = program
    .command('enter')
    .description("run a program in the namespaces of a running process (like nsenter)")
    .usage('-t <pid> (--all | namespace flags...) [--wd <dir>] [--] [program [args...]]')
    .argument('[program]', 'program to run, looked up on PATH (default: $SHELL or /bin/sh)')
    .argument('[args...]', "the program's arguments")
    .passThroughOptions()
    .requiredOption('-t, --target <pid>', 'the process whose namespaces to enter', parsePid)
    .addOption(new Option('-a, --all', 'every namespace of the target that differs from ours').conflicts(KIND_FLAGS.map(([key]) => key)));
  for (const [, flags, , description] of KIND_FLAGS) command.option(flags, `join ${description}`);
  command
    .option('--wd <dir>', "the program's working directory (in the joined mount namespace)", parseNonEmpty)
    .addHelpText('after', EXAMPLES.trimEnd())
    .action(async (file: string | undefined, args: string[], flags: EnterFlags, self: Command) => {
      const kinds = KIND_FLAGS.filter(([key]) => flags[key] === true).map(([, , type]) => type);
      if (!flags.all && kinds.length === 0) {
        self.error('error: give --all or at least one namespace flag (--pid, --net, --mount, --uts, --ipc, --user, --cgroup, --time)', { exitCode: 2, code: 'nsbridge.usage' });
      }
      // Loaded here, not at the top: spawn() and its modules are needed only when a program runs.
      const { defaultProgram, runProgram, usageErrorFromSpawn } = await import('./program-runner.js');
      const [program, programArgs] = file === undefined ? [defaultProgram(), []] : [file, args];
      try {
        process.exitCode = await runProgram(program, programArgs, {
          // 'all' would refuse kinds this kernel lacks; leaving kinds out joins every kind there is.
          join: flags.all ? { target: flags.target } : { target: flags.target, kinds },
          ...(flags.wd === undefined ? {} : { cwd: flags.wd }),
        });
      } catch (error) {
        const usage = usageErrorFromSpawn(error);
        if (usage !== null) self.error(`error: ${usage}`, { exitCode: 2, code: 'nsbridge.usage' });
        throw error;
      }
    });
}
