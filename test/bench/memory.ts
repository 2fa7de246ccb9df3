/**
 * Memory of the app process (RSS in /proc/<pid>/status) on PostgreSQL: idle after start, with 200
 * then 500 open participant streams, and the highest RSS sampled every 20 ms during fan-outs to
 * those 500 (each holding its participant view as the browser does: the region pushed, its own part fetched when told). Baseline: bare Express idle and holding 500 streams.
 */
import type { Database } from '../../src/db/database.ts';
import { fanout, openBrowsers } from './fanout.ts';
import { openStream } from './client.ts';
import { memory, startApp, startBare, watchPeak } from './processes.ts';
import type { Section } from './results.ts';
import { meetingInRound, type World } from './setup.ts';
import { gather, show } from './stats.ts';

const settle = () => new Promise((r) => setTimeout(r, 1500));

export async function memoryPart(database: Database, world: World, env: Record<string, string>, databaseUrl: string, reps: number): Promise<Section> {
  const changes = 3;
  const meeting = await meetingInRound(database, world, 500 + reps * changes + 1);
  let next = 0; // the round's turns are taken in order: each change is the next watcher's « passer »
  const runs: Record<string, number>[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const app = await startApp(env);
    const bare = await startBare(databaseUrl);
    try {
      await settle();
      const idle = memory(app.pid).rss;
      const first = await openBrowsers([app], meeting, 200, 'fragment');
      await settle();
      const at200 = memory(app.pid).rss;
      const rest = await openBrowsers([app], meeting, 300, 'fragment', 200);
      await settle();
      const at500 = memory(app.pid).rss;
      const stop = watchPeak(app.pid);
      const result = await fanout(database, [app], { ...meeting }, [...first, ...rest], changes, next);
      next = result.next;
      const peak = stop();
      for (const b of [...first, ...rest]) b.close();
      const bareIdle = memory(bare.pid).rss;
      const streams = await Promise.all(Array.from({ length: 500 }, () => openStream(bare.port, '/flux', {}, () => {})));
      await settle();
      const bare500 = memory(bare.pid).rss;
      for (const s of streams) s.close();
      runs.push({ idle, at200, at500, peak, lost: result.lost, bareIdle, bare500 });
      console.log(
        `memory rep ${rep + 1}: idle ${idle.toFixed(0)}, 200 streams ${at200.toFixed(0)}, 500 streams ${at500.toFixed(0)}, peak ${peak.toFixed(0)} MiB; bare ${bareIdle.toFixed(0)} / ${bare500.toFixed(0)} MiB`,
      );
    } finally {
      await app.stop();
      await bare.stop();
    }
  }
  const g = gather(runs);
  const mib = (k: string) => show(g[k]!, 0, ' MiB');
  const limit = 200 / 1.048576; // 200 MB in MiB
  return {
    part: 'memory',
    title: 'Memory of the app process on PostgreSQL',
    rows: [
      {
        figure: 'idle after start',
        value: mib('idle'),
        baseline: `bare Express: ${mib('bareIdle')}`,
        ratio: (g.idle!.median / g.bareIdle!.median).toFixed(1),
        goal: '≤ 200 MB',
        met: g.idle!.max <= limit,
      },
      { figure: '200 open streams', value: mib('at200'), baseline: '—', ratio: '—', goal: '≤ 200 MB', met: g.at200!.max <= limit },
      {
        figure: '500 open streams',
        value: mib('at500'),
        baseline: `bare Express: ${mib('bare500')}`,
        ratio: (g.at500!.median / g.bare500!.median).toFixed(1),
        goal: '≤ 200 MB',
        met: g.at500!.max <= limit,
      },
      {
        figure: `peak during ${changes} fan-outs to 500`,
        value: `${mib('peak')}; ${show(g.lost!)} lost`,
        baseline: '—',
        ratio: '—',
        goal: '≤ 200 MB',
        met: g.peak!.max <= limit,
      },
    ],
    how: 'RSS (VmRSS) of the one node process, read 1.5 s after each step; the peak is the highest RSS sampled every 20 ms during the fan-outs. A fresh app process per repetition.',
  };
}
