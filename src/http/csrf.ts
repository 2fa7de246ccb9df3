/** CSRF: a synchronizer token per session (or a signed token per visitor), in the `_csrf` field of a form or the `X-CSRF-Token` header (htmx). */
import type { RequestHandler } from 'express';
import { sameToken } from '../accounts/crypto.ts';
import { HttpError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfRefused = (): HttpError => new HttpError(403, 'errors.csrf_title', 'errors.csrf');

/** Refuses every state-changing request whose token is missing or is not its session's. Runs after the body parser and the session. */
export const csrfProtection: RequestHandler = (req, _res, next) => {
  if (SAFE.has(req.method)) return next();
  const body = req.body as Record<string, unknown> | undefined;
  const sent = typeof body?._csrf === 'string' ? body._csrf : req.get('X-CSRF-Token');
  if (!req.csrfToken || typeof sent !== 'string' || !sameToken(sent, req.csrfToken)) return next(csrfRefused());
  next();
};
