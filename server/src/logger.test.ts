import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl, serverLoggerOptions } from './logger.ts';

/** A pino logger with the app's options, writing its lines to a string the test can read. */
function capture(options = loggerOptions('info')) {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  // pino writes synchronously to a plain stream, so the output is complete as soon as the call returns.
  const logger = pino(options, stream);
  return { logger, output: () => output };
}

describe('loggerOptions redaction', () => {
  // Each case: what is logged, and the secrets inside it. Every object also carries a field that must survive.
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['top level', { refreshToken: 'Atzr|top-refresh', sellerId: 'A1SELLER' }, ['Atzr|top-refresh']],
    ['password at top level', { password: 'hunter2-password', sellerId: 'A1SELLER' }, ['hunter2-password']],
    [
      'one level deep',
      { account: { refresh_token_encrypted: 'enc:v1:one-deep', sellerId: 'A1SELLER' } },
      ['enc:v1:one-deep'],
    ],
    [
      'two levels deep',
      { input: { app: { clientSecret: 'amzn1.oa2-cs.two-deep', sellerId: 'A1SELLER' } } },
      ['amzn1.oa2-cs.two-deep'],
    ],
    [
      'request headers',
      {
        req: {
          headers: {
            authorization: 'Bearer header-bearer',
            cookie: 'gs_session=header-cookie',
            'x-amz-access-token': 'Atza|header-access',
            host: 'A1SELLER.example',
          },
        },
      },
      ['header-bearer', 'header-cookie', 'Atza|header-access'],
    ],
    [
      'configuration, one and two levels deep',
      {
        config: { appSecret: 'app-secret-config', spapi: { clientSecret: 'cs-config', region: 'eu' } },
        sellerId: 'A1SELLER',
      },
      ['app-secret-config', 'cs-config'],
    ],
  ];

  it.each(cases)('censors secrets: %s', (_name, logged, secrets) => {
    const { logger, output } = capture();
    logger.info(logged, 'something happened');
    const line = output();
    expect(line).toContain('something happened');
    expect(line).toContain('A1SELLER');
    expect(line).toContain('[redacted]');
    for (const secret of secrets) expect(line).not.toContain(secret);
  });

  it('leaves the logged object itself untouched', () => {
    const { logger } = capture();
    const account = { refreshToken: 'Atzr|still-needed' };
    logger.info({ account }, 'polled');
    expect(account.refreshToken).toBe('Atzr|still-needed');
  });
});

describe('request URLs in the log', () => {
  it("takes the consent redirect's code and state out of the URL, and leaves the rest", () => {
    expect(
      redactUrl(
        '/api/oauth/callback?state=st-secret&selling_partner_id=A2X7K9QWERTY12&spapi_oauth_code=ANcode-secret',
      ),
    ).toBe(
      '/api/oauth/callback?state=[redacted]&selling_partner_id=A2X7K9QWERTY12&spapi_oauth_code=[redacted]',
    );
    expect(redactUrl('/api/oauth/callback?error=access_denied&STATE=x&code')).toBe(
      '/api/oauth/callback?error=access_denied&STATE=[redacted]&code=[redacted]',
    );
    expect(redactUrl('/api/accounts?x=1')).toBe('/api/accounts?x=1');
    expect(redactUrl('/api/health')).toBe('/api/health');
  });

  it("logs the server's requests without the secrets", () => {
    const { logger, output } = capture(serverLoggerOptions('info'));
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/api/oauth/callback?state=st-secret-value&spapi_oauth_code=ANcode-secret-value',
          headers: {},
          host: 'localhost:3000',
          ip: '127.0.0.1',
        },
      },
      'incoming request',
    );
    const line = output();
    expect(line).toContain('/api/oauth/callback?state=[redacted]');
    expect(line).not.toContain('st-secret-value');
    expect(line).not.toContain('ANcode-secret-value');
  });
});
