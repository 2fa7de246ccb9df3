/**
 * The load generator: node:http with keep-alive agents (one per simulated browser or per load
 * client), forms posted as a browser posts them, and server-sent-event streams read as htmx's
 * extension reads them. Nothing here knows the app's internals: only URLs, cookies and markup.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { eventReader, type ServerEvent } from '../helpers/event-stream.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as sent on the wire (compressed or not). */
  wire: number;
  body: string;
}

export function agent(maxSockets = 2): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/** One request; the body is inflated when it came compressed. */
export function request(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; agent?: http.Agent },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const body = encoding === 'gzip' ? zlib.gunzipSync(raw) : encoding === 'br' ? zlib.brotliDecompressSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wire: raw.length, body: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

export type { ServerEvent } from '../helpers/event-stream.ts';

/** An open event stream; `onEvent` runs for each event as it arrives. */
export interface Stream {
  close(): void;
  readonly open: boolean;
}

/** Opens an event stream and resolves once its headers arrived (the server holds it). */
export function openStream(port: number, path: string, headers: Record<string, string>, onEvent: (e: ServerEvent) => void): Promise<Stream> {
  return new Promise((resolve, reject) => {
    let open = false;
    const req = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`bench: stream refused with ${res.statusCode}`));
      }
      open = true;
      res.setEncoding('utf8');
      res.on('data', eventReader(onEvent));
      res.on('close', () => (open = false));
      resolve({
        close: () => req.destroy(),
        get open() {
          return open;
        },
      });
    });
    req.on('error', (error) => (open ? undefined : reject(error)));
  });
}
