import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { commandsAt } from '../consent/fixtures.ts';
import { verifyReadModels } from '../../src/ledger/read-models.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { verifyLogCommand } from '../../src/cli/verify-log.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { loadStream } from '../../src/proposals/events.repository.ts';
import { SNAPSHOT_EVERY } from '../../src/proposals/snapshots.ts';
import { fold, type Event } from '../../src/consent/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createPeople } from '../helpers/people.ts';
import { playAtelier3, type Atelier3People } from '../helpers/atelier3.ts';

// Item 11 of issue 8: an UPDATE of events.actor_id, or of a read model, must not go unnoticed.
let database: TestDatabase;
let people: Atelier3People;
const proposalId = randomUUID();

let clock = Date.parse('2026-11-25T09:00:00.000Z');
const cmd = commandsAt(() => new Date((clock += 1000)).toISOString());

beforeAll(async () => {
  database = await createTestDatabase();
  people = await createPeople(database, {
    proposer: 'Marie Pradel',
    facilitator: 'Thierry Clément',
    secretary: 'Anne Jestin',
    alice: 'Aline Depernet',
    bob: 'Patrice Solier',
    carol: 'Laurent Badone',
  });
  await playAtelier3(new ProposalService({ db: database.db }), people, proposalId, cmd);
}, 120_000);
afterAll(async () => {
  await database.dispose();
});

const counts = async () =>
  (
    await sql<{ n: number }>`select (select count(*) from contributions) + (select count(*) from objections) + (select count(*) from rounds) as n`.execute(
      database.db,
    )
  ).rows[0]!.n;

describe('every column of the log and of the read models', () => {
  it('when nothing was altered, then the read models rebuilt from the log are the stored ones, and nothing is left behind', async () => {
    const before = await counts();
    const report = await verifyReadModels(database.db);
    expect(report.replayFailures).toEqual([]);
    expect(report.differences).toEqual([]);
    expect(report.tables).toBe(5);
    expect(report.rows).toBe(25); // 1 proposal, 3 versions, 4 rounds, 15 contributions, 2 objections
    expect(await counts()).toBe(before);
    const scratch = await sql<{ n: number }>`select count(*)::int as n from pg_class where relpersistence = 't' and relname = 'proposals'`.execute(database.db);
    expect(scratch.rows[0]!.n).toBe(0);
  });

  it('when the stored snapshot of the state is altered, then verification names it; when it stands at an earlier event, as the fold up to there, then nothing differs and the state read back is the same', async () => {
    const head = await loadHead(database.db, proposalId);
    const stored = await database.db.selectFrom('proposals').select(['state', 'state_seq']).where('id', '=', proposalId).executeTakeFirstOrThrow();
    expect(stored.state_seq).toBe(SNAPSHOT_EVERY * Math.floor(head!.lastSeq / SNAPSHOT_EVERY));

    await sql`update proposals set state = jsonb_set(state, '{title}', '"Autre titre"') where id = ${proposalId}`.execute(database.db);
    const tampered = await verifyReadModels(database.db);
    expect(tampered.differences.map((d) => [d.table, d.key, d.column])).toEqual([['proposals', `id=${proposalId}`, 'state']]);

    // a snapshot taken under another rule (or before migration 0015): only its being the fold of the log up to it matters
    const events = (await loadStream(database.db, proposalId)).map((e) => e.data as unknown as Event);
    await database.db
      .updateTable('proposals')
      .set({ state: JSON.stringify(fold(events.slice(0, 3))), state_seq: 3 })
      .where('id', '=', proposalId)
      .execute();
    expect((await verifyReadModels(database.db)).differences).toEqual([]);
    expect(await loadHead(database.db, proposalId)).toEqual(head);
    await database.db
      .updateTable('proposals')
      .set({ state: JSON.stringify(stored.state), state_seq: stored.state_seq })
      .where('id', '=', proposalId)
      .execute();
  });

  it('when events.actor_id is changed in SQL, then verification names the event and the column', async () => {
    // Failed before the fix: actor_id is not in the hash input, and it was never compared with the event.
    await sql`alter table events disable trigger events_append_only`.execute(database.db);
    await sql`update events set actor_id = ${people.bob} where stream_id = ${proposalId} and seq = 4`.execute(database.db);
    await sql`alter table events enable trigger events_append_only`.execute(database.db);
    const report = await verifyLog(database.db);
    expect(report.breaks).toEqual([
      { streamId: proposalId, seq: 4, eventId: expect.any(Number), reason: 'column_mismatch', column: 'actor_id', stored: people.bob, expected: people.alice },
    ]);
  });

  it('when an objection’s outcome is changed in SQL, then the rebuilt read models name the table, the row, the column and both values', async () => {
    // Failed before the fix: no read model was ever compared with the log.
    await sql`update objections set outcome = 'withdrawn' where proposal_id = ${proposalId} and id = 'o1'`.execute(database.db);
    await sql`update contributions set body = 'Autre chose.' where proposal_id = ${proposalId} and kind = 'question'`.execute(database.db);
    const report = await verifyReadModels(database.db);
    expect(report.differences).toEqual([
      {
        table: 'contributions',
        key: `proposal_id=${proposalId}, event_seq=4`,
        column: 'body',
        stored: '"Autre chose."',
        expected: '"Qui décide en cas de blocage ?"',
      },
      { table: 'objections', key: `proposal_id=${proposalId}, id=o1`, column: 'outcome', stored: '"withdrawn"', expected: '"integrated"' },
    ]);
  });

  it('when a read-model row is deleted, then the command line says which one and exits 1', async () => {
    await sql`delete from proposal_versions where proposal_id = ${proposalId} and number = 3`.execute(database.db);
    if (database.kind === 'pglite') await database.close();
    const lines: string[] = [];
    const code = await verifyLogCommand(['--read-models'], { ...process.env, ...database.env }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const result = { code, out: lines.join('\n') };
    expect(result.code).toBe(1);
    expect(result.out).toContain(`ALTÉRÉ : proposition ${proposalId}, événement n° 4 (id `);
    expect(result.out).toContain('la colonne actor_id vaut');
    expect(result.out).toContain(
      `DIFFÉRENT : table proposal_versions, ligne proposal_id=${proposalId}, number=3 : le journal donne cette ligne, elle manque dans la table.`,
    );
    expect(result.out).toContain(
      `DIFFÉRENT : table objections, ligne proposal_id=${proposalId}, id=o1, colonne outcome : enregistré "withdrawn", le journal donne "integrated".`,
    );
    expect(result.out).toContain('Tables de lecture : 3 différences avec le journal rejoué');
  });
});
