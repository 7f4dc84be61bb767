/**
 * Skips that CI can turn into failures: a test that needs a host feature runs when the feature is
 * there; otherwise it is skipped with the reason — unless NSBRIDGE_MUST_WORK=1 (set in CI), which
 * makes the missing feature a failure.
 */
import { it } from 'vitest';

export const mustWork = process.env.NSBRIDGE_MUST_WORK === '1';

type TestBody = () => unknown;

/** `it`, gated on a feature: `itWith(have, 'why', 'name', fn)`. */
export function itWith(have: boolean, reason: string, name: string, body: TestBody, timeout?: number): void {
  if (have) {
    it(name, body, timeout);
  } else if (mustWork) {
    it(name, () => {
      throw new Error(`host lacks a required feature (NSBRIDGE_MUST_WORK=1): ${reason}`);
    });
  } else {
    it.skipIf(true)(`${name} [skipped: ${reason}]`, body);
  }
}

export const isRoot = process.getuid?.() === 0;
