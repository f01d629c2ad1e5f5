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

const LIVE = { SPAPI_CLIENT_ID: 'amzn1.application-oa2-client.abc', SPAPI_CLIENT_SECRET: 'secret' };

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
    expect(config.spapi).toMatchObject({ applicationId: undefined, appDraft: true });
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
      SPAPI_APPLICATION_ID: 'amzn1.sp.solution.0bf296b5-36a6-4942-a13e-EXAMPLEfcd28',
      SPAPI_APP_DRAFT: 'false',
      POLL_CRON: '*/30 * * * *',
      POLL_CONCURRENCY: '16',
      BACKFILL_CONCURRENCY: '40',
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
      spapi: {
        clientId: 'amzn1.application-oa2-client.abc',
        endpoint: 'http://127.0.0.1:4010',
        applicationId: 'amzn1.sp.solution.0bf296b5-36a6-4942-a13e-EXAMPLEfcd28',
        appDraft: false,
      },
      poll: { cron: '*/30 * * * *', concurrency: 16 },
      backfillConcurrency: 40,
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
    [
      { SPAPI_APPLICATION_ID: 'amzn1.application-oa2-client.5c0f6d8e' },
      "SPAPI_APPLICATION_ID must be the app's id as Developer Central shows it (amzn1.sp.solution.… or " +
        'amzn1.sellerapps.app.…), not its LWA client id',
    ],
    [{ SPAPI_APP_DRAFT: 'maybe' }, 'SPAPI_APP_DRAFT must be true or false'],
    [
      { ...LIVE, SPAPI_APPLICATION_ID: 'amzn1.sp.solution.abc' },
      'SPAPI_APPLICATION_ID needs PUBLIC_URL: Amazon sends the browser back to PUBLIC_URL/api/oauth/callback',
    ],
    [
      { ...LIVE, SPAPI_APPLICATION_ID: 'amzn1.sp.solution.abc', PUBLIC_URL: 'http://gs.example.com' },
      "PUBLIC_URL must start with https:// for Amazon's consent flow: Amazon accepts only https redirect URIs",
    ],
  ])('refuses %j with one clear line', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it.each([
    ['1', true],
    ['yes', true],
    ['TRUE', true],
    ['0', false],
    ['no', false],
    [' False ', false],
    ['', true],
  ])('reads SPAPI_APP_DRAFT=%j as %s', (value, draft) => {
    expect(loadConfig({ SPAPI_APP_DRAFT: value }).spapi.appDraft).toBe(draft);
  });

  it('takes the consent flow in live mode with an https PUBLIC_URL, or any address with a local endpoint', () => {
    const app = { ...LIVE, SPAPI_APPLICATION_ID: 'amzn1.sellerapps.app.0bf296b5' };
    expect(loadConfig({ ...app, PUBLIC_URL: 'https://gs.example.com' }).spapi.applicationId).toBe(
      'amzn1.sellerapps.app.0bf296b5',
    );
    expect(
      loadConfig({ ...app, PUBLIC_URL: 'http://localhost:3000', SPAPI_ENDPOINT: 'http://127.0.0.1:4010' })
        .spapi.applicationId,
    ).toBe('amzn1.sellerapps.app.0bf296b5');
  });

  it('reads the case settings: the upload limit and the deadline reminders, largest first', () => {
    expect(loadConfig({}).cases).toEqual({
      uploadMaxBytes: 10 * 1024 * 1024,
      deadlineReminderHours: [72, 24],
    });
    expect(loadConfig({ CASE_UPLOAD_MAX_MB: '25', CASE_DEADLINE_REMINDER_HOURS: '24, 96,24' }).cases).toEqual(
      { uploadMaxBytes: 25 * 1024 * 1024, deadlineReminderHours: [96, 24] },
    );
    expect(problemsOf({ CASE_DEADLINE_REMINDER_HOURS: '72,soon' })).toEqual([
      expect.stringMatching(/^CASE_DEADLINE_REMINDER_HOURS must be whole hours/),
    ]);
    expect(problemsOf({ CASE_UPLOAD_MAX_MB: '0' })).toEqual([
      'CASE_UPLOAD_MAX_MB must be an integer between 1 and 100',
    ]);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', ROLE: 'y' })).toHaveLength(2);
  });
});
