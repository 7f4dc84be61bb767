/**
 * The random-sequence generator: deterministic, names only what exists, and the model evaluates
 * every sequence it makes without throwing (the cross-check itself runs in verify-kernel.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Model } from '../src/model/model.js';
import { abstractSequence, materialise } from '../src/verify/random.js';

describe('random sequences', () => {
  it('materialise is deterministic', () => {
    const [sequence] = fc.sample(abstractSequence(), { seed: 7, numRuns: 1 });
    expect(materialise(sequence!)).toEqual(materialise(sequence!));
  });

  it('the model evaluates 2,000 generated sequences without an exception, every result ok or an errno', () => {
    fc.assert(
      fc.property(abstractSequence(), (sequence) => {
        const steps = materialise(sequence);
        const results = new Model().run(steps);
        expect(results).toHaveLength(steps.length);
        for (const r of results) {
          expect(typeof r.rule).toBe('string');
          expect(r.ok || /^E[A-Z0-9]+$/.test(r.errno)).toBe(true);
        }
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  it('every process a step names was created by an earlier step (or is init / root)', () => {
    fc.assert(
      fc.property(abstractSequence(), (sequence) => {
        const known = new Set(['init', 'root']);
        for (const step of materialise(sequence)) {
          for (const key of ['proc', 'target'] as const) {
            const name = (step as Record<string, unknown>)[key];
            if (typeof name === 'string') expect(known.has(name)).toBe(true);
          }
          if (step.op === 'clone3' && step.child !== undefined) known.add(step.child);
        }
      }),
      { seed: 2, numRuns: 500 },
    );
  });
});
