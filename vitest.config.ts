import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report feeds the one-line summary that .ci/run prints.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
