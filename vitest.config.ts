import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // migrates the databases each test file copies, once per run (see test/helpers/database.ts)
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    server: { deps: { inline: ['kysely'] } },
    coverage: {
      provider: 'v8',
      include: ['src/consent/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { 'src/consent/**': { branches: 95 } },
    },
  },
});
