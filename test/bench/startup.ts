/** Start time from spawning node to the first /healthz 200: on PostgreSQL (migrated), on the embedded database first and second start; and the embedded database's memory once idle. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memory, startApp, startBare } from './processes.ts';
import type { Section } from './results.ts';
import { gather, show } from './stats.ts';

export async function startPart(env: Record<string, string>, databaseUrl: string, reps: number): Promise<Section> {
  const runs: Record<string, number>[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const figures: Record<string, number> = {};
    const pg = await startApp(env);
    figures.pg = pg.startMs;
    await pg.stop();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-bench-pglite-'));
    try {
      for (const which of ['first', 'second'] as const) {
        const app = await startApp({ PGLITE_DIR: dir });
        figures[which] = app.startMs;
        await new Promise((r) => setTimeout(r, 1500));
        const m = memory(app.pid);
        figures[`${which}.rss`] = m.rss;
        figures[`${which}.peak`] = m.peak;
        await app.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const bare = await startBare(databaseUrl);
    figures.bare = bare.startMs;
    await bare.stop();
    runs.push(figures);
    console.log(
      `start rep ${rep + 1}: PostgreSQL ${figures.pg!.toFixed(0)} ms, embedded ${figures.first!.toFixed(0)} / ${figures.second!.toFixed(0)} ms, bare ${figures.bare!.toFixed(0)} ms`,
    );
  }
  const g = gather(runs);
  const s = (k: string) => show({ ...g[k]!, median: g[k]!.median / 1000, min: g[k]!.min / 1000, max: g[k]!.max / 1000 }, 2, ' s');
  return {
    part: 'start',
    title: 'Start and the embedded database',
    rows: [
      {
        figure: 'start to first /healthz 200, PostgreSQL (migrated)',
        value: s('pg'),
        baseline: `bare Express: ${s('bare')}`,
        ratio: (g.pg!.median / g.bare!.median).toFixed(1),
        goal: '—',
        met: null,
      },
      { figure: 'the same, embedded database, first start (creates and migrates it)', value: s('first'), baseline: '—', ratio: '—', goal: '—', met: null },
      { figure: 'the same, embedded database, second start', value: s('second'), baseline: '—', ratio: '—', goal: '—', met: null },
      {
        figure: 'embedded: app memory idle after first / second start (peak)',
        value: `${show(g['first.rss']!, 0, ' MiB')} (${show(g['first.peak']!, 0)}) / ${show(g['second.rss']!, 0, ' MiB')} (${show(g['second.peak']!, 0)})`,
        baseline: '—',
        ratio: '—',
        goal: 'as low as PGlite allows',
        met: null,
      },
    ],
    how: "The app started as package.json's `serve` script starts it, by the bench, timed to its first /healthz 200; memory read 1.5 s after that (VmRSS, and VmHWM as the peak).",
  };
}
