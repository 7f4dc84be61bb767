import { describe, expect, it } from 'vitest';
import { canonicalResults, formatResult, sameResult } from '../src/verify/canonical.js';
import { diffResults } from '../src/verify/harness.js';
import type { Step } from '../src/model/steps.js';

describe('canonical results', () => {
  it('renames namespace ids in order of first appearance, nested values included', () => {
    const out = canonicalResults([
      { ok: true, value: { ns: '4026531836' } },
      { ok: false, errno: 'EPERM' },
      { ok: true, value: [{ ns: '4026532999' }, { ns: '4026531836' }] },
      { ok: true, value: { pid: 3, code: 0 } },
      { ok: true },
    ]);
    expect(out).toEqual([
      { ok: true, value: { ns: 'N1' } },
      { ok: false, errno: 'EPERM' },
      { ok: true, value: [{ ns: 'N2' }, { ns: 'N1' }] },
      { ok: true, value: { pid: 3, code: 0 } },
      { ok: true },
    ]);
  });

  it('makes two runs with different raw ids but the same sharing agree, and different sharing differ', () => {
    const model = canonicalResults([{ ok: true, value: { ns: 'pid:3' } }, { ok: true, value: { ns: 'pid:3' } }]);
    const same = canonicalResults([{ ok: true, value: { ns: '77' } }, { ok: true, value: { ns: '77' } }]);
    const other = canonicalResults([{ ok: true, value: { ns: '77' } }, { ok: true, value: { ns: '78' } }]);
    expect(model.map((r, i) => sameResult(r, same[i]!))).toEqual([true, true]);
    expect(model.map((r, i) => sameResult(r, other[i]!))).toEqual([true, false]);
  });

  it('formats results in one line', () => {
    expect(formatResult({ ok: true })).toBe('ok');
    expect(formatResult({ ok: true, value: 3 })).toBe('ok 3');
    expect(formatResult({ ok: false, errno: 'ESRCH' })).toBe('ESRCH');
  });

  it('diffResults reports exactly the differing steps with the model rule attached', () => {
    const steps: Step[] = [{ op: 'getpid', proc: 'root' }, { op: 'getppid', proc: 'root' }];
    const model = [
      { ok: true as const, value: 2, rule: 'pid.getpid', reason: 'r1' },
      { ok: true as const, value: 1, rule: 'pid.getppid', reason: 'r2' },
    ];
    const diffs = diffResults(steps, model, [{ ok: true, value: 2 }, { ok: false, errno: 'ESRCH' }]);
    expect(diffs).toEqual([{ index: 1, step: steps[1], model: { ok: true, value: 1, rule: 'pid.getppid', reason: 'r2' }, kernel: { ok: false, errno: 'ESRCH' } }]);
  });
});
