import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe.each(['postgres', 'pglite'] as const)('health and error shape on %s', (engine) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    app = await buildApp(loadConfig({ DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' }), {
      database: t,
      web: false,
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.destroy();
  });

  it('answers 200 with the engine, version and mode', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: engine, version: expect.any(String), mode: 'demo' });
  });

  it('answers unknown API paths with the uniform JSON error', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/does-not-exist?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'no route for GET /api/does-not-exist' },
    });
  });

  it('serves the OpenAPI document built from the route schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/health'].get.responses['200']).toBeDefined();
  });
});

describe('health when the database is gone', () => {
  it('answers 503 with the error shape and no stack trace', async () => {
    const t = await createTestDatabase('postgres');
    const app = await buildApp(loadConfig({ DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' }), {
      database: t,
      web: false,
    });
    await t.destroy();
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: 'database is unreachable' },
    });
    expect(res.body).not.toMatch(/at \w+ \(/);
    await app.close();
  });
});
