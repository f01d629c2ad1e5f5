import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator } from './index.ts';
import type { RunningSimulator } from './index.ts';
import { accessTokenFor, call, spApi } from './test-client.ts';

const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;
const revoked = DEMO_ACCOUNTS.find((a) => a.scenario === 'revoked')!;
const PARTICIPATIONS = '/sellers/v1/marketplaceParticipations';

function tokenRequest(sim: RunningSimulator, body: unknown, headers: Record<string, string> = {}) {
  return call(sim, { method: 'POST', path: '/auth/o2/token', host: 'api.amazon.com', body, headers });
}

describe('LWA token endpoint', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 0 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('grants an access token for a refresh token sent as JSON, as amazon-sp-api sends it', async () => {
    const res = await tokenRequest(sim, {
      grant_type: 'refresh_token',
      refresh_token: healthy.refreshToken,
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
    });
    expect(res.status).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      refresh_token: healthy.refreshToken,
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect(String(body.access_token)).toMatch(/^Atza\|/);
    const participations = await spApi(sim, String(body.access_token), { path: PARTICIPATIONS });
    expect(participations.status).toBe(200);
  });

  it('accepts form-urlencoded bodies and HTTP Basic client credentials', async () => {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: healthy.refreshToken });
    const basic = Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64');
    const res = await tokenRequest(sim, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${basic}`,
    });
    expect(res.status).toBe(200);
    expect(res.json<{ access_token: string }>().access_token).toMatch(/^Atza\|/);
  });

  it('answers invalid_grant for unknown and revoked refresh tokens', async () => {
    for (const refreshToken of ['Atzr|nobody-has-this-token', revoked.refreshToken]) {
      const res = await tokenRequest(sim, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: DEMO_CLIENT_ID,
        client_secret: DEMO_CLIENT_SECRET,
      });
      expect(res.status).toBe(400);
      expect(res.json<{ error: string; error_description: string }>()).toMatchObject({
        error: 'invalid_grant',
      });
    }
  });

  it('answers invalid_client 401 for wrong app credentials', async () => {
    const res = await tokenRequest(sim, {
      grant_type: 'refresh_token',
      refresh_token: healthy.refreshToken,
      client_id: DEMO_CLIENT_ID,
      client_secret: 'wrong',
    });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('exchanges a control-issued authorization code once, for a refresh token that works', async () => {
    const codeRes = await call(sim, {
      method: 'POST',
      path: '/_sim/oauth/code',
      body: { sellerId: revoked.sellerId },
    });
    expect(codeRes.status).toBe(201);
    const { code } = codeRes.json<{ code: string }>();
    const exchange = {
      grant_type: 'authorization_code',
      code,
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
    };
    const first = await tokenRequest(sim, exchange);
    expect(first.status).toBe(200);
    const { refresh_token: refreshToken } = first.json<{ refresh_token: string }>();
    expect(refreshToken).not.toBe(revoked.refreshToken);
    const accessToken = await accessTokenFor(sim, refreshToken);
    const res = await spApi(sim, accessToken, { path: PARTICIPATIONS, region: 'eu' });
    expect(res.status).toBe(200);
    expect((await tokenRequest(sim, exchange)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a control-issued code bound to a redirect URI is exchanged only with that URI', async () => {
    const issue = async () =>
      (
        await call(sim, {
          method: 'POST',
          path: '/_sim/oauth/code',
          body: { sellerId: healthy.sellerId, redirectUri: 'https://gs.example.com/api/oauth/callback' },
        })
      ).json<{ code: string }>().code;
    const exchange = (code: string, redirectUri?: string) =>
      tokenRequest(sim, {
        grant_type: 'authorization_code',
        code,
        ...(redirectUri ? { redirect_uri: redirectUri } : {}),
        client_id: DEMO_CLIENT_ID,
        client_secret: DEMO_CLIENT_SECRET,
      });
    expect((await exchange(await issue())).json()).toMatchObject({ error: 'invalid_grant' });
    const ok = await exchange(await issue(), 'https://gs.example.com/api/oauth/callback');
    expect(ok.status, ok.text).toBe(200);
  });

  it('revoking a seller invalidates its refresh token and its access tokens', async () => {
    const accessToken = await accessTokenFor(sim, healthy.refreshToken);
    const revoke = await call(sim, { method: 'POST', path: `/_sim/accounts/${healthy.sellerId}/revoke` });
    expect(revoke.status).toBe(200);
    await expect(accessTokenFor(sim, healthy.refreshToken)).rejects.toThrow(/invalid_grant/);
    const res = await spApi(sim, accessToken, { path: PARTICIPATIONS });
    expect(res.status).toBe(403);
  });
});

describe('SP-API access tokens', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 0 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('expire after 3600 s of virtual time with the message amazon-sp-api refreshes on', async () => {
    const token = await accessTokenFor(sim, healthy.refreshToken);
    sim.state.advanceClock({ minutes: 59 });
    expect((await spApi(sim, token, { path: PARTICIPATIONS })).status).toBe(200);
    sim.state.advanceClock({ minutes: 2 });
    const res = await spApi(sim, token, { path: PARTICIPATIONS });
    expect(res.status).toBe(403);
    const error = res.json<{ errors: { code: string; details: string }[] }>().errors[0]!;
    expect(error.code).toBe('Unauthorized');
    expect(error.details).toMatch(/access token.*expired/);
  });

  it('refuses unknown and missing tokens with 403', async () => {
    const unknown = await spApi(sim, 'Atza|made-up', { path: PARTICIPATIONS });
    expect(unknown.status).toBe(403);
    expect(unknown.json()).toEqual({
      errors: [
        {
          code: 'Unauthorized',
          message: 'Access to requested resource is denied.',
          details: 'The access token you provided is revoked, malformed or invalid.',
        },
      ],
    });
    const missing = await call(sim, { path: PARTICIPATIONS, host: 'sellingpartnerapi-na.amazon.com' });
    expect(missing.status).toBe(403);
    expect(missing.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a seller on another region’s endpoint but accepts direct requests', async () => {
    const token = await accessTokenFor(sim, healthy.refreshToken);
    expect((await spApi(sim, token, { path: PARTICIPATIONS, region: 'eu' })).status).toBe(403);
    const direct = await call(sim, { path: PARTICIPATIONS, headers: { 'x-amz-access-token': token } });
    expect(direct.status).toBe(200);
    const payload = direct.json<{ payload: { marketplace: { id: string; countryCode: string } }[] }>()
      .payload;
    expect(payload.map((p) => p.marketplace.id)).toEqual(healthy.marketplaceIds);
    expect(payload[0]).toMatchObject({
      marketplace: { countryCode: 'US', defaultCurrencyCode: 'USD', domainName: 'www.amazon.com' },
      participation: { isParticipating: true, hasSuspendedListings: false },
    });
  });
});
