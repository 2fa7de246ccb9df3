/**
 * Server-sent events: one stream per meeting. A plain stream carries one small named signal,
 * `changed`, on which the view re-fetches its live region. A stream opened with a push context
 * (the participant's and the proposer's views) gets instead what the composer gives for it after
 * a change: the new shared region itself (`live`), and `mine` when that person's own part changed.
 * A stream belongs to the session that opened it: when the session ends (sign-out, removal,
 * password reset, role change, idle expiry), its streams close, on every instance.
 */
import type { Response } from 'express';
import type { SignalBus } from './bus.ts';

const HEARTBEAT_MS = 20_000;
/** How often the sessions behind open streams are checked (idle expiry, a missed signal). */
const SWEEP_MS = 60_000;
/** The last message of a stream whose session ended: the page stops listening (see closeWhere). */
export const FIN = 'event: fin\ndata: fin\n\n';
/** Open streams one session may hold on one instance (a few tabs of one meeting). */
export const STREAMS_PER_SESSION = 5;
/**
 * Bytes a stream may hold unsent (its reader does not keep up: a phone gone to sleep, a stalled
 * proxy) before it is closed; the browser reconnects and is told to fetch everything again.
 * Messages are shared buffers, so this bounds what one stream pins, not a copy.
 */
export const MAX_BUFFERED = 256 * 1024;
/** The app setting that holds the hub (createApp sets it; tests and metrics read it). */
export const SSE_HUB = 'sse hub';

export interface StreamOwner {
  /** The session's key (SHA-256 of its token). */
  sessionId: string;
  personId: string;
}

interface Stream {
  res: Response;
  meetingId: string;
  owner: StreamOwner;
  /** Given back to the composer at each change (what the view shows, for whom). */
  push?: unknown;
}

/**
 * After a change in a meeting, the messages of each pushed stream, in order (each an SSE
 * message body: `event:` and `data:` lines, the blank line; its `id:` is added here), or null for
 * a stream that is only told `changed`. Called once per change, for all the meeting's pushed streams.
 */
export type Composer = (meetingId: string, contexts: readonly unknown[]) => Promise<readonly (readonly Buffer[] | null)[]>;

export interface SseHubOptions {
  /** Open streams this instance holds at most (SSE_MAX_STREAMS). */
  maxStreams?: number;
  /** Of these sessions, the ones still live; the streams of the others are closed. */
  liveSessions?: (sessionIds: string[]) => Promise<Set<string>>;
  onError?: (error: unknown) => void;
  /** MAX_BUFFERED unless said. */
  maxBuffered?: number;
}

export type Admission = 'ok' | 'session_full' | 'instance_full';

export class SseHub {
  private readonly byMeeting = new Map<string, Set<Stream>>();
  private readonly bySession = new Map<string, Set<Stream>>();
  private total = 0;
  private counter = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private composer: Composer | null = null;
  /** Meetings whose pushed streams are being composed for, and whether another change came meanwhile. */
  private readonly composing = new Map<string, { again: boolean }>();

