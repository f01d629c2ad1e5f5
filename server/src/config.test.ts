import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts with no configuration at all: embedded database, demo mode, port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.demo).toBe(true);
    expect(config.role).toBe('all');
    expect(config.logLevel).toBe('info');
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.poll.cron).toBe('0 */4 * * *');
    expect(config.publicUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://health.example.com',
      DATABASE_URL: 'postgres://u@db:5432/gs',
      DATA_DIR: '/var/lib/gs',
      LOG_LEVEL: 'WARN',
      APP_SECRET: 'x'.repeat(40),
      ROLE: 'poller',
      SPAPI_CLIENT_ID: 'amzn1.application-oa2-client.abc',
      SPAPI_CLIENT_SECRET: 'secret',
      SPAPI_ENDPOINT: 'http://127.0.0.1:4010',
      POLL_CRON: '*/30 * * * *',
      POLL_CONCURRENCY: '16',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://health.example.com',
      databaseUrl: 'postgres://u@db:5432/gs',
      dataDir: '/var/lib/gs',
      logLevel: 'warn',
      role: 'poller',
      demo: false,
      spapi: { clientId: 'amzn1.application-oa2-client.abc', endpoint: 'http://127.0.0.1:4010' },
      poll: { cron: '*/30 * * * *', concurrency: 16 },
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ', PUBLIC_URL: ' ' })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      publicUrl: undefined,
    });
    expect(loadConfig({ PUBLIC_URL: ' http://gs.lan:3000 ' }).publicUrl).toBe('http://gs.lan:3000');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer between 1 and 65535'],
    [{ PORT: '70000' }, 'PORT must be an integer between 1 and 65535'],
    [{ PORT: '3000.5' }, 'PORT must be an integer between 1 and 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a URL starting with postgres:// or postgresql://'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ ROLE: 'worker' }, 'ROLE must be one of all, web, poller'],
    [
      { APP_SECRET: 'short' },
      'APP_SECRET must be at least 32 characters (for example: openssl rand -base64 32)',
    ],
    [{ POLL_CRON: 'every hour' }, 'POLL_CRON must be a valid cron expression'],
    [{ SPAPI_ENDPOINT: 'ftp://x' }, 'SPAPI_ENDPOINT must be a URL starting with http://'],
    [{ PUBLIC_URL: 'health.example.com' }, 'PUBLIC_URL must be a URL starting with http:// or https://'],
    [
      { PUBLIC_URL: 'ftp://health.example.com' },
      'PUBLIC_URL must be a URL starting with http:// or https://',
    ],
    [{ SPAPI_CLIENT_ID: 'only-the-id' }, 'SPAPI_CLIENT_ID and SPAPI_CLIENT_SECRET must be set together'],
  ])('refuses %j with one clear line', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', ROLE: 'y' })).toHaveLength(2);
  });
});
