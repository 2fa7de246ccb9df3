/**
 * Server-sent events: one stream per meeting, carrying one small named signal, `changed`.
 * Each fragment re-fetches itself on `sse:changed`; nothing else travels on the stream.
 * A stream belongs to the session that opened it: when the session ends (sign-out, removal,
 * password reset, role change, idle expiry), its streams close, on every instance.
 */
import type { Response } from 'express';
import type { SignalBus } from './bus.ts';

const HEARTBEAT_MS = 20_000;
/** How often the sessions behind open streams are checked (idle expiry, a missed signal). */
const SWEEP_MS = 60_000;
/** Open streams one session may hold on one instance (a few tabs of one meeting). */
export const STREAMS_PER_SESSION = 5;
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
}

export interface SseHubOptions {
  /** Open streams this instance holds at most (SSE_MAX_STREAMS). */
  maxStreams?: number;
  /** Of these sessions, the ones still live; the streams of the others are closed. */
  liveSessions?: (sessionIds: string[]) => Promise<Set<string>>;
  onError?: (error: unknown) => void;
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
        if (signal.sessionId) this.closeWhere((s) => s.owner.sessionId === signal.sessionId);
        if (signal.personId) this.closeWhere((s) => s.owner.personId === signal.personId);
      } else if (signal.meetingId) {
        this.send(signal.meetingId, signal.name);
      }
    });
    // Proxies close silent connections; a comment line keeps them open and detects dead clients.
    this.heartbeat = setInterval(() => {
      for (const set of this.byMeeting.values()) for (const s of set) s.res.write(': ping\n\n');
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

  /** Opens a stream for one meeting. A browser that reconnects is told to refresh everything at once. */
  open(meetingId: string, owner: StreamOwner, res: Response, lastEventId: string | undefined): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const stream: Stream = { res, meetingId, owner };
    add(this.byMeeting, meetingId, stream);
    add(this.bySession, owner.sessionId, stream);
    this.total += 1;
    // What happened while it was away is not replayed: its fragments simply look again.
    if (lastEventId !== undefined) this.write(res, 'reconnected');
    res.on('close', () => {
      if (remove(this.byMeeting, meetingId, stream)) this.total -= 1;
      remove(this.bySession, owner.sessionId, stream);
    });
  }

  private write(res: Response, reason: string): void {
    this.counter += 1;
    res.write(`id: ${Date.now()}-${this.counter}\nevent: changed\ndata: ${reason}\n\n`);
  }

  private send(meetingId: string, reason: string): void {
    for (const s of this.byMeeting.get(meetingId) ?? []) this.write(s.res, reason);
  }

  /** Ends the streams that match; the browser's reconnection is then checked like a new request. */
  private closeWhere(match: (s: Stream) => boolean): void {
    const ending: Stream[] = [];
    for (const set of this.bySession.values()) for (const s of set) if (match(s)) ending.push(s);
    for (const s of ending) s.res.end();
  }

  /** Closes the streams whose session is no longer live (idle, or ended where no signal reached us). */
  async sweep(): Promise<void> {
    if (!this.options.liveSessions || this.bySession.size === 0) return;
    try {
      const live = await this.options.liveSessions([...this.bySession.keys()]);
      this.closeWhere((s) => !live.has(s.owner.sessionId));
    } catch (error) {
      this.options.onError?.(error);
    }
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
