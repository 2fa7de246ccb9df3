import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/resilience/**', 'node_modules/**'],
    // migrates the databases each test file copies, once per run (see test/helpers/database.ts)
    globalSetup: ['test/global-setup.ts'],
    // a cheap argon2 cost for the accounts tests create (production keeps its own; see the file)
    setupFiles: ['test/setup.ts'],
    // vitest's default is one worker less than the cores: one worker on a 2-core machine, so the files
    // ran one after the other. Each file has its own database and waits on I/O too: one worker per core.
    maxWorkers: '100%',
    // Each worker runs its files one after the other in one module graph instead of importing the
    // app afresh for each file (1-2 s of CPU per file). Files stay independent: each opens and
    // disposes its own database, and the few module-level values of src/ are caches of constants.
    isolate: false,
    // a hung test fails after a minute; 30 s was too short for the embedded restart and the 50 concurrent
    // commands when other engineers load the shared machine (load average above 20 on 2 cores)
    testTimeout: 60_000,
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
