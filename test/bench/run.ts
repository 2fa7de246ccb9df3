/**
 * `npm run bench`: the hot path of a meeting, a round submission, measured next to baselines
 * taken in the same run on the same database. Prints figures; asserts nothing.
 *   - submit: ProposalService.execute (one read of the snapshot, decide, hash, append, project)
 *   - baseline replay: the same decision made by folding the whole log instead of reading the snapshot
 *   - baseline insert: one bare INSERT of a comparable row, the floor any command pays
 * then the live updates (live.ts) and the register's search and pages on a generated set (register.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { decide, fold, type Event } from '../../src/consent/index.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { loadStream } from '../../src/proposals/events.repository.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { benchLive } from './live.ts';
import { benchRegister } from './register.ts';
import { row, stats } from './stats.ts';
import { commandsAt } from '../consent/fixtures.ts';

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 200);
let clock = Date.parse('2026-01-01T00:00:00Z');
const cmd = commandsAt(() => new Date((clock += 1)).toISOString());

async function bench(database: Database, label: string): Promise<void> {
  await migrateToLatest(database.db);
  const people = await database.db
    .insertInto('persons')
    .values(Array.from({ length: PARTICIPANTS + 2 }, (_, i) => ({ display_name: `Personne ${i}` })))
    .returning('id')
    .execute();
  const [facilitator, proposer, ...participants] = people.map((p) => p.id) as [string, string, ...string[]];
  const service = new ProposalService({ db: database.db });
  const id = randomUUID();
  await service.execute(
    id,
    cmd('CreateProposal', proposer, {
      proposalId: id,
      proposerId: proposer,
      facilitatorId: facilitator,
      secretaryId: null,
      title: 'Bench',
      tension: 'T',
      text: 'Texte',
      criteria: '',
      reviewDate: null,
      validitySet: 's3',
    }),
  );
  await service.execute(id, cmd('Present', facilitator, {}));
  await service.execute(id, cmd('StartClarificationRound', facilitator, { participants: [participants[0]!] }));
  await service.execute(id, cmd('Pass', participants[0]!, {}));
  await service.execute(id, cmd('StartReactionRound', facilitator, { participants }));

  // Warm-up, then a full reaction round of PARTICIPANTS submissions, timed one by one.
  const submit: number[] = [];
  const replay: number[] = [];
  const insert: number[] = [];
  for (const [i, person] of participants.entries()) {
    const c = cmd('React', person, { reactionId: `r${i}`, text: `Réaction ${i} : ${'x'.repeat(200)}` });
    // Baseline: decide from a full replay of the log (what the snapshot saves), read-only.
    let t = performance.now();
    const entries = await loadStream(database.db, id);
    const decided = decide(fold(entries.map((e) => e.data as unknown as Event)), c);
    replay.push(performance.now() - t);
    if (!Array.isArray(decided)) throw new Error('bench: unexpected refusal');

    t = performance.now();
    await service.execute(id, c);
    submit.push(performance.now() - t);

    t = performance.now();
    await sql`insert into persons (display_name) values (${`bench ${i}`})`.execute(database.db);
    insert.push(performance.now() - t);
  }
  const events = (await loadStream(database.db, id)).length;
  console.log(`\n${label}: a reaction round of ${participants.length} submissions (log grows to ${events} events)`);
  console.log(row('round submission (ProposalService.execute)', stats(submit.slice(10)), { rate: true }));
  console.log(row('baseline: decide after replaying the log', stats(replay.slice(10)), { rate: true }));
  console.log(row('baseline: one bare INSERT', stats(insert.slice(10)), { rate: true }));
  const mem = process.memoryUsage();
  console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
}

// BENCH_ONLY=register (or submit, live, comma-separated) runs only those parts; BENCH_EMBEDDED=false skips
// the embedded database (for the 100 000-decision register on a server).
const only = new Set((process.env.BENCH_ONLY ?? 'submit,live,register').split(','));
async function all(database: Database, label: string): Promise<void> {
  if (only.has('submit')) await bench(database, label);
  else await migrateToLatest(database.db);
  if (only.has('live')) await benchLive(database, label, PARTICIPANTS);
  if (only.has('register')) await benchRegister(database, label);
}

if (process.env.BENCH_EMBEDDED !== 'false') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'so-bench-'));
  const embedded = await openDatabase({ databaseUrl: null, pgliteDir: dir });
  try {
    await all(embedded, 'embedded PGlite');
  } finally {
    await embedded.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
if (process.env.DATABASE_URL) {
  const server = await openDatabase({ databaseUrl: process.env.DATABASE_URL, pgliteDir: '' });
  try {
    await all(server, 'PostgreSQL server');
  } finally {
    await server.close();
  }
}
