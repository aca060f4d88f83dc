import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    // The JSON report lets CI print a plain "N passed, N failed" line.
    // (npm run test:fabric writes its own: CV_VITEST_REPORT=.data/vitest-fabric-results.json)
    reporters: ['default', ['json', { outputFile: process.env.CV_VITEST_REPORT ?? '.data/vitest-results.json' }]],
    hookTimeout: 60_000,
  },
});
