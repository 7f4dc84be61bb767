import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Forks, not threads: each test file gets its own process, and the addon's fds and watchers
    // stay with it. Tests that change namespaces go one level further, into child processes.
    pool: 'forks',
    // One file at a time, on any machine (vitest would run cores - 1 at once): tests compare with
    // lsns and count their own processes and namespaces, which another file's would disturb.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
