/**
 * Production runs one command, package.json's `serve` script (`node <heap flags> dist/server.js`):
 * the compose file, the README, the CI smoke test of the build and the benchmarks run the same, so
 * what the bench measures is what an operator runs.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { productionCommand } from './bench/processes.ts';

const serve = productionCommand();
const line = ['node', ...serve.flags, serve.script].join(' ');

describe('the production command', () => {
  it('when package.json is read, then it runs the build with node itself and sizes its heap', () => {
    expect(serve.script).toBe('dist/server.js');
    expect(serve.flags.some((f) => f.startsWith('--max-old-space-size='))).toBe(true);
    expect(serve.flags.some((f) => f.startsWith('--max-semi-space-size='))).toBe(true);
  });

  it.each(['docker-compose.yml', '.ci/dist-smoke.sh'])('when %s starts the app, then it runs the same command', async (file) => {
    expect(await readFile(file, 'utf8')).toContain(line);
  });

  it('when the README tells how to run on a server, then it gives the same flags', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(readme).toContain(`node ${serve.flags.join(' ')} ${serve.script}`);
  });
});
