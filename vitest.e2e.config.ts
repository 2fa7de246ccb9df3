import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    // a throwaway PostgreSQL 15 when DATABASE_URL is not set (see test/e2e/global-setup.ts)
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    server: { deps: { inline: ['kysely'] } },
  },
});
