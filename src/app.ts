/** Builds the Express application from its dependencies. Never listens; no side effect on import. */
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { compress } from './http/compression.ts';
import { languageMiddleware } from './http/language.ts';
import { requestLogger, type Logger } from './http/logger.ts';
import { securityHeaders } from './http/security.ts';
import { sessionMiddleware } from './http/session.ts';
import { csrfProtection } from './http/csrf.ts';
import { LIMITS } from './http/limits.ts';
import { healthRouter } from './http/health.routes.ts';
import { homeRouter } from './http/home.routes.ts';
import { authRouter } from './accounts/auth.routes.ts';
import { joinRouter } from './meetings/join.routes.ts';
import { meetingsRouter } from './meetings/meetings.routes.ts';
import { adminRouter } from './accounts/admin.routes.ts';
import { liveRouter } from './meetings/live.routes.ts';
import { dotVoteRouter } from './meetings/dot-vote.routes.ts';
import { DotVoteService } from './meetings/dot-vote.service.ts';
import { seanceRouter } from './meetings/seance.routes.ts';
import { registerRouter } from './register/register.routes.ts';
import { CurationService } from './register/curation.service.ts';
import { trainingRouter } from './training/training.routes.ts';
import { TrainingService } from './training/training.service.ts';
import { SignalBus } from './realtime/bus.ts';
import { SSE_HUB, SseHub } from './realtime/sse.ts';
import { SESSION_END_PUBLISHER } from './http/session-end.ts';
import { liveSessionIds } from './accounts/sessions.repository.ts';
import { ProposalService } from './proposals/proposal.service.ts';
import { LiveMeetingService } from './meetings/live.service.ts';
import { LiveRenderer, type RenderFn } from './meetings/live.render.ts';
import { livePush } from './meetings/live.push.ts';
import { ACTION_ROUTE, readWithSession } from './meetings/contribution-read.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const htmxDir = path.dirname(require.resolve('htmx.org/dist/htmx.min.js'));
const sseDir = path.dirname(require.resolve('htmx-ext-sse/dist/sse.min.js'));

export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  /**
   * The LISTEN/NOTIFY bus, already started (server.ts starts it). Without one, signals are still
   * sent but this app hears none: enough for tests that do not watch live streams.
   */
  bus?: SignalBus;
  /** Wraps the renderer of the live views' shared part (tests count its renders through it). */
  liveRender?: (render: RenderFn) => RenderFn;
  /** Extra routers mounted before the 404 handler (tests use it to mount a failing route). */
  extraRoutes?: (app: Express) => void;
}

export function createApp(deps: AppDeps): Express {
  const { config, database, logger } = deps;
  const app = express();
  app.set('view engine', 'ejs');
  app.set('views', path.join(root, 'views'));
  app.set('trust proxy', config.trustProxy);
  app.set('x-powered-by', false);
  if (config.env === 'production') app.enable('view cache');

  app.locals.appName = 'Sans Objection';
  // what people may type: every view takes its maxlength from here
  app.locals.limits = LIMITS;

  const bus = deps.bus ?? new SignalBus(database, logger);
  const hub = new SseHub(bus, {
    maxStreams: config.sseMaxStreams,
    liveSessions: (ids) => liveSessionIds(database.db, ids, config.sessionIdleMinutes),
    onError: (error) => logger.warn({ err: error }, 'live stream: a session check or a push failed'),
  });
  app.set(SSE_HUB, hub);
  app.set(SESSION_END_PUBLISHER, bus);
  const proposals = new ProposalService({ db: database.db, publisher: bus, idleMinutes: config.sessionIdleMinutes });
  const live = new LiveMeetingService({ db: database.db, proposals, publisher: bus, idleMinutes: config.sessionIdleMinutes });
  const render: RenderFn = (view, locals) =>
    new Promise((resolve, reject) => app.render(view, locals, (error, html) => (error ? reject(error) : resolve(html))));
  const renderer = new LiveRenderer(deps.liveRender ? deps.liveRender(render) : render);
  hub.setComposer(livePush(live, renderer));
  // Graceful shutdown ends the open streams first, so the server can close.
  (app as unknown as NodeJS.EventEmitter).on('shutdown', () => hub.close());

  app.use(requestLogger(logger));
  app.use(compress());
  app.use(securityHeaders({ hsts: config.env === 'production' }));
  app.use(languageMiddleware);
  const staticOptions = { maxAge: config.env === 'production' ? '7d' : 0, fallthrough: true };
  app.use('/static', express.static(path.join(root, 'public'), staticOptions));
  app.use('/vendor/htmx', express.static(htmxDir, staticOptions));
  app.use('/vendor/htmx-ext-sse', express.static(sseDir, staticOptions));

  app.use(healthRouter(database));

  // Every route below knows who is asking, and every state-changing request carries its session's token.
  // Unknown fields are parsed but never read: each route picks its fields through a zod schema.
  app.use(express.urlencoded({ extended: false, limit: LIMITS.body, parameterLimit: 200 }));
  // a contribution reads its session and its command's facts in one query (see the file)
  app.post(ACTION_ROUTE, readWithSession(database.db, config.sessionIdleMinutes));
  app.use(sessionMiddleware(database.db, config.sessionIdleMinutes));
  app.use(csrfProtection);

  app.use(homeRouter());
  app.use(authRouter(database.db));
  app.use(joinRouter(database.db, bus));
  app.use(trainingRouter({ config, training: new TrainingService({ db: database.db, proposals, publisher: bus }) })); // before meetings: a training séance opens as one
  app.use(meetingsRouter(database.db, config));
  app.use(adminRouter(database.db, config));
  app.use(liveRouter({ config, live, hub, renderer }));
  app.use(dotVoteRouter({ config, live, renderer, dotVotes: new DotVoteService({ db: database.db, publisher: bus }) }));
  app.use(seanceRouter(database.db, bus));
  app.use(registerRouter(database.db, { curation: new CurationService({ db: database.db, proposals }), live }));
  deps.extraRoutes?.(app);

  app.use(notFoundHandler);
  app.use(errorHandler({ showStack: config.env !== 'production' }));
  return app;
}
