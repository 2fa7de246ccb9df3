import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // migrates the databases each test file copies, once per run (see test/helpers/database.ts)
    globalSetup: ['test/global-setup.ts'],
    // a cheap argon2 cost for the accounts tests create (production keeps its own; see the file)
    setupFiles: ['test/setup.ts'],
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
