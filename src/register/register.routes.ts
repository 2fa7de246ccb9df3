/** The decision register's pages: thin routes that parse, call the service, render. */
import { Router, type Request } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { registerPage } from './register.service.ts';
import { parseFilters, registerUrl } from './search.ts';
import { formatDay } from './format.ts';

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
    };
    res.render(wantsResults(req) ? 'register/_results' : 'register/index', locals);
  });

  return router;
}
