import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the tests that need neither root nor kernel state of their own making —
 * the model, option validation, the bad-input table (its root-only rows skip with the reason),
 * CLI parsing and hints — for a contributor without root, in well under 30 s. The full suite is
 * vitest.config.ts (`npm test`).
 */
export default defineConfig({
  test: {
    include: [
      'test/model-namespaces.test.ts',
      'test/model-tasks.test.ts',
      'test/model-hints.test.ts',
      'test/model-package.test.ts',
      'test/verify-canonical.test.ts',
      'test/verify-random.test.ts',
      'test/errors.test.ts',
      'test/spawn-options.test.ts',
      'test/cli.test.ts',
      'test/bad-input.test.ts',
      'test/kinds-table.test.ts',
    ],
    pool: 'forks',
    // These files count only their own process's fds, mounts and children, so they may run side
    // by side (the full suite runs one file at a time because its files compare with lsns).
    fileParallelism: true,
    testTimeout: 60_000,
  },
});
