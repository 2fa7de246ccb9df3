/**
 * The write path from outside: C clients at once, each the browsers of one séance taking their
 * turns in order (« passer » in the clarification round, then a 200-character reaction each in
 * the reaction round), every request a real form POST through session, CSRF, validation,
 * decide, append, project and notify. Baseline in the same run: the same number of POSTs of a
 * 200-character form at the same concurrency to bare Express doing one INSERT with pg.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import { agent, form, request } from './client.ts';
import { cpuMs, cpuSince, type Running } from './processes.ts';
import { meetingInRound, openReactions, type BenchMeeting, type World } from './setup.ts';
import { stats } from './stats.ts';

export const REACTION =
  `Je soutiens l’essai, à condition que les équipes volontaires le restent vraiment : prévoyons un bilan à trois mois avec elles et les usagers du dimanche. ${'Merci. '.repeat(10)}`.slice(
    0,
    200,
  );

interface Load {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failed: number;
  /** CPU milliseconds per request used by the server process and by PostgreSQL (NaN when its processes are not ours). */
  appCpu: number;
  dbCpu: number;
}

/** The processes whose CPU time a phase counts: the server answering, and PostgreSQL's. */
export interface CpuProbe {
  server: number;
  postgres: () => number[];
}

/**
 * Runs `clients` loops of requests at once; each loop's requests go one after the other on its own
 * keep-alive connection. CPU time per request is less at the mercy of other work on the machine
 * than throughput is: it says what a request costs, the others what it waited for.
 */
async function load(clients: number, requestsOf: (client: number) => (() => Promise<number>)[], probe: CpuProbe): Promise<Load> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure = '';
  const plans = Array.from({ length: clients }, (_, i) => requestsOf(i));
  const cpuBefore = { app: cpuMs([probe.server]), db: cpuMs(probe.postgres()) };
  const started = performance.now();
  await Promise.all(
    plans.map(async (plan) => {
      for (const send of plan) {
        const t = performance.now();
        const status = await send();
        latencies.push(performance.now() - t);
        if (status !== 303) {
          failed += 1;
          firstFailure ||= `status ${status}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const appCpu = cpuSince(cpuBefore.app, cpuMs([probe.server])) / latencies.length;
  const pgPids = probe.postgres();
  const dbCpu = pgPids.length ? cpuSince(cpuBefore.db, cpuMs(pgPids)) / latencies.length : NaN;
  if (failed) console.warn(`  ${failed} requests failed (first: ${firstFailure})`);
  const s = stats(latencies);
  return { rps: latencies.length / seconds, p50: s.p50, p95: s.p95, p99: s.p99, failed, appCpu, dbCpu };
}

function turns(port: number, meeting: BenchMeeting, action: 'passer' | 'reaction'): (() => Promise<number>)[] {
  const http = agent(1);
  return meeting.order.map((b) => async () => {
    const fields: Record<string, string> = { _csrf: b.csrf, cle: randomUUID(), retour: 'participant' };
    if (action === 'reaction') fields.texte = REACTION;
    const r = await request(port, {
      method: 'POST',
      path: `/seances/${meeting.meetingId}/propositions/${meeting.proposalId}/${action}`,
      headers: { cookie: b.cookie, 'accept-encoding': 'gzip, br' },
      body: form(fields),
      agent: http,
    });
    if (r.status !== 303 && !process.env.BENCH_QUIET)
      console.warn(`  ${action}: ${r.status} ${/<p[^>]*class="[^"]*error[^"]*"[^>]*>([^<]*)/.exec(r.body)?.[1] ?? ''}`);
    return r.status;
  });
}

/** One repetition at one concurrency: the app's « passer », the app's reactions, the bare INSERT; figures keyed by name. */
export async function writeRepetition(
  database: Database,
  world: World,
  app: Running,
  bare: Running,
  clients: number,
  perMeeting: number,
  postgres: () => number[],
): Promise<Record<string, number>> {
  const meetings: BenchMeeting[] = [];
  for (let i = 0; i < clients; i++) meetings.push(await meetingInRound(database, world, perMeeting));
  const onApp = { server: app.pid, postgres };
  const pass = await load(clients, (i) => turns(app.port, meetings[i]!, 'passer'), onApp);
  const reacting: BenchMeeting[] = [];
  for (const m of meetings) reacting.push(await openReactions(database, world, m));
  const react = await load(clients, (i) => turns(app.port, reacting[i]!, 'reaction'), onApp);
  const bareLoad = await load(
    clients,
    () => {
      const http = agent(1);
      return Array.from({ length: perMeeting }, () => async () => {
        const r = await request(bare.port, {
          method: 'POST',
          path: '/insert',
          body: form({ _csrf: 'x'.repeat(43), cle: randomUUID(), texte: REACTION }),
          agent: http,
        });
        return r.status;
      });
    },
    { server: bare.pid, postgres },
  );
  const out: Record<string, number> = {};
  for (const [prefix, l] of [
    ['pass', pass],
    ['react', react],
    ['bare', bareLoad],
  ] as const)
    for (const [k, v] of Object.entries(l)) out[`${prefix}.${k}`] = v;
  return out;
}
