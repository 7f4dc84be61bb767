/** `nsbridge ls`: the namespaces this process can see, with lsns 2.38's flags and output. */
import { Command, Option } from './commander.js';
import { NAMESPACE_TYPES } from '../kinds.js';
import { attachTreeValues } from './ls-argv.js';
import { COLUMNS } from './ls-columns.js';
import { planLs, UsageError, type LsOptions, type LsPlan } from './ls-options.js';
import { useColour } from './output.js';

const EXAMPLES = `
Examples:
  nsbridge ls                       every namespace, in lsns's process tree
  nsbridge ls -l -t net -t pid      only network and pid namespaces, as a list
  nsbridge ls -p 4711               the namespaces of process 4711
  nsbridge ls 4026531836            the processes of namespace 4026531836
  nsbridge ls -Tparent              pid and user namespaces under their parents
  nsbridge ls -T                    namespaces under the user namespace that owns them
  nsbridge ls -o +PNS,ONS,HOLDER    the default columns and three more
  nsbridge ls -r -n -o NS,NSFS      raw: one space between cells, blanks escaped as \\x20
  nsbridge ls -J -l | jq '.namespaces[] | select(.type == "net")'

Columns (-o): ${COLUMNS.map((c) => c.name).join(', ')}
`;

/** `ls` with -T/--tree's optional value taken only when attached, as lsns's getopt takes it (ls-argv.ts). */
class LsCommand extends Command {
  override parseOptions(args: string[]): { operands: string[]; unknown: string[] } {
    return super.parseOptions(attachTreeValues(args));
  }
}

async function run(plan: LsPlan): Promise<void> {
  // The listing and rendering modules load only now: `nsbridge ls --help` starts fast.
  const [{ listNamespaces }, { namespaceMembers }, { netnsIds }, rows, { withRelatives }, { renderListing }] = await Promise.all([
    import('../listing/list.js'),
    import('../listing/members.js'),
    import('../listing/netns-ids.js'),
    import('./ls-rows.js'),
    import('./ls-relatives.js'),
    import('./ls-render.js'),
  ]);
  const filtered = plan.types.length > 0 || plan.pid !== undefined;
  let entries = listNamespaces({ ...(plan.types.length ? { types: plan.types } : {}), ...(plan.pid === undefined ? {} : { pid: plan.pid }) });
  if (filtered && plan.namespace === undefined && (plan.tree === 'parent' || plan.tree === 'owner')) entries = withRelatives(entries, listNamespaces(), plan.tree, plan.pid !== undefined);
  const target = plan.namespace === undefined ? undefined : entries.find((e) => e.inode === plan.namespace);
  if (plan.namespace !== undefined && target === undefined) throw new Error(`not found namespace: ${plan.namespace}`);
  // NETNSID costs a netlink round trip per network namespace: asked only when it is shown.
  const nets = plan.columns.some((c) => c.name === 'NETNSID') ? (target === undefined ? entries : [target]).filter((e) => e.type === 'net') : [];
  const found = netnsIds(nets.map((e) => e.path));
  const ids = new Map(nets.map((e, i) => [e.inode, found[i]!]));
  const roots =
    target === undefined ? rows.namespaceNodes(entries, plan.tree, ids) : rows.memberNodes(target, namespaceMembers(target.inode, target.type), plan.tree === 'process', ids);
  process.stdout.write(renderListing(plan, roots, { isTTY: process.stdout.isTTY === true, columns: process.stdout.columns, colour: useColour(process.stdout) }));
}

export function registerLs(program: Command): void {
  const ls = new LsCommand('ls').copyInheritedSettings(program);
  const tree = new Option('-T, --tree <relation>', "tree format: parent, owner or process (bare -T: owner; attach the value: -Tparent, --tree=parent)");
  tree.flags = '-T, --tree[=relation]'; // as shown in --help: the value is optional (ls-argv.ts supplies it)
  ls.description('list namespaces like lsns: kind, inode, processes, lowest pid, owner, parent, holders')
    .argument('[namespace]', "list this namespace's processes (its inode, decimal)")
    .option('-J, --json', 'use JSON output format (lsns -J)')
    .option('-l, --list', 'use list format output (no tree)')
    .option('-n, --noheadings', "don't print headings")
    .option('-o, --output <list>', "output columns, comma-separated; '+LIST' appends to the default")
    .option('--output-all', 'output all columns')
    .option('-p, --task <pid>', 'print the namespaces of this process')
    .addOption(new Option('--pid <pid>', 'same as --task').hideHelp())
    .option('-r, --raw', 'use the raw output format (implies -W)')
    .option('-u, --notruncate', "don't truncate COMMAND to the terminal's width")
    .option('-W, --nowrap', "don't use multi-line representation (NSFS joined by ',')")
    .option('-t, --type <name>', `namespace type (repeatable): ${NAMESPACE_TYPES.join(', ')}`, (value: string, previous: string[] = []) => [...previous, value])
    .addOption(tree)
    .addHelpText('after', EXAMPLES)
    .action(async (namespace: string | undefined, options: LsOptions, command: Command) => {
      let plan: LsPlan;
      try {
        plan = planLs(options, namespace);
      } catch (error) {
        if (error instanceof UsageError) command.error(`error: ${error.message}`, { exitCode: 2, code: 'nsbridge.usage' });
        throw error;
      }
      await run(plan);
    });
  program.addCommand(ls);
}
