/** `nsbridge ls`: the namespaces this process can see, like lsns. */
import { Command, Option } from 'commander';
import { NAMESPACE_TYPES, type NamespaceType } from '../kinds.js';
import type { TreeRelation } from '../listing/types.js';
import { COLUMNS, DEFAULT_COLUMNS, parseColumns } from './ls-columns.js';
import { useColour } from './output.js';
import { PID_MAX_LIMIT } from '../validate.js';

interface LsOptions {
  type?: string[];
  pid?: string;
  tree?: string | true;
  json?: boolean;
  output?: string;
}

const RELATIONS = ['parent', 'owner', 'process'];

const EXAMPLES = `
Examples:
  nsbridge ls                       every namespace, like lsns
  nsbridge ls -t net -t pid         only network and pid namespaces
  nsbridge ls -p 4711               the namespaces of process 4711
  nsbridge ls --tree=parent         pid and user namespaces under their parents
  nsbridge ls --tree=owner          namespaces under the user namespace that owns them
  nsbridge ls -o NS,TYPE,PNS,ONS,HOLDER
  nsbridge ls --json | jq '.namespaces[] | select(.type == "net")'

Columns (-o): ${COLUMNS.map((c) => c.name).join(', ')}
`;

export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('list namespaces: kind, inode, processes, lowest pid, owner, parent, holders')
    .option('-t, --type <kind>', `only this kind (repeatable): ${NAMESPACE_TYPES.join(', ')}`, (value: string, previous: string[] = []) => [...previous, value])
    .option('-p, --pid <pid>', 'only the namespaces of this process')
    .addOption(new Option('--tree [relation]', 'print a tree: parent, owner or process (default process)'))
    .option('-o, --output <columns>', `comma-separated columns (default ${DEFAULT_COLUMNS.join(',')})`)
    .option('--json', 'print JSON shaped like lsns -J')
    .addHelpText('after', EXAMPLES)
    .action(async (options: LsOptions, command: Command) => {
      const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'nsbridge.usage' });
      const types = (options.type ?? []).map((t) => (NAMESPACE_TYPES.includes(t as NamespaceType) ? (t as NamespaceType) : usage(`unknown namespace type '${t}' for -t (expected one of ${NAMESPACE_TYPES.join(', ')})`)));
      let pid: number | undefined;
      if (options.pid !== undefined) {
        const n = Number(options.pid);
        pid = /^[1-9]\d{0,6}$/.test(options.pid) && n <= PID_MAX_LIMIT ? n : usage(`invalid pid '${options.pid}' for -p (expected 1-${PID_MAX_LIMIT})`);
      }
      const tree: TreeRelation | null = options.tree === undefined ? null : options.tree === true ? 'process' : RELATIONS.includes(options.tree) ? (options.tree as TreeRelation) : usage(`unknown tree relation '${options.tree}' for --tree (expected parent, owner or process)`);
      const parsed = parseColumns(options.output ?? DEFAULT_COLUMNS.join(','));
      if ('unknown' in parsed) return usage(`unknown column '${parsed.unknown}' for -o (expected some of ${COLUMNS.map((c) => c.name).join(', ')})`);
      const { columns } = parsed;

      // The listing and rendering modules load only now: `nsbridge ls --json` starts fast.
      const [{ listNamespaces }, { buildTree }, render] = await Promise.all([import('../listing/list.js'), import('../listing/tree.js'), import('./ls-render.js')]);
      const entries = listNamespaces({ ...(types.length ? { types } : {}), ...(pid === undefined ? {} : { pid }) });
      const nodes = tree === null ? null : buildTree(entries, tree);
      if (options.json) {
        process.stdout.write(render.renderJson(columns, entries, nodes));
        return;
      }
      // lsns puts the process tree in COMMAND, the parent/owner trees in NS.
      const treeColumn = tree === null ? -1 : columns.findIndex((c) => c.name === (tree === 'process' ? 'COMMAND' : 'NS'));
      const rows = nodes === null ? entries.map((entry) => ({ entry, prefix: '' })) : render.flattenTree(nodes);
      process.stdout.write(render.renderTable(columns, rows, treeColumn, useColour(process.stdout)));
    });
}
