import { defineConfig } from 'vitest/config';

// chDB binds one data directory per process, so every test file runs in its own fork
// (and makes its own temporary DATA_DIR).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Builds dashboard/dist once, before any file (the e2e tests serve it).
    globalSetup: ['test/build-dashboard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: two forks at a time keeps chDB start-up and Chromium from starving each other.
    maxWorkers: 2,
  },
});
