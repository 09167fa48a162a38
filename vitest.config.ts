import { defineConfig } from 'vitest/config';

// Integration tests drive real SoftHSM2 tokens, pdfsig and qpdf: they are slow-ish and
// share a machine with 2 cores, so files run in at most two workers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/unhandled-reporter.ts'],
    // Unhandled errors are judged by test/unhandled-reporter.ts: all fail the run but vitest's own worker RPC timeout.
    dangerouslyIgnoreUnhandledErrors: true,
  },
});
