import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exchangeAuthorizationCode, type CodeExchangeOptions } from './lwa.ts';
import {
  AuthError,
  AuthorizationCodeRejectedError,
  NetworkError,
  ServerError,
  SpApiAbortedError,
  SpApiError,
  ThrottledError,
} from './errors.ts';

// A tiny fake LWA behind the transport seam: what the exchange puts on the wire, and how it reads each answer.
// The exchange against the simulator's real consent flow is in tests/integration/oauth.test.ts.

interface Received {
  host: string | undefined;
  method: string | undefined;
  path: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams;
}

type Answer = { status: number; body: string } | 'hang' | 'reset';

const CODE = 'ANsimUnitAuthorizationCode01';
const CLIENT_SECRET = 'amzn1.oa2-cs.v1.unit-client-secret-for-lwa';
const REDIRECT = 'https://gs.example.com/api/oauth/callback';
const TOKENS = {
  access_token: 'Atza|unit-access',
  refresh_token: 'Atzr|unit-refresh',
  token_type: 'bearer',
  expires_in: 3600,
};

let server: http.Server;
let endpoint: string;
let received: Received[] = [];
let answers: Answer[] = [];

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });

function exchange(over: Partial<CodeExchangeOptions> = {}) {
  return exchangeAuthorizationCode({
    code: CODE,
    redirectUri: REDIRECT,
    app: { clientId: 'amzn1.application-oa2-client.unit', clientSecret: CLIENT_SECRET },
    endpoint,
    timeoutMs: 2_000,
    sleep: async () => undefined,
    ...over,
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({
        host: req.headers.host,
        method: req.method,
        path: req.url,
        contentType: req.headers['content-type'],
        form: new URLSearchParams(body),
      });
      const answer = answers.shift() ?? json(200, TOKENS);
      if (answer === 'hang') return;
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  answers = [];
});

describe('exchangeAuthorizationCode', () => {
  it("posts Amazon's form to LWA's token endpoint and returns the seller's tokens", async () => {
    const tokens = await exchange();
    expect(tokens).toEqual({
      refreshToken: 'Atzr|unit-refresh',
      accessToken: 'Atza|unit-access',
      expiresInSeconds: 3600,
    });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req).toMatchObject({ host: 'api.amazon.com', method: 'POST', path: '/auth/o2/token' });
    expect(req!.contentType).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(Object.fromEntries(req!.form)).toEqual({
      grant_type: 'authorization_code',
      code: CODE,
      redirect_uri: REDIRECT,
      client_id: 'amzn1.application-oa2-client.unit',
      client_secret: CLIENT_SECRET,
    });
  });

  it('says why a code was refused (invalid_grant), never retries it, and never repeats the code', async () => {
    answers = [json(400, { error: 'invalid_grant', error_description: `bad code ${CODE}` })];
    const err = await exchange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationCodeRejectedError);
    expect((err as Error).message).toMatch(/expired \(codes live five minutes\), was used already/);
    expect((err as Error).message).not.toContain(CODE);
    expect(received).toHaveLength(1);
  });

  it('wrong app credentials are an AuthError, not retried, without the secret in the message', async () => {
    answers = [json(401, { error: 'invalid_client', error_description: `secret ${CLIENT_SECRET} wrong` })];
    const err = await exchange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).not.toContain(CLIENT_SECRET);
    expect(received).toHaveLength(1);
  });

  it('retries when LWA says it did not act: throttled, temporarily unavailable, a bare 503', async () => {
    answers = [
      json(429, { error: 'slow_down', error_description: 'too fast' }),
      json(503, { error: 'temporarily_unavailable', error_description: 'later' }),
      { status: 503, body: '<html>gateway</html>' },
    ];
    expect((await exchange()).refreshToken).toBe('Atzr|unit-refresh');
    expect(received).toHaveLength(4);
    expect(new Set(received.map((r) => r.form.get('code')))).toEqual(new Set([CODE]));
  });

  it('gives up on throttling after the policy allows', async () => {
    answers = [json(429, {}), json(429, {}), json(429, {})];
    const err = await exchange({ retry: { maxThrottleRetries: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect(received).toHaveLength(3);
  });

  it('does not resend after a connection lost mid-request: the code may be spent', async () => {
    answers = ['reset'];
    const err = await exchange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(received).toHaveLength(1);
  });

  it('retries a connection that never opened', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    let attempts = 0;
    const err = await exchange({
      endpoint: `http://127.0.0.1:${port}`,
      retry: { maxErrorRetries: 2 },
      sleep: async () => {
        attempts += 1;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNREFUSED');
    expect(attempts).toBe(2);
  });

  it('times out a hung answer without retrying', async () => {
    answers = ['hang'];
    const err = await exchange({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as SpApiError).code).toBe('ETIMEDOUT');
    expect(received).toHaveLength(1);
  });

  it('stops when the caller aborts', async () => {
    answers = ['hang'];
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const err = await exchange({ signal: abort.signal, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiAbortedError);
  });

  it('a 200 without a refresh token is an unexpected response, not a token', async () => {
    answers = [json(200, { access_token: 'Atza|x', token_type: 'bearer', expires_in: 3600 })];
    const err = await exchange().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiError);
    expect((err as SpApiError).code).toBe('UnexpectedResponse');
    expect((err as Error).message).toMatch(/refresh_token/);
  });

  it('a 5xx that is not OAuth JSON is a server error after the retries', async () => {
    answers = [
      { status: 500, body: 'oops' },
      { status: 500, body: 'oops' },
    ];
    const err = await exchange({ retry: { maxErrorRetries: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(received).toHaveLength(2);
  });
});
