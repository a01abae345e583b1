import { defineConfig } from 'vitest/config';

// One runner for the whole repository. `*.db.test.ts` files run against the database chosen by
// KENNEBEC_TEST_DATABASE_URL (PostgreSQL) or, when it is unset, an embedded PGlite copied from
// one migrated golden image per run (see test/global-setup.ts).
export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'bench/src/**/*.test.ts', 'test/**/*.test.ts', 'apps/web/e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
  },
});
