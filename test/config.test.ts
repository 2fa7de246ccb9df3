import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the configuration', () => {
  it('when nothing is set, then the app runs in development on port 3000 with the embedded database', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      databaseUrl: null,
      pgliteDir: path.resolve('/srv/app/data/pglite'),
      logLevel: 'info',
      trustProxy: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when every variable is set, then each is read', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u:p@db:5432/so',
        PGLITE_DIR: '/var/so',
        LOG_LEVEL: 'warn',
        TRUST_PROXY: '1',
        PUBLIC_URL: 'https://decisions.example.fr/',
        DATABASE_POOL_SIZE: '20',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u:p@db:5432/so',
      pgliteDir: '/var/so',
      logLevel: 'warn',
      trustProxy: 1,
      publicUrl: 'https://decisions.example.fr',
      databasePoolSize: 20,
    });
  });

  it.each([
    [{ PORT: 'trois-mille' }, 'PORT', 'nombre entier'],
    [{ PORT: '70000' }, 'PORT', 'entre 0 et 65535'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV', 'valeurs possibles'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', 'postgres://'],
    [{ DATABASE_URL: 'pas une url' }, 'DATABASE_URL', "n'est pas une adresse valide"],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'valeurs possibles'],
    [{ TRUST_PROXY: 'oui' }, 'TRUST_PROXY', 'nombre entier'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL', 'http://'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE', 'entre 1 et 200'],
    [{ SSE_MAX_STREAMS: 'beaucoup' }, 'SSE_MAX_STREAMS', 'nombre entier'],
    [{ SSE_MAX_STREAMS: '0' }, 'SSE_MAX_STREAMS', 'entre 1 et 100000'],
  ])('when %o is given, then the error names %s and says what is wrong', (env, variable, problem) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(problem);
  });
});

describe('the security settings', () => {
  it('when nothing is set, then sessions idle out after 120 minutes and the demo is seeded only in development on the embedded database', () => {
    expect(loadConfig({})).toMatchObject({ sessionIdleMinutes: 120, seedDemo: true });
    expect(loadConfig({ NODE_ENV: 'production' }).seedDemo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/so' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/so', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).seedDemo).toBe(false);
    expect(loadConfig({ SESSION_IDLE_MINUTES: '30' }).sessionIdleMinutes).toBe(30);
  });

  it.each([
    [{ SEED_DEMO: 'true', NODE_ENV: 'production' }, 'SEED_DEMO', 'production'],
    [{ SEED_DEMO: 'oui' }, 'SEED_DEMO', 'valeurs possibles'],
    [{ SESSION_IDLE_MINUTES: '1' }, 'SESSION_IDLE_MINUTES', 'entre 5 et 10080'],
  ])('when %o is given, then the error names %s', (env, variable, problem) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(problem);
  });
});
