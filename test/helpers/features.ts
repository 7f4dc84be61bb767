/**
 * Skips that CI can turn into failures: a test that needs a host feature runs when the feature is
 * there; otherwise it is skipped with the reason — unless NSBRIDGE_MUST_WORK=1 (set in CI), which
 * makes the missing feature a failure.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

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

/** `describe`, gated like itWith: a missing feature skips the block with the reason, or fails it under NSBRIDGE_MUST_WORK=1. */
export function describeWith(have: boolean, reason: string, name: string, body: () => void): void {
  if (have) {
    describe(name, body);
  } else if (mustWork) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`host lacks a required feature (NSBRIDGE_MUST_WORK=1): ${reason}`);
      });
    });
  } else {
    describe.skipIf(true)(`${name} [skipped: ${reason}]`, body);
  }
}

/** Whether every command is an executable on this process's PATH (tools tests compare with or set up with). */
export function hasCommands(...names: string[]): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return names.every((name) =>
    dirs.some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}
