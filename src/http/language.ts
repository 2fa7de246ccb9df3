/** Chooses the interface language: an explicit `?lang=`, then the `lang` cookie, then the browser's, then French. */
import type { RequestHandler } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, translator, type Language } from '../i18n/index.ts';

const ONE_YEAR = 365 * 24 * 3600 * 1000;

function cookieLanguage(header: string | undefined): Language | null {
  const match = /(?:^|;\s*)lang=([a-z]{2})/.exec(header ?? '');
  return match && isLanguage(match[1]) ? match[1] : null;
}

export const languageMiddleware: RequestHandler = (req, res, next) => {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : null;
  let language: Language;
  if (isLanguage(asked)) {
    language = asked;
    res.cookie('lang', language, { maxAge: ONE_YEAR, sameSite: 'lax', httpOnly: true, secure: req.secure });
  } else {
    const browser = req.acceptsLanguages(...LANGUAGES);
    language = cookieLanguage(req.headers.cookie) ?? (isLanguage(browser) ? browser : DEFAULT_LANGUAGE);
  }
  res.locals.lang = language;
  res.locals.otherLang = language === 'fr' ? 'en' : 'fr';
  res.locals.t = translator(language);
  res.vary('Accept-Language');
  next();
};
