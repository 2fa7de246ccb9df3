/**
 * The signal bus: signals go out through PostgreSQL NOTIFY and come back through LISTEN, on the
 * server and on the embedded database alike, so every app instance on one database sees every
 * signal, including its own. Nothing of a meeting is kept here: a signal only says "look again".
 */
import pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Logger } from '../http/logger.ts';
import type { Publisher, Signal } from './signals.ts';

export const CHANNEL = 'sans_objection_signals';

/**
 * Besides the signals: `lost` when the LISTEN connection drops (signals may be missed from now on),
 * `resync` once it is back (signals were missed: everyone looks again).
 */
export type BusEvent = Signal | { name: 'resync' } | { name: 'lost' };
export type Listener = (signal: BusEvent) => void;

export class SignalBus implements Publisher {
  private readonly listeners = new Set<Listener>();
  private client: pg.Client | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly database: Database,
    private readonly logger?: Logger,
  ) {}

  /** Starts listening; resolves once LISTEN is in place. */
  async start(): Promise<void> {
    if (this.database.pglite) {
      this.unlisten = await this.database.pglite.listen(CHANNEL, (payload) => this.dispatch(payload));
      return;
    }
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.database.url! });
    client.on('notification', (msg) => {
      if (msg.channel === CHANNEL && msg.payload) this.dispatch(msg.payload);
    });
    client.on('error', (error) => {
      this.logger?.warn({ err: error }, 'signal listener lost its connection');
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    if (this.client) this.emit({ name: 'lost' });
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => {});
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      try {
        await this.connect();
        // Signals sent while we were away are lost: tell every view to look again.
        this.emit({ name: 'resync' });
      } catch {
        this.scheduleReconnect();
      }
    }, 1000);
    this.reconnectTimer.unref();
  }

  private dispatch(payload: string): void {
    try {
      this.emit(JSON.parse(payload) as Signal);
    } catch (error) {
      this.logger?.warn({ err: error }, 'unreadable signal ignored');
    }
  }

  private emit(signal: BusEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (error) {
        this.logger?.error({ err: error }, 'signal listener failed');
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a signal to every instance (called after commit). */
  async publish(signal: Signal): Promise<void> {
    if (this.closed) return;
    await sql`select ${this.notification(signal)}`.execute(this.database.db);
  }

  /** The signal as an SQL expression: evaluated inside a transaction, PostgreSQL delivers it when (and only if) it commits. */
  notification(signal: Signal): RawBuilder<unknown> {
    return sql`pg_notify(${CHANNEL}, ${JSON.stringify(signal)})`;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    await this.unlisten?.().catch(() => {});
    await this.client?.end().catch(() => {});
  }
}
