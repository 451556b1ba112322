import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Generous: these machines are shared; synth and 1 GiB copies slow down under load. No test asserts on time.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // The JSON report feeds the one-line summary that .ci/run prints.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
