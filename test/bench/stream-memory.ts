/**
 * What one open stream costs the app: the app runs here (node --expose-gc), N streams are opened by
 * a child process (so the clients' memory is not counted), and the heap and RSS are read after a
 * full GC, before and after. Prints figures; asserts nothing.
 *
 *   DATABASE_URL=postgres://… node --expose-gc --import tsx test/bench/stream-memory.ts [streams=500]
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { createLogger } from '../../src/http/logger.ts';
import { SignalBus } from '../../src/realtime/bus.ts';
import { createAccount, createCircle } from '../../src/accounts/account.service.ts';
import { createMeeting } from '../../src/meetings/meeting.service.ts';
import { insertPerson } from '../../src/accounts/accounts.repository.ts';
import { insertMember } from '../../src/meetings/meetings.repository.ts';
import { openSession } from '../../src/accounts/sessions.ts';

const STREAMS = Number(process.argv[2] ?? 500);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL ?? null, pgliteDir: '' });
await migrateToLatest(database.db);
const stamp = Date.now().toString(36);
const admin = await createAccount(database.db, 'system', {
  email: `a-${stamp}@bench.local`,
  displayName: 'A',
  role: 'admin',
  password: 'un mot de passe de banc',
});
const fac = await createAccount(database.db, 'system', {
  email: `f-${stamp}@bench.local`,
  displayName: 'F',
  role: 'facilitator',
  password: 'un mot de passe de banc',
});
if (!admin.ok || !fac.ok) throw new Error('accounts');
const facActor = { kind: 'account', personId: fac.personId, role: 'facilitator', displayName: 'F' } as const;
const circle = await createCircle(
  database.db,
  { kind: 'account', personId: admin.personId, role: 'admin', displayName: 'A' },
  { name: `M ${stamp}`, description: '' },
);
if (!circle.ok) throw new Error('circle');
const meeting = await createMeeting(database.db, facActor, { circleId: circle.id, title: 'M', scheduledFor: new Date() });
if (!meeting.ok) throw new Error('meeting');
const cookies: string[] = [];
for (let i = 0; i < Math.ceil(STREAMS / 5); i++) {
  const personId = await insertPerson(database.db, `P ${i}`);
  await insertMember(database.db, { meetingId: meeting.id, personId, role: 'participant', isGuest: true, present: true, hasDevice: true });
  cookies.push(`so_session=${(await openSession(database.db, { kind: 'guest', personId, meetingId: meeting.id })).token}`);
}
const bus = new SignalBus(database);
await bus.start();
const app = createApp({
  config: Object.freeze({ ...loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }), sseMaxStreams: 100_000 }),
  database,
  logger: createLogger('silent'),
  bus,
});
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const { port } = server.address() as AddressInfo;

const measure = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, external: (m.external + m.arrayBuffers) / 2 ** 20 };
};
// one stream per session first, so that every code path has run once before the measure
const clientCode = `
  const http = require('node:http');
  const [port, path, n, ...cookies] = process.argv.slice(1);
  let open = 0;
  for (let i = 0; i < Number(n); i++) http.get({ host: '127.0.0.1', port: Number(port), path, headers: { cookie: cookies[i % cookies.length] } }, (res) => {
    res.resume();
    if (++open === Number(n)) console.log('open');
  });`;
const path = `/seances/${meeting.id}/flux?vue=participant`;
async function openStreams(n: number) {
  const child = spawn(process.execPath, ['-e', clientCode, String(port), path, String(n), ...cookies.slice(0, Math.ceil(n / 5))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => child.stdout.on('data', (d: Buffer) => d.toString().includes('open') && r()));
  return child;
}
const warm = await openStreams(5);
warm.kill();
await new Promise((r) => setTimeout(r, 500));
const before = measure();
const child = await openStreams(STREAMS);
await new Promise((r) => setTimeout(r, 500));
const after = measure();
const per = (k: keyof typeof before) => (((after[k] - before[k]) * 1024) / STREAMS).toFixed(1);
console.log(`${STREAMS} streams: rss ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} MiB, heap ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MiB`);
console.log(`per stream: rss ${per('rss')} KiB, heap ${per('heap')} KiB, external ${per('external')} KiB`);
child.kill();
server.closeAllConnections();
server.close();
await bus.close();
await database.close();
