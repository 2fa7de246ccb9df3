/** The environment, read and validated once, then frozen and injected everywhere. */
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  readonly env: NodeEnv;
  readonly port: number;
  readonly host: string;
  /** PostgreSQL server URL; null means the embedded PGlite database. */
  readonly databaseUrl: string | null;
  /** Folder of the embedded database (used only without DATABASE_URL). */
  readonly pgliteDir: string;
  readonly logLevel: LogLevel;
  /** Express `trust proxy` setting: number of proxies in front of the app. */
  readonly trustProxy: number | boolean;
  /** Public address of the app, used in links and QR codes (no trailing slash). */
  readonly publicUrl: string | null;
  readonly databasePoolSize: number;
  /** A session unused for this many minutes is closed. */
  readonly sessionIdleMinutes: number;
  /** Live streams (server-sent events) one instance keeps open at most. */
  readonly sseMaxStreams: number;
  /** Create the demo accounts at start (embedded database in development, or explicitly asked). */
  readonly seedDemo: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration invalide : ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NODE_ENVS: readonly NodeEnv[] = ['development', 'production', 'test'];

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `vaut « ${raw} » ; valeurs possibles : ${allowed.join(', ')}.`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `doit être un nombre entier (reçu « ${raw} »).`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `doit être compris entre ${min} et ${max} (reçu ${value}).`);
  }
  return value;
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `n'est pas une adresse valide (reçu « ${raw} »).`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `doit commencer par ${protocols.map((p) => `${p}//`).join(' ou ')} (reçu « ${parsed.protocol}// »).`);
  }
  return raw.replace(/\/+$/, '');
}

function trustProxy(env: Env): number | boolean {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  return integer(env, 'TRUST_PROXY', 0, 0, 10);
}

function seedDemo(env: Env, nodeEnv: NodeEnv, databaseUrl: string | null): boolean {
  const raw = env.SEED_DEMO;
  if (raw !== undefined && raw !== '' && raw !== 'true' && raw !== 'false')
    throw new ConfigError('SEED_DEMO', `vaut « ${raw} » ; valeurs possibles : true, false.`);
  if (raw === 'true' && nodeEnv === 'production')
    throw new ConfigError('SEED_DEMO', 'ne peut pas valoir true en production : les comptes de démonstration ont un mot de passe connu de tous.');
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return nodeEnv === 'development' && databaseUrl === null;
}

/** Parses the environment; throws a ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', NODE_ENVS, 'development');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  return Object.freeze({
    env: nodeEnv,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST && env.HOST !== '' ? env.HOST : '0.0.0.0',
    databaseUrl,
    pgliteDir: path.resolve(cwd, env.PGLITE_DIR && env.PGLITE_DIR !== '' ? env.PGLITE_DIR : 'data/pglite'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    trustProxy: trustProxy(env),
    publicUrl: url(env, 'PUBLIC_URL', ['http:', 'https:']),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 120, 5, 7 * 24 * 60),
    sseMaxStreams: integer(env, 'SSE_MAX_STREAMS', 2000, 1, 100_000),
    seedDemo: seedDemo(env, nodeEnv, databaseUrl),
  });
}
