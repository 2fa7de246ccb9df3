/**
 * Chooses the interface language: the `lang` cookie (the person's setting), then the browser's,
 * then French. `?lang=fr|en` on a page changes the setting once: the cookie is set and the page is
 * reloaded without the parameter, so going back in history never switches the language back.
 */
import type { Request, RequestHandler } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, translator, type Language } from '../i18n/index.ts';
import { formatDateTime, formatDay, formatMoment } from '../i18n/dates.ts';

const ONE_YEAR = 365 * 24 * 3600 * 1000;

function cookieLanguage(header: string | undefined): Language | null {
  const match = /(?:^|;\s*)lang=([a-z]{2})/.exec(header ?? '');
  return match && isLanguage(match[1]) ? match[1] : null;
}

/** The address asked for, without its `lang` parameter; always a path on this site. */
export function withoutLang(originalUrl: string): string {
  const url = new URL(originalUrl, 'http://sans-objection.invalid');
  url.searchParams.delete('lang');
  return url.pathname.replace(/^\/+/, '/') + url.search;
}

function redirectsAway(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.get('HX-Request') !== 'true';
}

export const languageMiddleware: RequestHandler = (req, res, next) => {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : null;
  if (isLanguage(asked)) {
    res.cookie('lang', asked, { maxAge: ONE_YEAR, sameSite: 'lax', httpOnly: true, secure: req.secure });
    if (redirectsAway(req)) {
      res.redirect(303, withoutLang(req.originalUrl));
      return;
    }
  }
  const browser = req.acceptsLanguages(...LANGUAGES);
  const language: Language = isLanguage(asked) ? asked : (cookieLanguage(req.headers.cookie) ?? (isLanguage(browser) ? browser : DEFAULT_LANGUAGE));
  res.locals.lang = language;
  res.locals.otherLang = language === 'fr' ? 'en' : 'fr';
  res.locals.t = translator(language);
  // every view writes dates in words the same way: formatDay(value, lang), formatMoment, formatDateTime
  Object.assign(res.locals, { formatDay, formatMoment, formatDateTime });
  res.vary('Accept-Language');
  res.vary('Cookie');
  next();
};
