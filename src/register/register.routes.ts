/** The decision register's pages: thin routes that parse, call the service, render. */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { registerPage } from './register.service.ts';
import { parseFilters, registerUrl } from './search.ts';
import { formatDay, formatMinutes, formatMoment } from '../i18n/dates.ts';
import { decisionRecord } from './record.service.ts';
import { DECISIONS_JSON_SCHEMA, decisionsCsv, decisionsJson, objectionsCsv, openDataCsv, type CsvDialect } from './export.service.ts';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { uuidParam } from '../http/forms.ts';
import { notFound } from '../http/errors.ts';

export const RESULTS_ID = 'registre-resultats';

/** htmx asks for the result list alone when it targets it (the form updates it as one types). */
const wantsResults = (req: Request): boolean => req.get('HX-Request') === 'true' && req.get('HX-Target') === RESULTS_ID;

export function registerRouter(db: Kysely<DB>): Router {
  const router = Router();

  router.get('/registre', async (req, res) => {
    const parsed = parseFilters(req.query as Record<string, unknown>);
    const page = await registerPage(db, req.actor, parsed.filters);
    const errors = parsed.ok ? {} : parsed.errors;
    res.vary('HX-Request');
    res.status(parsed.ok ? 200 : 400);
    const locals = {
      title: res.locals.t('register.title'),
      page,
      values: parsed.values,
      errors,
      resultsId: RESULTS_ID,
      nextUrl: page.next ? registerUrl(parsed.values, page.next) : null,
      firstUrl: parsed.filters.after ? registerUrl(parsed.values) : null,
      formatDay,
      exportQuery: new URLSearchParams(Object.entries(parsed.values).filter(([, v]) => v)).toString(),
    };
    res.render(wantsResults(req) ? 'register/_results' : 'register/index', locals);
  });

  // Exports: the same filters as the list (from the URL); ?separateur=point-virgule for French spreadsheets.
  const dialect = (req: Request): CsvDialect => (req.query.separateur === 'point-virgule' ? 'semicolon' : 'comma');
  const filtersOf = (req: Request) => parseFilters(req.query as Record<string, unknown>).filters;
  const send = async (res: Response, stream: Readable, type: string, filename: string) => {
    res.type(type);
    res.attachment(filename);
    try {
      await pipeline(stream, res);
    } catch (error) {
      // headers are gone: the only honest signal left is a cut connection
      res.req.log?.error({ err: error }, 'register export failed');
      res.destroy();
    }
  };
  router.get('/registre/export/decisions.csv', (req, res) => send(res, decisionsCsv(db, req.actor, filtersOf(req), dialect(req)), 'text/csv; charset=utf-8', 'decisions.csv'));
  router.get('/registre/export/objections.csv', (req, res) => send(res, objectionsCsv(db, req.actor, filtersOf(req), dialect(req)), 'text/csv; charset=utf-8', 'objections.csv'));
  router.get('/registre/export/decisions.json', (req, res) => send(res, decisionsJson(db, req.actor, filtersOf(req)), 'application/json; charset=utf-8', 'decisions.json'));
  router.get('/registre/export/donnees-ouvertes.csv', (req, res) =>
    send(res, openDataCsv(db, req.actor, filtersOf(req), { texts: req.query.textes === '1', dialect: dialect(req) }), 'text/csv; charset=utf-8', 'decisions-donnees-ouvertes.csv'),
  );
  // the schema is public documentation, like the format it describes
  router.get('/registre/schema/decisions.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600');
    res.type('application/schema+json').send(JSON.stringify(DECISIONS_JSON_SCHEMA, null, 2));
  });

  const record = (view: 'register/record' | 'register/print') => async (req: Request, res: Response) => {
    const r = await decisionRecord(db, req.actor, uuidParam(req.params.id));
    if (!r) throw notFound();
    res.render(view, { title: r.title, r, formatDay, formatMoment, formatMinutes });
  };
  router.get('/registre/:id', record('register/record'));
  // the relevé de décision: the same record, laid out for A4 paper
  router.get('/registre/:id/releve', record('register/print'));

  return router;
}
