/** `nsbridge probe`: what this host supports for namespaces, and why. */
import type { Command } from './commander.js';
import { probe } from '../probe.js';
import { paint, table, useColour } from './output.js';

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description("report which namespace features this host's kernel and configuration support")
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExamples:\n  nsbridge probe\n  nsbridge probe --json | jq .features.clone3\n')
    .action((options: { json?: boolean }) => {
      const report = probe();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const colour = useColour(process.stdout);
      const mark = (ok: boolean): string => (ok ? paint('yes', 32, colour) : paint('no', 31, colour));
      process.stdout.write(
        `kernel ${report.kernel.release}, uid ${report.uid}, ${report.privileged ? 'privileged (CAP_SYS_ADMIN in the initial user namespace)' : 'unprivileged'}\n\n`,
      );
      const rows = [
        ...Object.entries(report.namespaces).map(([name, f]) => [`namespace:${name}`, mark(f.supported), f.detail]),
        ...Object.entries(report.features).map(([name, f]) => [name, mark(f.supported), f.detail]),
      ];
      process.stdout.write(table(['FEATURE', 'OK', 'DETAIL'], rows));
    });
}
