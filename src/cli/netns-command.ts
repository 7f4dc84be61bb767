/**
 * `nsbridge netns`: named network namespaces, in the style of `ip netns` (add, delete, list,
 * exec) and sharing its names (/run/netns/NAME), made without running ip: the namespace is created
 * by a native thread and bound onto its name (src/names.ts).
 */
import type { Command } from './commander.js';

const EXAMPLES = `
Names are those of iproute2: \`ip netns list\` and \`ip -n NAME …\` see what nsbridge adds, and
nsbridge sees what \`ip netns add\` made. A NAME may also be an absolute path (any bind mount of a
network namespace file). Unlike ip netns exec, exec only joins the network namespace: it does not
make a mount namespace with /etc/netns/NAME files and a remounted /sys.
Examples:
  nsbridge netns add --loopback blue
  nsbridge netns exec blue -- cat /proc/net/dev
  nsbridge netns list -J
  nsbridge netns delete blue
`;

export function registerNetns(program: Command): Command {
  program.enablePositionalOptions();
  const netns = program
    .command('netns')
    .description('named network namespaces, like ip netns (add, delete, list, exec)')
    .enablePositionalOptions()
    .addHelpText('after', EXAMPLES.trimEnd());
  netns
    .command('add')
    .description('create a network namespace and keep it as /run/netns/NAME')
    .argument('<name>', 'a name (kept in /run/netns) or an absolute path to create')
    .option('--loopback', 'bring lo up in it (127.0.0.1 and ::1 answer); ip netns add leaves it down')
    .action(async (name: string, flags: { loopback?: boolean }) => {
      const [{ createNamespaceSync }, { persistNamespace }] = await Promise.all([import('../create-namespace.js'), import('../names.js')]);
      const namespace = createNamespaceSync('net', { loopback: flags.loopback === true });
      try {
        persistNamespace(namespace, name);
      } finally {
        namespace.close();
      }
    });
  netns
    .command('delete')
    .alias('del')
    .description('remove named network namespaces (unmount and unlink; refuses a file that is not one)')
    .argument('<names...>', 'names or absolute paths')
    .action(async (names: string[]) => {
      const { removePersistedNamespace } = await import('../names.js');
      // Like ip netns del: each name is tried, the first error is reported after the rest.
      let failure: Error | undefined;
      for (const name of names) {
        try {
          removePersistedNamespace(name);
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      }
      if (failure !== undefined) throw failure;
    });
  netns
    .command('list')
    .alias('ls')
    .description('the names in /run/netns that hold a network namespace')
    .option('-J, --json', 'JSON: [{ "name": … }], as ip -j netns list')
    .action(async (flags: { json?: boolean }) => {
      const { listNetnsNames } = await import('../names.js');
      const names = listNetnsNames();
      process.stdout.write(flags.json ? `${JSON.stringify(names.map((name) => ({ name })))}\n` : names.map((name) => `${name}\n`).join(''));
    });
  netns
    .command('exec')
    .description('run a program in a named network namespace')
    .usage('<name> [--] <program> [args...]')
    .argument('<name>', 'a name or an absolute path')
    .argument('<program>', 'program to run, looked up on PATH')
    .argument('[args...]', "the program's arguments")
    .passThroughOptions()
    .action(async (name: string, first: string, rest: string[], _flags: unknown, self: Command) => {
      // Everything after the name passes through, a '--' included: it ends the options, it is no program.
      const [file, ...args] = first === '--' ? rest : [first, ...rest];
      if (file === undefined) self.error("error: missing required argument 'program'", { exitCode: 2, code: 'nsbridge.usage' });
      const [{ openPersistedNamespace }, { runProgram }] = await Promise.all([import('../names.js'), import('./program-runner.js')]);
      const namespace = openPersistedNamespace(name);
      try {
        process.exitCode = await runProgram(file, args, { join: { net: namespace } });
      } finally {
        namespace.close();
      }
    });
  return netns;
}
