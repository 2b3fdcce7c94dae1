import { defineConfig } from 'vitest/config';

/**
 * Browser tests: one Yunwei server with the demo data for the whole run (support/global-setup.ts),
 * one Chromium per test file. Files run one after another: they share that server, and a
 * browser per file on a small CI machine is plenty.
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['./support/global-setup.ts'],
    fileParallelism: false,
    // A journey is many page loads and clicks; the first load of a lazy page compiles nothing
    // but still fetches its chunk. Generous limits, so only a real hang fails on time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
