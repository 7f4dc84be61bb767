import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { probe } from '../src/index.js';
import { repoRoot } from './helpers/processes.js';

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('nsbridge CLI', () => {
  it('probe --json prints the same report as probe()', () => {
    const result = cli('probe', '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(probe())));
  });

  it('probe prints an aligned table without colour when NO_COLOR is set', () => {
    const result = cli('probe');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b\[/); // eslint-disable-line no-control-regex -- no ANSI escape (ESC [)
    const lines = result.stdout.split('\n').filter((line) => /^(FEATURE|clone3|namespace:net) /.test(line));
    expect(lines).toHaveLength(3);
    const okColumn = lines.map((line) => line.search(/ (OK|yes|no)\b/));
    expect(new Set(okColumn).size).toBe(1);
  });

  it('an unknown flag is a usage error: exit code 2, the flag named on stderr', () => {
    const result = cli('probe', '--jsn');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--jsn'/);
  });

  it('an unknown subcommand is a usage error', () => {
    const result = cli('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe('addon loading', () => {
  it('a bad NSBRIDGE_ADDON gives an actionable error, not a bare MODULE_NOT_FOUND', () => {
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'probe'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NSBRIDGE_ADDON: '/nonexistent/nsbridge.node' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^nsbridge: NSBRIDGE_ADDON=\/nonexistent\/nsbridge.node could not be loaded \(Cannot find module/);
    expect(result.stderr).toMatch(/npm run build:cmake/);
    expect(result.stderr).not.toMatch(/MODULE_NOT_FOUND/);
  });
});
