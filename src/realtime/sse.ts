/**
 * Server-sent events: one stream per meeting, carrying one small named signal, `changed`.
 * Each fragment re-fetches itself on `sse:changed`; nothing else travels on the stream.
 */
import type { Response } from 'express';
import type { SignalBus } from './bus.ts';

const HEARTBEAT_MS = 20_000;

export class SseHub {
  private readonly streams = new Map<string, Set<Response>>();
  private counter = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(bus: SignalBus) {
    this.unsubscribe = bus.subscribe((signal) => {
      if (signal.name === 'resync') {
        for (const meetingId of this.streams.keys()) this.send(meetingId, 'resync');
      } else if (signal.meetingId) {
        this.send(signal.meetingId, signal.name);
      }
    });
    // Proxies close silent connections; a comment line keeps them open and detects dead clients.
    this.heartbeat = setInterval(() => {
      for (const set of this.streams.values()) for (const res of set) res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Opens a stream for one meeting. A browser that reconnects is told to refresh everything at once. */
  open(meetingId: string, res: Response, lastEventId: string | undefined): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    let set = this.streams.get(meetingId);
    if (!set) this.streams.set(meetingId, (set = new Set()));
    set.add(res);
    // What happened while it was away is not replayed: its fragments simply look again.
    if (lastEventId !== undefined) this.write(res, 'reconnected');
    res.on('close', () => {
      set.delete(res);
      if (set.size === 0) this.streams.delete(meetingId);
    });
  }

  private write(res: Response, reason: string): void {
    this.counter += 1;
    res.write(`id: ${Date.now()}-${this.counter}\nevent: changed\ndata: ${reason}\n\n`);
  }

  private send(meetingId: string, reason: string): void {
    for (const res of this.streams.get(meetingId) ?? []) this.write(res, reason);
  }

  /** Number of open streams (for tests and metrics). */
  size(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Ends every stream (graceful shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }
}
