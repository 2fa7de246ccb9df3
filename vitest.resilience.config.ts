import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// `npm run test:resilience`: load, races, fuzzing of every form, a database outage and a crash
// (test/resilience/). Longer than the unit and integration tests, so CI runs them on their own;
// the outage and crash tests start a PostgreSQL 15 of their own (.ci/postgres.sh), which they stop.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/resilience/**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
