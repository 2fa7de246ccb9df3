import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { SignalBus } from '../../src/realtime/bus.ts';
import type { Signal } from '../../src/realtime/signals.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;
let second: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  // A second app instance: its own pool on the same server, or the same embedded instance.
  second = database.url ? await openDatabase({ databaseUrl: database.url, pgliteDir: '' }) : database;
});
afterAll(async () => {
  if (second !== database) await second.close();
  await database.dispose();
});

const signal = (seq: number): Signal => ({ name: 'proposal-changed', proposalId: 'p', meetingId: 'm', seq, stage: 'clarification', events: ['TurnPassed'] });

function waitFor<T>(items: T[], count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`got ${items.length} of ${count} signals`)), 10_000);
    const tick = () => (items.length >= count ? (clearTimeout(deadline), resolve()) : setTimeout(tick, 10));
    tick();
  });
}

describe('the signal bus over LISTEN/NOTIFY', () => {
  it('when one instance publishes, then every instance on the database receives the signal, in order', async () => {
    const a = new SignalBus(database);
    const b = new SignalBus(second);
    await a.start();
    await b.start();
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    a.subscribe((s) => gotA.push(s));
    b.subscribe((s) => gotB.push(s));
    await a.publish(signal(1));
    await b.publish(signal(2));
    await waitFor(gotA, 2);
    await waitFor(gotB, 2);
    expect(gotA).toEqual([signal(1), signal(2)]);
    expect(gotB).toEqual([signal(1), signal(2)]);
    await a.close();
    await b.close();
  });

  it('when a bus is closed, then it no longer delivers', async () => {
    const a = new SignalBus(database);
    await a.start();
    const got: unknown[] = [];
    a.subscribe((s) => got.push(s));
    await a.close();
    const other = new SignalBus(second);
    await other.start();
    const seen: unknown[] = [];
    other.subscribe((s) => seen.push(s));
    await other.publish(signal(3));
    await waitFor(seen, 1);
    expect(got).toEqual([]);
    await other.close();
  });
});

describe('joining a meeting', () => {
  it('when a guest joins by code, then a signal tells the meeting views to look again', async () => {
    const { buildApp } = await import('../helpers/app.ts');
    const { seedAccount, seedCircle, seedMeeting, joinAsGuest } = await import('../helpers/auth.ts');
    const bus = new SignalBus(database);
    await bus.start();
    const got: unknown[] = [];
    bus.subscribe((s) => got.push(s));
    const app = buildApp(database, { bus });
    const admin = await seedAccount(database.db, 'admin');
    const fac = await seedAccount(database.db, 'facilitator');
    const meeting = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
    await joinAsGuest(app, database.db, meeting.code);
    await waitFor(got, 1);
    expect(got).toContainEqual({ name: 'meeting-changed', meetingId: meeting.id });
    await bus.close();
  });
});
