import { Router } from 'express';

/** The home page: what the app is for. */
export function homeRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.render('home', { title: res.locals.t('home.title') });
  });
  return router;
}
