/** The code stays readable: every file of src/ split by responsibility, none over 300 lines (house style). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

describe('src/', () => {
  it('when its files are counted, then none is over 300 lines', async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(path.join('training', 'training.service.ts'));
    const long: string[] = [];
    for (const f of files) {
      const lines = (await readFile(path.join(SRC, f), 'utf8')).split('\n').length - 1;
      if (lines > 300) long.push(`${f}: ${lines}`);
    }
    expect(long).toEqual([]);
  });
});
