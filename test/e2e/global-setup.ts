/**
 * Browser tests run on PostgreSQL. CI gives a DATABASE_URL; on a developer's machine this starts a
 * throwaway PostgreSQL 15 with `.ci/postgres.sh` for the run and stops it afterwards.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default function setup(project: TestProject): () => void {
  const given = process.env.DATABASE_URL;
  if (given) {
    project.provide('databaseUrl', given);
    return () => {};
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-e2e-pg-'));
  const script = path.resolve(import.meta.dirname, '../../.ci/postgres.sh');
  const out = execFileSync('bash', [script, 'start', dir], { encoding: 'utf8' });
  const match = /export DATABASE_URL=(\S+)/.exec(out);
  if (!match) throw new Error(`.ci/postgres.sh did not print a DATABASE_URL:\n${out}`);
  project.provide('databaseUrl', match[1]!);
  return () => {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'ignore' });
  };
}
