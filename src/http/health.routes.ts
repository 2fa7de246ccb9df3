import { Router } from 'express';
import type { Database } from '../db/database.ts';

/** `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers and compose). */
export function healthRouter(database: Database): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await database.ping();
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ok ? 'ok' : 'unavailable', database: database.kind });
  });
  return router;
}
