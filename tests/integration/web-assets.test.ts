import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWeb, webBuildDir } from '@good-standing/server/http/web.ts';

// A rebuild of the dashboard under a running server (an update's `pnpm install` rebuilds it) removes the old
// build's scripts, which the static-file handler listed when it loaded: asking for one must be a 404, not a
// crashed process. The build is copied, so the test can take a file away.

let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gs-web-build-'));
  await cp(webBuildDir(), dir, { recursive: true });
  app = Fastify();
  await registerWeb(app, { buildDir: dir });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the dashboard's static files", () => {
  it('answers a script of a build that is gone with 404, and goes on serving', async () => {
    const entryDir = path.join(dir, 'client', '_app', 'immutable', 'entry');
    const script = (await readdir(entryDir)).find((f) => f.endsWith('.js'))!;
    const url = `/_app/immutable/entry/${script}`;
    for (const encoding of ['identity', 'gzip', 'br']) {
      const served = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': encoding } });
      expect(served.statusCode, encoding).toBe(200);
    }

    // A rebuild empties the folder first, then writes each file and its compressed copies one by one.
    await rm(path.join(entryDir, `${script}.br`));
    await rm(path.join(entryDir, `${script}.gz`));
    const compressedGone = await app.inject({
      method: 'GET',
      url,
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(compressedGone.statusCode).toBe(200);
    await rm(path.join(entryDir, script));
    for (const encoding of ['identity', 'gzip', 'br']) {
      const gone = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': encoding } });
      expect(gone.statusCode, encoding).toBe(404);
    }
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).statusCode).toBe(200);
  });
});
