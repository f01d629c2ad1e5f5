import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { demoApp, startTestSimulator } from '../helpers/poller.ts';
import { freePort, spawnServerScript, waitFor, type Spawned } from '../helpers/processes.ts';

// The real server process at its most talkative: after first admin, sign-in, invites, API tokens and sign-out,
// no password, session id, CSRF token, API token or invite token appears in anything it printed.

const ADMIN_PASSWORD = 'first admin password from the environment';
const INVITED_PASSWORD = 'the invited viewer password';

let t: TestDatabase;
let sim: RunningSimulator;
let proc: Spawned;
let base: string;

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator();
  const port = await freePort();
  proc = spawnServerScript(
    'server.ts',
    [],
    {
      PORT: String(port),
      DATABASE_URL: t.url!,
      DATA_DIR: t.dataDir,
      APP_SECRET: 'logs-test-secret-'.padEnd(48, 'q'),
      LOG_LEVEL: 'trace',
      ROLE: 'web',
      SPAPI_CLIENT_ID: demoApp.clientId,
      SPAPI_CLIENT_SECRET: demoApp.clientSecret,
      SPAPI_ENDPOINT: sim.url,
      ADMIN_EMAIL: 'owner@example.com',
      ADMIN_PASSWORD,
    },
    t.dataDir,
  );
  base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined),
    30_000,
    `the server to start:\n${proc.output()}`,
  );
});
afterAll(async () => {
  proc?.child.kill('SIGTERM');
  await proc?.exited;
  await sim?.close();
  await t?.destroy();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the server log', () => {
  it('holds no password, session id, CSRF token, API token or invite token', async () => {
    const secrets: string[] = [ADMIN_PASSWORD, INVITED_PASSWORD];
    expect(
      (await post('/api/auth/sign-in', { email: 'owner@example.com', password: 'a wrong password!' })).status,
    ).toBe(401);
    const signIn = await post('/api/auth/sign-in', { email: 'owner@example.com', password: ADMIN_PASSWORD });
    expect(signIn.status).toBe(200);
    const sessionId = /gs_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    secrets.push(sessionId, csrfToken);
    const session = { cookie: `gs_session=${sessionId}`, 'x-csrf-token': csrfToken };

    const token = (await (
      await post('/api/tokens', { name: 'monitoring', scope: 'read' }, session)
    ).json()) as { token: string };
    secrets.push(token.token);
    expect(
      (await fetch(`${base}/api/overview`, { headers: { authorization: `Bearer ${token.token}` } })).status,
    ).toBe(200);

    const invited = (await (
      await post('/api/users', { email: 'viewer@example.com', role: 'viewer' }, session)
    ).json()) as {
      inviteUrl: string;
    };
    const inviteToken = invited.inviteUrl.split('/invite/')[1]!;
    secrets.push(inviteToken);
    expect((await fetch(`${base}/api/invites/${inviteToken}`)).status).toBe(200);
    expect((await post(`/api/invites/${inviteToken}`, { password: INVITED_PASSWORD })).status).toBe(200);
    expect((await post('/api/auth/sign-out', {}, session)).status).toBe(204);

    // pino writes asynchronously: give the last lines a moment to arrive.
    await new Promise((r) => setTimeout(r, 500));
    const log = proc.output();
    expect(log).toContain('/api/invites/[redacted]');
    expect(log.split('\n').length).toBeGreaterThan(10);
    for (const secret of secrets) expect(log, 'a secret reached the log').not.toContain(secret);
  });
});
