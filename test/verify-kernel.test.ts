/**
 * The cross-check on this host: every catalogue scenario, and a fixed-seed batch of random
 * sequences, must give the same results on the model and on the real kernel.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AREAS } from '../src/verify/areas.js';
import { CATALOGUE } from '../src/verify/catalogue/index.js';
import { compareScenario, type ScenarioOutcome } from '../src/verify/harness.js';
import { formatResult } from '../src/verify/canonical.js';
import { verify } from '../src/verify/verify.js';
import { canBeNobody, isRoot, itWith } from './helpers/features.js';
import { repoRoot } from './helpers/processes.js';

function explainOutcome(outcome: ScenarioOutcome): string {
  return [
    `${outcome.name}: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`,
    ...outcome.diffs.map((d) => `  step ${d.index} ${JSON.stringify(d.step)}: model ${formatResult(d.model)} [${d.model.rule}] vs kernel ${formatResult(d.kernel)}`),
  ].join('\n');
}

describe('the catalogue', () => {
  it('has at least 120 scenarios with unique names, every rule area covered', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(120);
    expect(new Set(CATALOGUE.map((s) => s.name)).size).toBe(CATALOGUE.length);
    const areas = new Set(CATALOGUE.map((s) => s.area));
    expect(AREAS.filter((a) => a !== 'random' && !areas.has(a))).toEqual([]);
    for (const s of CATALOGUE) expect(s.name.startsWith(`${s.area}/`)).toBe(true);
  });
});

describe.each(AREAS.filter((a) => a !== 'random'))('cross-check: %s', (area) => {
  for (const scenario of CATALOGUE.filter((s) => s.area === area)) {
    itWith(isRoot, 'the scenarios create every kind of namespace: needs root', scenario.name, async () => {
      const outcome = await compareScenario(scenario, { minimise: false });
      expect(outcome.status, explainOutcome(outcome)).toBe('agreed');
    });
  }
});

describe('random sequences', () => {
  itWith(isRoot, 'needs root', '40 sequences with a fixed seed agree', async () => {
    const report = await verify({ area: 'random', seed: 42, sequences: 40 });
    expect(report.random?.counterexample ?? null, JSON.stringify(report.random, null, 2)).toBeNull();
    expect(report.random?.error ?? null).toBeNull();
    expect(report.ok).toBe(true);
  }, 300_000);
});

describe('nsbridge verify', () => {
  function cli(...args: string[]) {
    return spawnSync(process.execPath, ['dist/cli/main.js', 'verify', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  }

  itWith(isRoot, 'needs root', '--area reboot --json: a report of that area only, exit 0, plain progress lines on stderr', () => {
    const result = cli('--area', 'reboot', '--json');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.random).toBeNull();
    expect(report.areas.map((a: { area: string }) => a.area)).toEqual(['reboot']);
    const expected = CATALOGUE.filter((s) => s.area === 'reboot').length;
    expect(report.areas[0].agreed).toBe(expected);
    expect(result.stderr).toContain(`verify: ${expected}/${expected}`);
  });

  itWith(isRoot, 'needs root', 'the table: one row per area run, aligned, no colour under NO_COLOR', () => {
    const result = cli('--area', 'ns_last_pid', '--sequences', '0');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b\[/);
    expect(result.stdout).toMatch(/^AREA +RUN +AGREED +DIVERGED +SKIPPED$/m);
    expect(result.stdout).toMatch(/^ns_last_pid +\d+ +\d+ +0 +0$/m);
    expect(result.stdout).toContain('everything agreed');
  });

  itWith(canBeNobody, 'switching to uid 65534 needs root and setpriv', 'as uid 65534: one line saying it needs root, exit 1, no scenario run', () => {
    const result = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, 'dist/cli/main.js', 'verify', '--area', 'reboot'], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('nsbridge: verify needs root (CAP_SYS_ADMIN in the initial user namespace): each scenario starts in a new pid and mount namespace and its processes create, join and map namespaces of every kind\n');
  });

  it.each([
    [['--seed', 'abc'], /--seed must be a non-negative integer, got "abc"/],
    [['--sequences', '-1'], /--sequences must be a non-negative integer, got "-1"/],
    [['--area', 'bogus'], /argument 'bogus' is invalid.*Allowed choices are/],
    [['--frob'], /unknown option '--frob'/],
  ])('bad flags %j: usage error, exit 2, the flag named', (args, message) => {
    const result = cli(...(args as string[]));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
