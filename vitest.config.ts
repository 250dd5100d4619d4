import { defineConfig } from 'vitest/config';

// chDB binds one data directory per process, so every test file runs in its own fork
// (and makes its own temporary DATA_DIR).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: two forks at a time keeps chDB start-up and Chromium from starving each other.
    maxWorkers: 2,
  },
});
