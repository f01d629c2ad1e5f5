import { request as httpRequest } from 'node:http';
import { createServer, Socket, type Server } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import { createDatabase, type Database } from '@good-standing/server/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, demoApp, startTestSimulator } from '../helpers/poller.ts';

// What every API route shares: state-changing requests take JSON only (a form on another site cannot reach
// them), text with a NUL character is refused with a 400, and a database that is down answers 503. And what
// every route but the health check shares: a Host that is a name must be localhost or PUBLIC_URL's (DNS
// rebinding).

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let accountId: string;

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator();
  app = await buildPollingApp(t, sim);
  accountId = await connectDemoAccount(app, 'healthy');
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

async function queuedRuns(): Promise<number> {
  const rows = await t.db
    .selectFrom('poll_runs')
    .select('id')
    .where('account_id', '=', accountId)
    .where('status', '=', 'queued')
    .execute();
  return rows.length;
}

describe('state-changing requests', () => {
  it.each([
    ['a url-encoded form', 'application/x-www-form-urlencoded', 'a=1'],
    ['a multipart form', 'multipart/form-data; boundary=x', '--x--'],
    ['text/plain (what a form with enctype text/plain sends)', 'text/plain', '{}'],
  ])('refuse %s with 415 and queue nothing', async (_what, type, payload) => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${accountId}/refresh`,
      headers: { 'content-type': type },
      payload,
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await queuedRuns()).toBe(0);
  });

  it('refuse a request without a body type, and take JSON', async () => {
    const bare = await app.inject({ method: 'POST', url: `/api/accounts/${accountId}/refresh` });
    expect(bare.statusCode).toBe(415);
    expect(await queuedRuns()).toBe(0);
    const json = await app.inject({ method: 'POST', url: `/api/accounts/${accountId}/refresh`, payload: {} });
    expect(json.statusCode, json.body).toBe(202);
    expect(await queuedRuns()).toBe(1);
  });
});

describe('text with a NUL character', () => {
  it('is refused with a 400 naming the field, in a body and in a query', async () => {
    const body = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: { sellerId: 'A1BAD\u0000NAME', name: 'bad\u0000name', region: 'na', refreshToken: 'Atzr|x' },
    });
    expect(body.statusCode).toBe(400);
    expect(body.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(body.json().error.message).toContain('body.sellerId');
    const query = await app.inject({
      method: 'GET',
      url: `/api/accounts/${accountId}/series?metrics=${encodeURIComponent('order\u0000defect')}`,
    });
    expect(query.statusCode).toBe(400);
  });
});

describe('a database that goes away', () => {
  let proxy: Server;
  const sockets = new Set<Socket>();
  let database: Database;
  let outage: FastifyInstance;

  beforeAll(async () => {
    // A TCP relay in front of the test Postgres, to cut the connection the way a database restart does.
    const target = new URL(t.url!);
    proxy = createServer((client) => {
      const server = new Socket();
      server.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const relayed = new URL(t.url!);
    relayed.port = String((proxy.address() as { port: number }).port);
    database = await createDatabase({ databaseUrl: relayed.toString(), dataDir: t.dataDir, poolSize: 2 });
    outage = await buildPollingApp({ ...t, ...database, db: database.db }, sim);
  });
  afterAll(async () => {
    await outage?.close();
    await database?.close();
    proxy?.close();
  });

  it('answers 503 with the error shape, not 500', async () => {
    const before = await outage.inject({ method: 'GET', url: '/api/overview' });
    expect(before.statusCode, before.body).toBe(200);
    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    for (const url of ['/api/overview', '/api/accounts', `/api/accounts/${accountId}/series`]) {
      const res = await outage.inject({ method: 'GET', url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(503);
      expect(res.json().error).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        message: 'the database is unreachable at the moment; try again shortly',
      });
    }
  });
});

describe('requests refused before any route', () => {
  let base: URL;
  beforeAll(async () => {
    base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  });

  /** Sends raw bytes and returns the raw answer: these requests never reach Fastify's router. */
  async function raw(request: string): Promise<{ status: number; body: unknown }> {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.connect(Number(base.port), base.hostname, () => socket.end(request));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    const text = Buffer.concat(chunks).toString('utf8');
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
    return { status, body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) };
  }

  it('answers headers too large with 431 in the API error shape', async () => {
    const res = await raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res).toEqual({
      status: 431,
      body: { error: { code: 'REQUEST_HEADERS_TOO_LARGE', message: 'the request headers are too large' } },
    });
  });

  it('answers a URL that cannot be decoded with 400 in the API error shape', async () => {
    const res = await fetch(new URL('/api/accounts/%E0%A4%A/poll-runs', base));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('BAD_REQUEST');
  });
});

/** A request with the Host header given (fetch will not send one of our choosing), over a real socket. */
function withHost(
  base: URL,
  host: string,
  opts: { method?: string; path?: string; body?: unknown } = {},
): Promise<{ status: number; json: () => { error: { code: string; message: string } } }> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: opts.method ?? 'GET',
        // A public route: the Host guard comes before sign-in, and what it lets through then answers 200.
        path: opts.path ?? '/api/setup',
        headers: {
          host,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the Host header (DNS rebinding)', () => {
  let base: URL;
  beforeAll(async () => {
    base = new URL(
      app.server.listening ? app.listeningOrigin : await app.listen({ host: '127.0.0.1', port: 0 }),
    );
  });

  it('refuses a name other than localhost with 421, telling the operator about PUBLIC_URL', async () => {
    const res = await withHost(base, 'evil.example');
    expect(res.status).toBe(421);
    expect(res.json().error.code).toBe('MISDIRECTED_REQUEST');
    expect(res.json().error.message).toContain('"evil.example"');
    expect(res.json().error.message).toContain('set PUBLIC_URL');
    expect((await withHost(base, `evil.example:${base.port}`)).status).toBe(421);
    expect((await withHost(base, 'localhost.evil.example')).status).toBe(421);
  });

  it('refuses a state-changing request for another name before it does anything', async () => {
    const queued = await queuedRuns();
    const res = await withHost(base, 'evil.example', {
      method: 'POST',
      path: `/api/accounts/${accountId}/refresh`,
      body: {},
    });
    expect(res.status).toBe(421);
    expect(await queuedRuns()).toBe(queued);
  });

  it.each([
    ['127.0.0.1 with the port', () => `127.0.0.1:${base.port}`],
    ['localhost with the port', () => `localhost:${base.port}`],
    ['localhost on another port', () => 'LocalHost:8080'],
    ['another IPv4 address', () => '192.168.1.20'],
    ['an IPv6 address', () => `[::1]:${base.port}`],
  ])('takes %s', async (_what, host) => {
    const res = await withHost(base, host());
    expect(res.status, JSON.stringify(res.json())).toBe(200);
  });

  it('answers the health check whatever the name, for load balancers', async () => {
    expect((await withHost(base, 'gs-internal.lb.example', { path: '/api/health' })).status).toBe(200);
  });

  it('refuses a missing or malformed Host with 400', async () => {
    // HTTP/1.0 may leave Host out (Node refuses an HTTP/1.1 request without one itself).
    const socket = new Socket();
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.connect(Number(base.port), base.hostname, () =>
        socket.end('GET /api/accounts HTTP/1.0\r\n\r\n'),
      );
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'BAD_REQUEST', message: 'the request has no Host header' },
    });
    for (const host of ['user@127.0.0.1', '[not-an-ip]:80', 'evil.example:99999']) {
      const res = await withHost(base, host);
      expect(res.status, host).toBe(400);
    }
  });
});

describe('the Host header with PUBLIC_URL set', () => {
  let configured: FastifyInstance;
  let base: URL;
  beforeAll(async () => {
    configured = await buildApp(
      loadConfig({
        DATA_DIR: t.dataDir,
        LOG_LEVEL: 'silent',
        APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
        SPAPI_CLIENT_ID: demoApp.clientId,
        SPAPI_CLIENT_SECRET: demoApp.clientSecret,
        SPAPI_ENDPOINT: sim.url,
        PUBLIC_URL: 'https://Health.Example.com/',
      }),
      // With the dashboard: its pages are guarded as the API is.
      { database: t, schedule: false },
    );
    base = new URL(await configured.listen({ host: '127.0.0.1', port: 0 }));
  });
  afterAll(async () => {
    await configured?.close();
  });

  it.each([
    ['its name', () => 'health.example.com'],
    ['its name in capitals with the default port', () => 'HEALTH.example.com:443'],
    ['localhost', () => 'localhost'],
    ['127.0.0.1 with the port', () => `127.0.0.1:${base.port}`],
  ])('takes %s', async (_what, host) => {
    const res = await withHost(base, host());
    expect(res.status, JSON.stringify(res.json())).toBe(200);
  });

  it('refuses any other name, on the API and on the dashboard alike, naming the one it answers to', async () => {
    for (const host of ['evil.example', 'health.example.com:3000', 'health.example.com.evil.example']) {
      const res = await withHost(base, host);
      expect(res.status, host).toBe(421);
      expect(res.json().error.message).toContain('health.example.com (PUBLIC_URL)');
    }
    const page = await withHost(base, 'evil.example', { path: '/' });
    expect(page.status).toBe(421);
    expect(page.json().error.code).toBe('MISDIRECTED_REQUEST');
    const docs = await withHost(base, 'evil.example', { path: '/api/docs' });
    expect(docs.status).toBe(421);
    // The page itself, asked for by a name it answers to (localhost: its server-side load then calls the API
    // at that name, which resolves here).
    expect((await withHost(base, `localhost:${base.port}`, { path: '/' })).status).not.toBe(421);
  });
});
