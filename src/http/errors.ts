/** HTTP errors and the one middleware that maps every error to a French (or English) page. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AccessDenied } from '../accounts/policy.ts';
import { isDatabaseUnavailable } from '../db/database.ts';
import { rejoinPath } from '../meetings/rejoin.ts';

/** An error with an HTTP status and the i18n keys of its page title and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly titleKey: string,
    readonly messageKey: string,
    readonly expose = true,
  ) {
    super(messageKey);
    this.name = 'HttpError';
  }
}

export const notFound = (): HttpError => new HttpError(404, 'errors.not_found_title', 'errors.not_found');
export const forbidden = (): HttpError => new HttpError(403, 'errors.forbidden_title', 'errors.forbidden');
export const badRequest = (): HttpError => new HttpError(400, 'errors.bad_request_title', 'errors.bad_request');
/** The database cannot be reached: nothing was saved, the visitor may try again in a moment. */
export const unavailable = (): HttpError => new HttpError(503, 'errors.unavailable_title', 'errors.unavailable');
/** Seconds a client is told to wait before trying again after a 503. */
const RETRY_AFTER_SECONDS = 5;

/** The catch-all for paths no route answered. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

interface BodyParserError {
  type?: string;
  status?: number;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof AccessDenied) return error.refusal === 'not_found' ? notFound() : forbidden();
  if (isDatabaseUnavailable(error)) return unavailable();
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.too.large') return new HttpError(413, 'errors.too_large_title', 'errors.too_large');
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return parserError.status === 404 ? notFound() : badRequest();
  }
  return new HttpError(500, 'errors.server_title', 'errors.server', false);
}

/** Renders the error page; a stack trace is shown only outside production, and only for a 500. */
export function errorHandler(options: { showStack: boolean }): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    // someone not signed in who asks for a page is sent to sign in, then brought back
    if (error instanceof AccessDenied && error.refusal === 'unauthenticated' && (req.method === 'GET' || req.method === 'HEAD')) {
      // a guest's device that signed out goes back to the séance's join page, not to an account's sign-in
      res.redirect(303, rejoinPath(req) ?? `/connexion?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const http = toHttpError(error);
    if (http.status === 503) req.log?.warn({ err: error }, 'database unavailable');
    else if (http.status >= 500) req.log?.error({ err: error }, 'request failed');
    res.status(http.status);
    if (http.status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    const stack = options.showStack && http.status >= 500 && error instanceof Error ? error.stack : null;
    const locals = { title: res.locals.t(http.titleKey), message: res.locals.t(http.messageKey), status: http.status, stack, requestId: req.id };
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: { status: http.status, message: locals.message } });
      return;
    }
    res.render('error', locals);
  };
}
