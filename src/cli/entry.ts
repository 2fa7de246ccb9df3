/** What the command-line tools share: where they write, and whether they were run or imported (by a test). */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where a command writes its lines: the terminal, or a test's buffers. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const terminal: Output = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/** True when the module at `moduleUrl` is the script node was started with (`npm run …`), not an import. */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}
