/**
 * The live fan-out end to end, as browsers live it: N clients hold the séance's event stream
 * and behave as htmx does with the page's markup: on `changed` they re-fetch the live fragment
 * (HX-Request, HX-Target: live, gzip), one request at a time, a signal arriving meanwhile queued
 * as htmx's default `hx-sync` queues the last one; an event that carries the fragment itself
 * (an `sse-swap`, whatever its name) is held as it arrives. A change is one participant's
 * « passer » (a real POST); for each client, the time from sending that POST to holding a
 * fragment whose data-seq shows it. Baseline in the same run: the same clients, streams and
 * changes, re-fetching /healthz instead. A client that holds nothing newer within 30 s lost it.
 *
 * The participant's view is pushed to (live.push.ts): the page opens its stream with its view and
 * the fingerprint of its own part (`?vue=participant&empreinte=…`); `live` carries the new shared
 * region, and `mine`, sent only to those whose own part changed, makes them fetch it (`part=mine`):
 * such a client holds the change once that fetch is back.
 *
 * To adapt it to another live protocol, change only `LiveBrowser` (what a browser does with an event).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import { agent, form, openStream, request, type Stream } from './client.ts';
import { startApp, type Running } from './processes.ts';
import type { Row, Section } from './results.ts';
import { lastSeq, meetingInRound, type BenchMeeting, type Browser, type World } from './setup.ts';
import { gather, show, stats } from './stats.ts';

const LOST_AFTER_MS = 30_000;

/** What a client holds: when a response (or a pushed fragment) completed, the seq it shows, and when its request left. */
interface Held {
  at: number;
  seq: number;
  sentAt: number;
}

const seqOf = (html: string): number => Number(/id="live"[^>]*data-seq="(\d+)"|data-seq="(\d+)"[^>]*id="live"/.exec(html)?.slice(1).find(Boolean) ?? NaN);

/** One simulated browser on the participant view of a séance. */
export class LiveBrowser {
  held: Held[] = [];
  private stream: Stream | null = null;
  private fetching = false;
  private queued = false;
  private readonly http = agent(1);

  constructor(
    readonly who: Browser,
    private readonly port: number,
    private readonly meeting: BenchMeeting,
    private readonly refetch: 'fragment' | 'healthz',
  ) {}