  constructor(
    bus: SignalBus,
    private readonly options: SseHubOptions = {},
  ) {
    this.unsubscribe = bus.subscribe((signal) => {
      if (signal.name === 'lost') {
        // this instance no longer hears the database: end the streams, so every view says
        // « connexion perdue » and reconnects, and catches up once the database is back
        this.closeWhere(() => true);
      } else if (signal.name === 'resync') {
        for (const meetingId of this.byMeeting.keys()) this.send(meetingId, 'resync');
        void this.sweep(); // signals may have been lost, session ends among them
      } else if (signal.name === 'sessions-ended') {
        // a session that ended (signed out) is told so first: its page stops listening instead of reconnecting (sse-close)
        if (signal.sessionId) this.closeWhere((s) => s.owner.sessionId === signal.sessionId, true);
        if (signal.personId) this.closeWhere((s) => s.owner.personId === signal.personId);
      } else if (signal.meetingId) {
        this.changed(signal.meetingId, signal.name);
      }
    });
    // Proxies close silent connections; a comment line keeps them open and detects dead clients.
    this.heartbeat = setInterval(() => {
      for (const set of this.byMeeting.values()) for (const s of set) this.deliver(s, [': ping\n\n']);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Whether one more stream may open for this session, checked before anything is written. */
  admit(owner: StreamOwner): Admission {
    if ((this.bySession.get(owner.sessionId)?.size ?? 0) >= STREAMS_PER_SESSION) return 'session_full';
    if (this.total >= (this.options.maxStreams ?? Infinity)) return 'instance_full';
    return 'ok';
  }

  /** Pushes the new state to the streams opened with a context (see Composer). */
  setComposer(compose: Composer): void {
    this.composer = compose;
  }

  /** Opens a stream for one meeting. A browser that reconnects is told to refresh everything at once. */
  open(meetingId: string, owner: StreamOwner, res: Response, lastEventId: string | undefined, push?: unknown): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const stream: Stream = push === undefined ? { res, meetingId, owner } : { res, meetingId, owner, push };
    add(this.byMeeting, meetingId, stream);
    add(this.bySession, owner.sessionId, stream);
    this.total += 1;
    // What happened while it was away is not replayed: its fragments simply look again.
    if (lastEventId !== undefined) this.deliver(stream, [this.signal('reconnected')]);
    res.on('close', () => {
      if (remove(this.byMeeting, meetingId, stream)) this.total -= 1;
      remove(this.bySession, owner.sessionId, stream);
    });
  }

  private id(): string {
    this.counter += 1;
    return `id: ${Date.now()}-${this.counter}\n`;
  }

  private signal(reason: string): string {
    return `${this.id()}event: changed\ndata: ${reason}\n\n`;
  }

  /** Writes to one stream; a stream whose reader does not keep up is closed (it reconnects and catches up). */
  private deliver(s: Stream, chunks: readonly (string | Buffer)[]): void {
    const res = s.res;
    if (res.writableEnded || res.destroyed) return;
    for (const chunk of chunks) res.write(chunk);
    if (unsent(res) > (this.options.maxBuffered ?? MAX_BUFFERED)) res.destroy();
  }

  private send(meetingId: string, reason: string): void {
    for (const s of this.byMeeting.get(meetingId) ?? []) this.deliver(s, [this.signal(reason)]);
  }

  /** Something changed in the meeting: plain streams are told so; pushed streams get the new state. */
  private changed(meetingId: string, reason: string): void {
    let pushed = false;
    for (const s of this.byMeeting.get(meetingId) ?? []) {
      if (s.push !== undefined && this.composer) pushed = true;
      else this.deliver(s, [this.signal(reason)]);
    }
    if (!pushed) return;
    // one composition at a time per meeting; changes that arrive meanwhile make one more, with the latest state
    const running = this.composing.get(meetingId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.composing.set(meetingId, state);
    void (async () => {
      do {
        state.again = false;
        await this.push(meetingId, reason);
      } while (state.again);
      this.composing.delete(meetingId);
    })();
  }

  private async push(meetingId: string, reason: string): Promise<void> {
    const streams = [...(this.byMeeting.get(meetingId) ?? [])].filter((s) => s.push !== undefined);
    let messages: readonly (readonly Buffer[] | null)[] = [];
    try {
      messages = await this.composer!(
        meetingId,
        streams.map((s) => s.push),
      );
    } catch (error) {
      this.options.onError?.(error);
    }
    streams.forEach((s, i) => {
      const bodies = messages[i];
      this.deliver(s, bodies ? bodies.flatMap((body) => [this.id(), body]) : [this.signal(reason)]);
    });
  }

  /**
   * Ends the streams that match; the browser's reconnection is then checked like a new request.
   * With `farewell` (the session itself ended), the stream first says `event: fin`: the page
   * closes its EventSource on it (`sse-close="fin"`) rather than reconnect to a stream that would
   * now refuse it, and logs no error.
   */
  private closeWhere(match: (s: Stream) => boolean, farewell = false): void {
    const ending: Stream[] = [];
    for (const set of this.bySession.values()) for (const s of set) if (match(s)) ending.push(s);
    for (const s of ending) {
      if (farewell) s.res.write(FIN);
      s.res.end();
    }
  }

  /** Closes the streams whose session is no longer live (idle, or ended where no signal reached us). */
  async sweep(): Promise<void> {
    if (!this.options.liveSessions || this.bySession.size === 0) return;
    try {
      const live = await this.options.liveSessions([...this.bySession.keys()]);
      this.closeWhere((s) => !live.has(s.owner.sessionId), true);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Bytes written to the open streams and not yet sent (for tests and metrics). */
  buffered(): number {
    let total = 0;
    for (const set of this.byMeeting.values()) for (const s of set) total += unsent(s.res);
    return total;
  }

  /** Number of open streams (for tests and metrics). */
  size(): number {
    return this.total;
  }

  /** Ends every stream (graceful shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    this.unsubscribe();
    for (const set of this.byMeeting.values()) for (const s of set) s.res.end();
    this.byMeeting.clear();
    this.bySession.clear();
    this.total = 0;
  }
}

/** What a response holds unsent: in the response, and in its socket. */
function unsent(res: Response): number {
  return res.writableLength + (res.socket?.writableLength ?? 0);
}

function add(map: Map<string, Set<Stream>>, key: string, stream: Stream): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(stream);
}

function remove(map: Map<string, Set<Stream>>, key: string, stream: Stream): boolean {
  const set = map.get(key);
  if (!set?.delete(stream)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
