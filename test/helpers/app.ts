/** Builds the real app over a test database, with silent logs. */
import type { Express } from 'express';
import { createApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { createLogger } from '../../src/http/logger.ts';
import type { SignalBus } from '../../src/realtime/bus.ts';
import type { RenderFn } from '../../src/meetings/live.render.ts';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), ...overrides });
}

export function buildApp(
  database: Database,
  options: { config?: Partial<Config>; extraRoutes?: (app: Express) => void; bus?: SignalBus; liveRender?: (render: RenderFn) => RenderFn } = {},
): Express {
  const app = createApp({
    config: testConfig(options.config),
    database,
    logger: createLogger('silent'),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.liveRender ? { liveRender: options.liveRender } : {}),
  });
  // Compiled templates are kept, as in production: without it EJS reads and compiles every view and
  // partial again on each of the suite's thousands of pages (the views do not change during a run).
  app.enable('view cache');
  return app;
}
