/**
 * nsbridge/vitest as a user meets it: vitest runs test/fixtures/vitest-project (its own config)
 * in a child process, and its JSON report is checked here: a passing test with a server in its
 * namespace, a failing one whose service output is in the report, a timed-out one and one whose
 * service never got ready — every service process gone afterwards — and, as uid 65534, a skip
 * with the reason that NSBRIDGE_MUST_WORK=1 turns into a failure.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { canBeNobody, isRoot, itWith } from './helpers/features.js';
import { SETPRIV_NOBODY, repoRoot } from './helpers/processes.js';

const VITEST = join(repoRoot, 'node_modules/.bin/vitest');
const PROJECT = join(repoRoot, 'test/fixtures/vitest-project');

interface Report {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

/** Runs the project's tests (as `launcher`), returns its JSON report and the pids its services recorded. */
function runProject(launcher: readonly string[], env: NodeJS.ProcessEnv, filter?: string): { status: number | null; report: Report; pids: Record<string, number> } {
  const dir = mkdtempSync(join(tmpdir(), 'nsbridge-vitest-'));
  chmodSync(dir, 0o777);
  try {
    const out = join(dir, 'report.json');
    // --configLoader runner: the config is loaded without a temporary file in the project.
    const argv = [...launcher, VITEST, 'run', '--configLoader', 'runner', '--root', PROJECT, '--reporter=json', `--outputFile=${out}`, ...(filter === undefined ? [] : ['-t', filter])];
    // The project runs in a directory of its own: a build chosen by a relative NSBRIDGE_ADDON
    // (the cmake-js and ASan runs) is named absolutely.
    const addon = env.NSBRIDGE_ADDON === undefined ? {} : { NSBRIDGE_ADDON: resolve(repoRoot, env.NSBRIDGE_ADDON) };
    const result = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, encoding: 'utf8', env: { ...env, ...addon, NSBRIDGE_FIXTURE_PIDS: dir, NO_COLOR: '1' }, timeout: 120_000, killSignal: 'SIGKILL' });
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const pids = Object.fromEntries(readdirSync(dir).filter((f) => f !== 'report.json').map((f) => [f, Number(readFileSync(join(dir, f), 'utf8'))]));
    return { status: result.status, report, pids };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const alive = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
};

describe('nsbridge/vitest fixtures', () => {
  itWith(isRoot, 'needs root (the fixtures create namespaces)', 'a pass, a failure with the service output in the report, a timeout and a service never ready; every service stopped and reaped after its test', () => {
    const { status, report, pids } = runProject([], { ...process.env, NSBRIDGE_MUST_WORK: '0' });
    expect(status).toBe(1);
    const results = report.testResults[0]!.assertionResults.map((t) => [t.title.split(':')[0], t.status, t.failureMessages.length]);
    expect(results).toEqual([['passes', 'passed', 0], ['fails', 'failed', 2], ['times out', 'failed', 2], ['never ready', 'failed', 2], ['skips or fails without privilege (run as uid 65534)', 'passed', 0]]);
    const [fails, timesOut, neverReady] = report.testResults[0]!.assertionResults.slice(1, 4).map((t) => t.failureMessages);
    expect(fails![0]).toMatch(/^AssertionError: expected 'the answer' to be 'another answer'/);
    expect(fails![1]).toMatch(/^service sh -c echo marker-output-1234; .* \(pid \d+\) wrote:\nmarker-output-1234\non-stderr-5678\n/);
    // (The JSON report gives a timeout as the runner's stack, without the message.)
    expect(timesOut![1]).toMatch(/^service sh -c echo \$\$ > .* \(pid \d+\) wrote:\n\(nothing\)$/);
    expect(neverReady![0]).toMatch(/^Error: service sh -c echo started; .*: not ready after 300 ms \(waiting for port 127\.0\.0\.1:9 accepting\)\n--- its output ---\nstarted\n/);
    expect(Object.keys(pids).sort()).toEqual(['fails', 'never', 'passes', 'times-out']);
    expect(Object.entries(pids).filter(([, pid]) => alive(pid))).toEqual([]);
  }, 120_000);

  itWith(canBeNobody, 'needs root with setpriv to become uid 65534', 'without CAP_SYS_ADMIN every fixture test is skipped with the reason; NSBRIDGE_MUST_WORK=1 makes it a failure', () => {
    const skipped = runProject(SETPRIV_NOBODY, { ...process.env, NSBRIDGE_MUST_WORK: '0' }, 'without privilege');
    expect(skipped.status).toBe(0);
    expect(skipped.report.testResults[0]!.assertionResults.map((t) => t.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    const failed = runProject(SETPRIV_NOBODY, { ...process.env, NSBRIDGE_MUST_WORK: '1' }, 'without privilege');
    expect(failed.status).toBe(1);
    const last = failed.report.testResults[0]!.assertionResults.at(-1)!;
    expect([last.status, last.failureMessages[0]?.split('\n')[0]]).toEqual(['failed', 'Error: nsbridge/vitest: needs root (CAP_SYS_ADMIN) to create namespaces (NSBRIDGE_MUST_WORK=1 turns the skip into a failure)']);
  }, 120_000);
});
