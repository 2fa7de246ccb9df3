/**
 * `npm run bench [-- part …]`: measures the app from outside, each figure next to its baseline in
 * the same run, 3 repetitions (median, min–max), and writes bench/results.md. It builds first
 * (npm run build), starts a throwaway PostgreSQL 15 (.ci/postgres.sh) unless DATABASE_URL is
 * set, and starts `node dist/server.js` processes and the bare Express baseline itself.
 *
 * Parts (all but `register` by default): write, fanout, memory, start, bytes, register.
 *   npm run bench -- fanout          only the live fan-out (its section of results.md is rewritten, the others kept)
 *   npx tsx test/bench/run.ts fanout the same without rebuilding dist/
 * Settings: BENCH_REPS (3), BENCH_TURNS (30 turns per séance in the write path), BENCH_CLIENTS (20,50), BENCH_CHANGES
 * (10 per repetition), BENCH_LOG_LEVEL (info, as production), BENCH_CPU_PROF=<dir> (profiles the app),
 * BENCH_NODE_FLAGS='--flag …' (Node flags after production's, to compare a setting).
 */
import os from 'node:os';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { startApp, startBare, startPostgres, type Running } from './processes.ts';
import { createWorld, meetingInRound, type World } from './setup.ts';
import { gather } from './stats.ts';
import { writeRepetition } from './write.ts';
import { fanoutPart } from './fanout.ts';
import { memoryPart } from './memory.ts';
import { startPart } from './startup.ts';
import { bytesPart } from './bytes.ts';
import { section, writeResults, type Section } from './results.ts';

const PARTS = ['write', 'fanout', 'memory', 'start', 'bytes', 'register'] as const;
type Part = (typeof PARTS)[number];
const asked = process.argv.slice(2).filter((a) => a !== '--');
for (const a of asked) if (!(PARTS as readonly string[]).includes(a)) throw new Error(`bench: unknown part ${a} (one of ${PARTS.join(', ')})`);
const parts: Part[] = asked.length ? (asked as Part[]) : PARTS.filter((p) => p !== 'register');
export const REPS = Number(process.env.BENCH_REPS ?? 3);
const TURNS = Number(process.env.BENCH_TURNS ?? 30);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '20,50').split(',').map(Number);

const pg = await startPostgres();
const cpu = (r: Record<string, number>, key: string) => `${r[`${key}.appCpu`]!.toFixed(2)} + ${r[`${key}.dbCpu`]!.toFixed(2)}`;
const database: Database = await openDatabase({ databaseUrl: pg.url, pgliteDir: '' });
const sections: Section[] = [];
let postgresVersion = '';
// each part's section is written as soon as it is measured: a run stopped later keeps it
const record = async (s: Section) => {
  sections.push(s);
  await writeResults([s], { postgres: postgresVersion, cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}` });
};
const apps: Running[] = [];
try {
  await migrateToLatest(database.db);
  postgresVersion = (await database.db.selectNoFrom((eb) => eb.fn<string>('version', []).as('v')).executeTakeFirstOrThrow()).v;
  const world: World = await createWorld(database);
  const env = { DATABASE_URL: pg.url };
  console.log(`bench: ${parts.join(', ')} on ${pg.own ? 'a throwaway PostgreSQL 15' : 'DATABASE_URL'}, ${REPS} repetitions`);

  if (parts.includes('write')) {
    const app = await startApp(env);
    const bare = await startBare(pg.url);
    apps.push(app, bare);
    // warm-up, not counted: JIT, the pools' connections, prepared caches
    await writeRepetition(database, world, app, bare, 10, 20, pg.pids);
    const runs: Record<number, Record<string, number>[]> = Object.fromEntries(CLIENTS.map((c) => [c, []]));
    for (let rep = 0; rep < REPS; rep++)
      for (const clients of CLIENTS) {
        const r = await writeRepetition(database, world, app, bare, clients, TURNS, pg.pids);
        runs[clients]!.push(r);
        console.log(
          `write rep ${rep + 1}, ${clients} clients: passer ${r['pass.rps']!.toFixed(0)}/s, reactions ${r['react.rps']!.toFixed(0)}/s, bare INSERT ${r['bare.rps']!.toFixed(0)}/s; CPU ms per request (app + PostgreSQL): passer ${cpu(r, 'pass')}, reactions ${cpu(r, 'react')}, bare ${cpu(r, 'bare')}`,
        );
      }
    await app.stop();
    await bare.stop();
    await record(
      section.write(
        CLIENTS.map((c) => [c, gather(runs[c]!)] as const),
        TURNS,
      ),
    );
  }
  if (parts.includes('fanout')) await record(await fanoutPart(database, world, env, REPS));
  if (parts.includes('memory')) await record(await memoryPart(database, world, env, pg.url, REPS));
  if (parts.includes('start')) await record(await startPart(env, pg.url, REPS));
  if (parts.includes('bytes')) {
    const app = await startApp(env);
    apps.push(app);
    const meeting = await meetingInRound(database, world, 3);
    await record(await bytesPart(app, meeting));
    await app.stop();
  }
  if (parts.includes('register')) {
    const { benchRegister } = await import('./register.ts');
    await record(await benchRegister(database, 'PostgreSQL server', REPS));
  }
  if (sections.length) console.log(`bench: ${sections.map((s) => s.part).join(', ')} written to bench/results.md`);
} finally {
  for (const a of apps) await a.stop().catch(() => {});
  await database.close();
  pg.stop();
}
