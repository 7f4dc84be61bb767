/** `nsbridge verify`: the model against this host's kernel, reported per rule area. */
import { InvalidArgumentError, Option, type Command } from './commander.js';
import type { Area } from '../model/steps.js';
import { formatResult } from '../verify/canonical.js';
import type { StepDiff } from '../verify/harness.js';
import { AREAS } from '../model/steps.js';
import { paint, table, useColour } from './output.js';

function nonNegativeInteger(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

interface VerifyFlags { json?: boolean; seed?: number; sequences?: number; area?: Area }

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description("run the model's scenario catalogue and random operation sequences on this host's kernel and report every difference")
    .option('--json', 'print the report as JSON')
    .option('--seed <n>', 'seed of the random sequences (default: a fresh one, printed)', nonNegativeInteger('--seed'))
    .option('--sequences <n>', 'number of random sequences (default 300; 0 = catalogue only)', nonNegativeInteger('--sequences'))
    .addOption(new Option('--area <area>', 'only one rule area').choices(AREAS))
    .addHelpText(
      'after',
      '\nNeeds root (the scenarios create every kind of namespace).\n\nExamples:\n  nsbridge verify\n  nsbridge verify --area setns\n  nsbridge verify --area random --seed 42 --sequences 1000\n  nsbridge verify --json > report.json\n',
    )
    .action(async (flags: VerifyFlags) => {
      const { probe } = await import('../probe.js');
      if (!probe().privileged) {
        // Every scenario's world is a new pid + mount namespace made from the initial user namespace.
        throw new Error('verify needs root (CAP_SYS_ADMIN in the initial user namespace): each scenario starts in a new pid and mount namespace and its processes create, join and map namespaces of every kind');
      }
      const { verify } = await import('../verify/verify.js');
      const progress = progressReporter(process.stderr);
      const report = await verify({ ...flags, onProgress: progress.update });
      progress.finish();
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, useColour(process.stdout)));
      process.exitCode = report.ok ? 0 : 1;
    });
}

/** A bar redrawn in place on a TTY; otherwise one plain line per 25 items (and the last). */
function progressReporter(stream: NodeJS.WriteStream): { update: (e: { done: number; total: number; label: string }) => void; finish: () => void } {
  let drawn = false;
  return {
    update({ done, total, label }) {
      if (stream.isTTY) {
        const width = 30;
        const filled = total === 0 ? width : Math.round((done / total) * width);
        const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
        stream.write(`\r\u001b[2K${text.slice(0, (stream.columns ?? 80) - 1)}`);
        drawn = true;
      } else if (done % 25 === 0 || done === total) {
        stream.write(`verify: ${done}/${total} ${label}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}

type Report = Awaited<ReturnType<typeof import('../verify/verify.js').verify>>;

function renderDiff(diff: StepDiff): string {
  return [
    `  step ${diff.index}: ${JSON.stringify(diff.step)}`,
    `    model:  ${formatResult(diff.model)}  [${diff.model.rule}] ${diff.model.reason}`,
    `    kernel: ${formatResult(diff.kernel)}`,
  ].join('\n');
}

export function renderReport(report: Report, colour: boolean): string {
  const out: string[] = [];
  const rows = report.areas.map((a) => [
    a.area, String(a.run), String(a.agreed),
    a.diverged.length + a.errors.length === 0 ? '0' : paint(String(a.diverged.length + a.errors.length), 31, colour),
    String(a.skipped.length),
  ]);
  if (report.random !== null) {
    const r = report.random;
    rows.push(['random', String(r.sequences), r.counterexample === null && r.error === null ? String(r.sequences) : '-', r.counterexample === null && r.error === null ? '0' : paint('1', 31, colour), '0']);
  }
  out.push(`kernel ${report.kernel}\n`, table(['AREA', 'RUN', 'AGREED', 'DIVERGED', 'SKIPPED'], rows));
  for (const area of report.areas) {
    for (const outcome of [...area.diverged, ...area.errors]) {
      out.push(`\n${paint(outcome.status === 'error' ? 'ERROR' : 'DIVERGED', 31, colour)} ${outcome.name}: ${outcome.description}`);
      if (outcome.reason !== undefined) out.push(`  driver error: ${outcome.reason}`);
      out.push(...outcome.diffs.slice(0, 3).map(renderDiff));
      if (outcome.minimal !== undefined) out.push(`  minimal diverging steps: ${JSON.stringify(outcome.minimal)}`);
    }
    for (const skip of area.skipped) out.push(`\nskipped ${skip.name}: ${skip.reason}`);
  }
  if (report.random !== null) {
    const r = report.random;
    out.push(`\nrandom: ${r.sequences} sequences, ${r.steps} steps, seed ${r.seed} (repeat: ${r.reproduce})`);
    if (r.counterexample !== null) {
      out.push(`${paint('DIVERGED', 31, colour)} minimal random sequence (save it into the catalogue):`, JSON.stringify(r.counterexample.scenario, null, 2));
      out.push(...r.counterexample.diffs.slice(0, 3).map(renderDiff));
    }
    if (r.error !== null) out.push(`driver error: ${r.error}`);
  }
  out.push(`\n${report.ok ? paint('everything agreed', 32, colour) : paint('the model and the kernel differ', 31, colour)} (${(report.ms / 1000).toFixed(1)} s)\n`);
  return out.join('\n');
}
