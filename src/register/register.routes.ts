/** The decision register's pages: thin routes that parse, call the service, render. */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { registerPage } from './register.service.ts';
import { parseFilters, registerUrl } from './search.ts';
import { formatDay, formatMoment } from '../i18n/dates.ts';
import { can } from '../accounts/policy.ts';
import { breakSentence } from './integrity.ts';
import { registerVerification, verifyRegister } from './verification.service.ts';
import type { VerificationScope } from './verification.repository.ts';
import { curationRouter, renderRecord, type RecordView } from './curation.routes.ts';
import type { CurationService } from './curation.service.ts';
import type { LiveMeetingService } from '../meetings/live.service.ts';
import { reviewsRouter } from './reviews.routes.ts';
import { statistics } from './statistics.service.ts';
import { PRIVATE, PUBLIC, type Place } from './places.ts';
import { DECISIONS_JSON_SCHEMA, decisionsCsv, decisionsJson, objectionsCsv, openDataCsv, type CsvDialect } from './export.service.ts';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

export const RESULTS_ID = 'registre-resultats';

/** The form's « etendue »: the whole log (the default), or only what changed since the last run. */
const SCOPES: Record<string, VerificationScope | undefined> = { '': 'full', complete: 'full', nouveaux: 'new' };

/** htmx asks for the result list alone when it targets it (the form updates it as one types). */
const wantsResults = (req: Request): boolean => req.get('HX-Request') === 'true' && req.get('HX-Target') === RESULTS_ID;

export interface RegisterRouterDeps {
  curation: CurationService;
  live: LiveMeetingService;
}

export function registerRouter(db: Kysely<DB>, deps: RegisterRouterDeps): Router {
  const router = Router();

  const list = (place: Place) => async (req: Request, res: Response) => {
    const parsed = parseFilters(req.query as Record<string, unknown>);
    const page = await registerPage(db, req.actor, parsed.filters, place.scope);
    const errors = parsed.ok ? {} : parsed.errors;
    res.vary('HX-Request');
    res.status(parsed.ok ? 200 : 400);
    const isPublic = place.scope.publishedOnly === true;
    // « Registre vérifié »: the latest verification of the whole log, on the register's own page (not in the list htmx refreshes)
    const state = isPublic || wantsResults(req) ? null : await registerVerification(db, req.actor);
    const verification = state?.latest ?? null;
    const locals = {
      title: res.locals.t(isPublic ? 'register.public.title' : 'register.title'),
      page,
      values: parsed.values,
      errors,
      resultsId: RESULTS_ID,
      base: place.base,
      isPublic,
      nextUrl: page.next ? registerUrl(parsed.values, page.next, place.base) : null,
      firstUrl: parsed.filters.after ? registerUrl(parsed.values, undefined, place.base) : null,
      formatDay,
      exportQuery: new URLSearchParams(Object.entries(parsed.values).filter(([, v]) => v)).toString(),
      verification,
      verificationBreak: verification?.firstBreak ? breakSentence(verification.firstBreak, res.locals.t) : null,
      verificationRun: state?.run ?? null,
      canVerify: !isPublic && can(req.actor, { type: 'register.verify' }),
      formatMoment,
    };
    res.render(wantsResults(req) ? 'register/_results' : 'register/index', locals);
  };
  router.get('/registre', list(PRIVATE));
  // « Vérifier maintenant » for the whole register (admins): starts a run in the background and answers at once;
  // the register shows its progress, then its result. etendue=nouveaux: only what changed since the last run.
  router.post('/registre/verification', async (req, res) => {
    const scope = SCOPES[String((req.body as Record<string, unknown> | undefined)?.etendue ?? '')];
    await verifyRegister(db, req.actor, scope, { onError: (error) => req.log?.error({ err: error }, 'register verification failed') });
    res.redirect(303, '/registre#verification');
  });
  // transparency: the published decisions, for anyone, signed in or not
  router.get('/decisions-publiques', list(PUBLIC));

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
  router.get('/registre/export/decisions.csv', (req, res) =>
    send(res, decisionsCsv(db, req.actor, filtersOf(req), dialect(req)), 'text/csv; charset=utf-8', 'decisions.csv'),
  );
  router.get('/registre/export/objections.csv', (req, res) =>
    send(res, objectionsCsv(db, req.actor, filtersOf(req), dialect(req)), 'text/csv; charset=utf-8', 'objections.csv'),
  );
  router.get('/registre/export/decisions.json', (req, res) =>
    send(res, decisionsJson(db, req.actor, filtersOf(req)), 'application/json; charset=utf-8', 'decisions.json'),
  );
  router.get('/registre/export/donnees-ouvertes.csv', (req, res) =>
    send(
      res,
      openDataCsv(db, req.actor, filtersOf(req), { texts: req.query.textes === '1', dialect: dialect(req) }),
      'text/csv; charset=utf-8',
      'decisions-donnees-ouvertes.csv',
    ),
  );
  // the schema is public documentation, like the format it describes
  router.get('/registre/schema/decisions.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600');
    res.type('application/schema+json').send(JSON.stringify(DECISIONS_JSON_SCHEMA, null, 2));
  });

  // before the records: « revisions » and « statistiques » are not decision ids
  router.use(reviewsRouter(db, deps.live));
  router.get('/registre/statistiques', async (req, res) => {
    const t = res.locals.t;
    const lang = res.locals.lang as string;
    const monthLabel = (month: string) =>
      new Date(`${month}-15T12:00:00Z`).toLocaleDateString(lang === 'en' ? 'en-GB' : 'fr-FR', { month: 'short', year: 'numeric', timeZone: 'Europe/Paris' });
    const outcomeLabel = (outcome: string) => t(`register.charts.outcomes.${outcome}`);
    const s = await statistics(db, req.actor, { month: monthLabel, outcome: outcomeLabel });
    res.render('register/statistics', { title: t('register.charts.title'), s, monthLabel, outcomeLabel });
  });

  const record = (view: RecordView, place: Place) => async (req: Request, res: Response) => {
    await renderRecord(db, req, res, view, place);
  };
  router.get('/registre/:id', record('register/record', PRIVATE));
  // the relevé de décision: the same record, laid out for A4 paper
  router.get('/registre/:id/releve', record('register/print', PRIVATE));
  router.get('/decisions-publiques/:id', record('register/record', PUBLIC));
  router.get('/decisions-publiques/:id/releve', record('register/print', PUBLIC));
  router.use(curationRouter(db, deps.curation));

  return router;
}
