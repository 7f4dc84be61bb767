/**
 * The cross-check on this host: every catalogue scenario, and a fixed-seed batch of random
 * sequences, must give the same results on the model and on the real kernel.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step } from '../src/model/steps.js';
import { hostClocks } from '../src/verify/host-config.js';
import { AREAS } from '../src/model/steps.js';
import { CATALOGUE } from '../src/verify/catalogue/index.js';
import { compareScenario, type ScenarioOutcome } from '../src/verify/harness.js';
import { formatResult } from '../src/verify/canonical.js';
import { verify } from '../src/verify/verify.js';
import { canBeNobody, hasCommands, isRoot, itWith } from './helpers/features.js';
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

/**
 * Issue 13: every value the step shapes let through means the same to the model and to the
 * kernel. Per integer field, values drawn across its C type (fast-check biases them toward the
 * ends, 0 and small numbers) run as one scenario on both sides and must agree step by step.
 */
describe('integer fields across their C type', () => {
  const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
  const draw = (range: { min: number; max: number }, seed: number, count = 24): number[] =>
    [...new Set([range.min, range.max, -1, 0, 1, 2 ** 32 - 2, ...fc.sample(fc.integer(range), { seed, numRuns: count })])].filter((n) => n >= range.min && n <= range.max);
  const FIELDS: [name: string, steps: () => Step[]][] = [
    ['kill signal and target pid, pidfd_send_signal signal', () => [
      { op: 'clone3', proc: 'root', child: 'a' },
      { op: 'pidfdOpen', proc: 'root', as: 'p', target: 'a' },
      ...draw(INT32, 1).flatMap((n): Step[] => [
        { op: 'kill', proc: 'root', target: { pid: n }, signal: 0 },
        { op: 'pidfdSendSignal', proc: 'root', fd: 'p', signal: n },
        { op: 'kill', proc: 'root', target: 'a', signal: n },
      ]),
      { op: 'state', target: 'a' },
    ]],
    ['clone3 exit_signal and set_tid', () => draw(INT32, 2).flatMap((n, i): Step[] => [
      { op: 'clone3', proc: 'root', child: `x${i}`, exitSignal: n },
      { op: 'clone3', proc: 'root', child: `s${i}`, setTid: [n] },
    ])],
    ['exit codes', () => draw(INT32, 3).flatMap((n, i): Step[] => [
      { op: 'clone3', proc: 'root', child: `e${i}` },
      { op: 'exit', proc: `e${i}`, code: n },
      { op: 'wait', proc: 'root', target: `e${i}` },
    ])],
    ['pidfd_open and waitid pids, pid translation', () => [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      { op: 'openNs', proc: 'root', as: 'pa', target: 'a', entry: 'pid' },
      ...draw(INT32, 4).flatMap((n): Step[] => [
        { op: 'pidfdOpen', proc: 'root', as: 'q', target: { pid: n } },
        { op: 'close', proc: 'root', handle: 'q' },
        { op: 'wait', proc: 'root', target: { pid: n } },
        { op: 'translatePid', proc: 'root', fd: 'pa', direction: 'from', pid: n },
        { op: 'translatePid', proc: 'root', fd: 'pa', direction: 'in', target: { pid: n } },
      ]),
    ]],
    ['ns_last_pid', () => [
      { op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] },
      ...draw(INT32, 5).flatMap((n): Step[] => [{ op: 'writeLastPid', proc: 'a', value: n }, { op: 'readLastPid', proc: 'a' }]),
    ]],
    ['setuid ids (uid_t: -1 keeps)', () => draw({ min: -1, max: 2 ** 32 - 1 }, 6, 16).flatMap((n, i): Step[] => [
      { op: 'clone3', proc: 'root', child: `u${i}` },
      { op: 'setuid', proc: `u${i}`, id: n },
      { op: 'clone3', proc: `u${i}`, child: `v${i}`, namespaces: ['user'] },
      { op: 'openNs', proc: 'root', as: 'h', target: `v${i}`, entry: 'user' },
      { op: 'nsIoctl', proc: 'root', fd: 'h', request: 'NS_GET_OWNER_UID' },
    ])],
    ['uid_map lines (u32)', () => {
      const u32 = { min: 0, max: 2 ** 32 - 1 };
      const [firsts, lowers, counts] = [draw(u32, 7, 12), draw(u32, 8, 12), draw(u32, 9, 12)];
      return firsts.flatMap((first, i): Step[] => [
        { op: 'clone3', proc: 'root', child: `c${i}`, namespaces: ['user'] },
        { op: 'writeMap', proc: 'root', target: `c${i}`, map: 'uid_map', lines: [[first, lowers[i % lowers.length]!, counts[(i * 7) % counts.length]!]] },
        { op: 'readMap', proc: 'root', target: `c${i}`, map: 'uid_map' },
      ]);
    }],
    ['time offsets, including the ends that depend on the clock', () => {
      // Read now; the scenario starts within the second: offsets 5 s from a clock-dependent end.
      const { monotonic, boottime } = hostClocks();
      const half = Math.floor(9_223_372_036 / 2);
      const offsets = [
        -Math.floor(boottime) - 5, -Math.floor(monotonic) - 5, -Math.floor(Math.min(boottime, monotonic)) + 5,
        half - Math.floor(monotonic) + 5, half - Math.floor(monotonic) - 5, 9_223_372_037, -9_223_372_037, 0.25,
        ...fc.sample(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), { seed: 10, numRuns: 16 }),
      ];
      return offsets.flatMap((seconds, i): Step[] => [
        { op: 'clone3', proc: 'root', child: `t${i}` },
        { op: 'unshare', proc: `t${i}`, namespaces: ['time'] },
        { op: 'writeTimeOffsets', proc: `t${i}`, target: `t${i}`, offsets: [{ clock: i % 2 === 0 ? 'boottime' : 'monotonic', seconds }] },
        { op: 'writeTimeOffsets', proc: `t${i}`, target: `t${i}`, offsets: [{ clock: i % 2 === 0 ? 'monotonic' : 'boottime', seconds }] },
        { op: 'readTimeOffsets', proc: `t${i}`, target: `t${i}` },
      ]);
    }],
  ];
  itWith(isRoot && hasCommands('unshare'), 'needs root and unshare', 'the host clocks the harness gives the model are the kernel\'s, also from inside a time namespace with offsets', () => {
    const before = hostClocks();
    const script = `import(${JSON.stringify(`${repoRoot}/dist/verify/host-config.js`)}).then((m) => process.stdout.write(JSON.stringify(m.hostClocks())))`;
    const inside = spawnSync('unshare', ['--time', '--monotonic', '100000', '--boottime', '200000', '--fork', process.execPath, '-e', script], { encoding: 'utf8' });
    const after = hostClocks();
    expect(inside.stderr).toBe('');
    const seen = JSON.parse(inside.stdout) as typeof before;
    for (const clock of ['monotonic', 'boottime'] as const) {
      expect(seen[clock]).toBeGreaterThanOrEqual(before[clock] - 0.02);
      expect(seen[clock]).toBeLessThanOrEqual(after[clock] + 0.02);
    }
  });

  for (const [name, steps] of FIELDS) {
    itWith(isRoot, 'the scenarios create every kind of namespace: needs root', name, async () => {
      const outcome = await compareScenario({ name, area: 'random', description: name, steps: steps() }, { minimise: false });
      expect(outcome.status, explainOutcome(outcome)).toBe('agreed');
    }, 60_000);
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
    expect(result.stdout).not.toMatch(/\u001b\[/); // eslint-disable-line no-control-regex -- no ANSI escape (ESC [)
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
    const result = cli(...(args));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