  async open(): Promise<void> {
    let streamPath = `/seances/${this.meeting.meetingId}/flux`;
    if (this.refetch === 'fragment') {
      // as the page does: its stream names the view and what its own part was drawn from
      const page = await request(this.port, { path: this.view(), headers: { cookie: this.who.cookie }, agent: this.http });
      const connect = /sse-connect="([^"]+)"/.exec(page.body)?.[1];
      if (connect) streamPath = connect.replace(/&amp;/g, '&');
    }
    this.stream = await openStream(this.port, streamPath, { cookie: this.who.cookie }, (e) => {
      if (e.event === 'changed') return void this.fetch();
      if (e.event === 'mine') return void this.fetchMine();
      // a fragment pushed in the message itself (htmx sse-swap): held as it arrives
      if (e.data.includes('id="live"')) this.held.push({ at: performance.now(), seq: seqOf(e.data), sentAt: performance.now() });
    });
  }

  private view(): string {
    return `/seances/${this.meeting.meetingId}/participant?proposition=${this.meeting.proposalId}`;
  }

  /** `mine` follows the shared region of the same change: the change is held once this person's own part is back too. */
  private async fetchMine(): Promise<void> {
    const shared = this.held.pop();
    if (!shared) return;
    const headers = { cookie: this.who.cookie, 'hx-request': 'true', 'accept-encoding': 'gzip, br' };
    const path = `${this.view()}&part=mine`;
    try {
      const r = await request(this.port, { path, headers, agent: this.http }).catch(() => request(this.port, { path, headers, agent: this.http }));
      this.held.push({ ...shared, at: performance.now(), seq: r.status === 200 ? shared.seq : NaN });
    } catch {
      // a failed fetch of one's own part: the change is not held (lost unless a later one brings it)
    }
  }

  private async fetch(): Promise<void> {
    if (this.fetching) {
      this.queued = true;
      return;
    }
    this.fetching = true;
    const sentAt = performance.now();
    try {
      const path = this.refetch === 'healthz' ? '/healthz' : this.view();
      const headers: Record<string, string> =
        this.refetch === 'healthz'
          ? { 'accept-encoding': 'gzip, br' }
          : {
              cookie: this.who.cookie,
              'hx-request': 'true',
              'hx-target': 'live',
              'hx-current-url': `http://127.0.0.1/seances/${this.meeting.meetingId}/participant`,
              'accept-encoding': 'gzip, br',
            };
      // a keep-alive connection the server closed as it was reused is retried, as a browser retries a GET
      const r = await request(this.port, { path, headers, agent: this.http }).catch(() => request(this.port, { path, headers, agent: this.http }));
      this.held.push({ at: performance.now(), seq: this.refetch === 'healthz' ? Infinity : r.status === 200 ? seqOf(r.body) : NaN, sentAt });
    } catch {
      // a failed re-fetch holds nothing: the change counts as lost for this client unless a later one brings it
    } finally {
      this.fetching = false;
      if (this.queued) {
        this.queued = false;
        void this.fetch();
      }
    }
  }

  /** When this client first held the change posted at `postedAt` (seq `target`), or null. */
  heldAt(postedAt: number, target: number): number | null {
    const h = this.held.find((x) => x.at >= postedAt && (this.refetch === 'healthz' ? x.sentAt >= postedAt : x.seq >= target));
    return h ? h.at : null;
  }

  get open_(): boolean {
    return this.stream?.open ?? false;
  }

  close(): void {
    this.stream?.close();
    this.http.destroy();
  }
}

export interface FanoutResult {
  /** Milliseconds from the POST to each client holding the change, every client of every change. */
  latencies: number[];
  lost: number;
  changes: number;
}

/** Opens `clients` browsers spread over the instances (client i on instance i mod n). */
export async function openBrowsers(
  instances: Running[],
  meeting: BenchMeeting,
  clients: number,
  refetch: 'fragment' | 'healthz',
  from = 0,
): Promise<LiveBrowser[]> {
  const browsers = meeting.order.slice(from, from + clients).map((who, i) => new LiveBrowser(who, instances[i % instances.length]!.port, meeting, refetch));
  for (let i = 0; i < browsers.length; i += 50) await Promise.all(browsers.slice(i, i + 50).map((b) => b.open()));
  return browsers;
}

/**
 * Posts `changes` turns, one after the other, each by the next person in the round (a client
 * or not), through the instance of its index, and measures each client's time to hold it.
 * `next` is the index in the round order of the first speaker; returns the next one too.
 */
export async function fanout(
  database: Database,
  instances: Running[],
  meeting: BenchMeeting,
  browsers: LiveBrowser[],
  changes: number,
  next: number,
): Promise<FanoutResult & { next: number }> {
  const latencies: number[] = [];
  let lost = 0;
  for (let k = 0; k < changes; k++) {
    const speaker = meeting.order[next]!;
    const port = instances[next % instances.length]!.port;
    next += 1;
    const postedAt = performance.now();
    const r = await request(port, {
      method: 'POST',
      path: `/seances/${meeting.meetingId}/propositions/${meeting.proposalId}/passer`,
      headers: { cookie: speaker.cookie },
      body: form({ _csrf: speaker.csrf, cle: randomUUID(), retour: 'participant' }),
    });
    if (r.status !== 303) throw new Error(`bench: the change was refused (${r.status})`);
    const target = await lastSeq(database, meeting.proposalId);
    const deadline = postedAt + LOST_AFTER_MS;
    while (performance.now() < deadline && browsers.some((b) => b.heldAt(postedAt, target) === null)) await new Promise((res) => setTimeout(res, 10));
    for (const b of browsers) {
      const at = b.heldAt(postedAt, target);
      if (at === null) lost += 1;
      else latencies.push(at - postedAt);
    }
    await new Promise((res) => setTimeout(res, 150));
  }
  return { latencies, lost, changes, next };
}

