/**
 * Compression of what the app sends (pages, htmx fragments, CSS, scripts) with the `compression`
 * middleware: brotli or gzip as the browser asks, above 1 kB. The live event stream is never
 * compressed: a compressor holds bytes until its buffer fills, and a signal must leave at once.
 */
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

/** True for a response the compressor may hold: anything but a server-sent event stream. */
export function mayCompress(req: Request, res: Response): boolean {
  const type = String(res.getHeader('Content-Type') ?? '');
  if (type.startsWith('text/event-stream')) return false;
  return compression.filter(req, res);
}

export function compress(): RequestHandler {
  return compression({ filter: mayCompress });
}
