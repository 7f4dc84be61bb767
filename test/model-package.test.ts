/**
 * `nsbridge/model` is importable without the addon: its module graph never reaches the native
 * loader, and it works in a process where the addon cannot load at all.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/processes.js';

function importGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(['"](\.[^'"]+)['"]\)|(?:^|\n)import\s+['"](\.[^'"]+)['"]/g)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (spec !== undefined) visit(resolve(dirname(file), spec));
    }
  };
  visit(entry);
  return [...seen].map((file) => relative(join(repoRoot, 'dist'), file)).sort();
}

describe('nsbridge/model', () => {
  it('imports nothing from the addon, the spawn engine or the raw calls', () => {
    const graph = importGraph(join(repoRoot, 'dist/model/index.js'));
    expect(graph).toContain('model/model.js');
    expect(graph.filter((file) => /^(native|spawn|verify|cli)\/|^(raw|index|namespace|process-handle|probe)\.js$/.test(file))).toEqual([]);
  });

  it('works through the package exports where the addon cannot load', () => {
    const script = `
      const { Model, allRules } = await import('nsbridge/model');
      const m = new Model();
      const clone = m.apply({ op: 'clone3', proc: 'root', child: 'a', namespaces: ['pid'] });
      const pid = m.apply({ op: 'getpid', proc: 'a' });
      console.log(JSON.stringify({ clone: clone.ok, pid: pid.value, rules: allRules().length > 50 }));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NSBRIDGE_ADDON: '/nonexistent/nsbridge.node' },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ clone: true, pid: 1, rules: true });
  });
});