const CLIENTS = 200;

/** One instance, then two (100 + 100), each repetition: the fragment re-fetch, then the /healthz baseline. */
export async function fanoutPart(database: Database, world: World, env: Record<string, string>, reps: number): Promise<Section> {
  const changes = Number(process.env.BENCH_CHANGES ?? 10);
  const meeting = await meetingInRound(database, world, Math.max(CLIENTS, 4 * reps * changes + 1));
  let next = 0;
  const rows: Row[] = [];
  for (const count of [1, 2]) {
    const instances: Running[] = [];
    for (let i = 0; i < count; i++) instances.push(await startApp(env, `app${i + 1}`));
    const runs: Record<string, number>[] = [];
    try {
      for (let rep = 0; rep < reps; rep++) {
        const figures: Record<string, number> = {};
        for (const refetch of ['fragment', 'healthz'] as const) {
          const browsers = await openBrowsers(instances, meeting, CLIENTS, refetch);
          await new Promise((r) => setTimeout(r, 300));
          const result = await fanout(database, instances, meeting, browsers, changes, next);
          next = result.next;
          const closed = browsers.filter((b) => !b.open_).length;
          for (const b of browsers) b.close();
          const s = stats(result.latencies);
          Object.assign(figures, {
            [`${refetch}.p50`]: s.p50,
            [`${refetch}.p95`]: s.p95,
            [`${refetch}.max`]: s.max,
            [`${refetch}.lost`]: result.lost,
            [`${refetch}.closed`]: closed,
          });
          console.log(
            `fanout ${count} instance(s), rep ${rep + 1}, ${refetch}: p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, max ${s.max.toFixed(0)} ms, lost ${result.lost}`,
          );
        }
        runs.push(figures);
      }
    } finally {
      for (const app of instances) await app.stop();
    }
    const g = gather(runs);
    const r = g['fragment.p95']!.median / g['healthz.p95']!.median;
    const lost = g['fragment.lost']!;
    rows.push({
      figure:
        count === 1
          ? `a change reaching ${CLIENTS} open participant views, 1 instance: p50 / p95 / max; lost`
          : `the same over 2 instances, ${CLIENTS / 2} + ${CLIENTS / 2} clients`,
      value: `${show(g['fragment.p50']!, 0, ' ms')} / ${show(g['fragment.p95']!, 0, ' ms')} / ${show(g['fragment.max']!, 0, ' ms')}; ${show(lost)} lost`,
      baseline: `same clients re-fetching /healthz: ${show(g['healthz.p50']!, 0, ' ms')} / ${show(g['healthz.p95']!, 0, ' ms')} / ${show(g['healthz.max']!, 0, ' ms')}`,
      ratio: `p95 ${r.toFixed(1)}×`,
      goal: 'p95 ≤ 1.5×, 0 lost',
      met: r <= 1.5 && lost.max === 0,
    });
  }
  return {
    part: 'fanout',
    title: 'Live fan-out, end to end',
    rows,
    how: `${CLIENTS} HTTP clients, each a guest with its own session holding the participant view's event stream as its page opens it (\`?vue=participant&empreinte=…\`) and doing what htmx does with the page's markup: the new live region arrives in the stream itself (\`live\`), and those told their own part changed (\`mine\`) fetch it (\`part=mine\`, gzip); a \`changed\` signal would re-fetch the whole fragment, one request at a time; ${changes} changes per repetition, each a participant's « passer » POST; latency = from sending that POST to each client holding a region whose data-seq shows it, and its own part when told to fetch it (all clients × all changes); lost = not held within 30 s. Run alone: \`npm run bench -- fanout\`.`,
  };
}
