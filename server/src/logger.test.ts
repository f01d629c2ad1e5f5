import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, scrubUrl } from './logger.ts';

/** A pino logger with the app's options, writing its lines to a string the test can read. */
function capture() {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  // pino writes synchronously to a plain stream, so the output is complete as soon as the call returns.
  const logger = pino(loggerOptions('info'), stream);
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

describe('scrubUrl', () => {
  it.each([
    ['/api/invites/s3cr3t-invite-token', '/api/invites/[redacted]'],
    ['/invite/s3cr3t-invite-token', '/invite/[redacted]'],
    [
      '/api/oauth/callback?state=s3cr3t&selling_partner_id=A1B2C3&spapi_oauth_code=s3cr3t-code',
      '/api/oauth/callback?state=%5Bredacted%5D&selling_partner_id=A1B2C3&spapi_oauth_code=%5Bredacted%5D',
    ],
    ['/api/overview', '/api/overview'],
  ])('%s', (url, expected) => {
    expect(scrubUrl(url)).toBe(expected);
    expect(scrubUrl(url)).not.toContain('s3cr3t');
  });
});
