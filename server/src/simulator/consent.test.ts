import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNTS,
  DEMO_APPLICATION_ID,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startSimulator,
} from './index.ts';
import type { RunningSimulator } from './index.ts';
import { accessTokenFor, call, spApi } from './test-client.ts';

const REDIRECT = 'https://gs.example.com/api/oauth/callback';
const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;
const euSellers = DEMO_ACCOUNTS.filter((a) => a.region === 'eu');

function consentQuery(over: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  const all = {
    application_id: DEMO_APPLICATION_ID,
    state: 'st-123',
    version: 'beta',
    redirect_uri: REDIRECT,
    region: 'na',
    ...over,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) params.set(k, v);
  return params.toString();
}

/** Submits the consent form the way a browser does: url-encoded, the pressed button's name and value included. */
function submit(sim: RunningSimulator, fields: Record<string, string | undefined>) {
  return call(sim, {
    method: 'POST',
    path: '/apps/authorize/consent',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: consentQuery(fields),
  });
}

function exchange(sim: RunningSimulator, code: string, redirectUri: string | undefined = REDIRECT) {
  return call(sim, {
    method: 'POST',
    path: '/auth/o2/token',
    host: 'api.amazon.com',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      ...(redirectUri ? { redirect_uri: redirectUri } : {}),
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
    }).toString(),
  });
}

describe("Seller Central's consent page", () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 0 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('lists the sellers of the region as labelled choices, with Approve and Deny', async () => {
    const res = await call(sim, { path: `/apps/authorize/consent?${consentQuery({ region: 'eu' })}` });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    for (const seller of euSellers) {
      const id = new RegExp(`id="(seller-\\d+)" name="selling_partner_id" value="${seller.sellerId}"`).exec(
        res.text,
      )?.[1];
      expect(id, seller.sellerId).toBeDefined();
      expect(res.text).toMatch(new RegExp(`<label for="${id}">[^<]*${seller.sellerId}`));
    }
    expect(res.text).not.toContain(healthy.sellerId);
    expect(res.text).toContain('<button type="submit" name="decision" value="approve">Approve</button>');
    expect(res.text).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
    expect(res.text).toContain(`<input type="hidden" name="state" value="st-123">`);
  });

  it('escapes what the URL carries', async () => {
    const res = await call(sim, {
      path: `/apps/authorize/consent?${consentQuery({ state: '"><script>x' })}`,
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>x');
    expect(res.text).toContain('value="&#34;&#62;&#60;script&#62;x"');
  });

  it.each([
    ['an unknown application', { application_id: 'amzn1.sp.solution.nobody' }, /could not be found/],
    ['a draft app without version=beta', { version: undefined }, /MD1000/],
    ['no redirect URI', { redirect_uri: undefined }, /MD5101/],
    ['a redirect URI that is not a web address', { redirect_uri: 'javascript:alert(1)' }, /MD5101/],
  ])('shows an error page, not the form, for %s', async (_what, over, message) => {
    const res = await call(sim, { path: `/apps/authorize/consent?${consentQuery(over)}` });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(message);
    expect(res.text).not.toContain('<form');
  });

  it('takes a published app without version=beta', async () => {
    await sim.close();
    sim = await startSimulator({ reportProcessingMs: 0, appDraft: false });
    const res = await call(sim, { path: `/apps/authorize/consent?${consentQuery({ version: undefined })}` });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<form');
  });

  it('approving sends the browser back with state, selling_partner_id and a code that buys a working token', async () => {
    const res = await submit(sim, { selling_partner_id: healthy.sellerId, decision: 'approve' });
    expect(res.status).toBe(302);
    const back = new URL(String(res.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('selling_partner_id')).toBe(healthy.sellerId);
    expect(back.searchParams.has('mws_auth_token')).toBe(false);
    const code = back.searchParams.get('spapi_oauth_code')!;
    expect(code).toBeTruthy();

    const first = await exchange(sim, code);
    expect(first.status, first.text).toBe(200);
    const tokens = first.json<{ refresh_token: string; access_token: string; token_type: string }>();
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^Atzr\|/);
    const access = await accessTokenFor(sim, tokens.refresh_token);
    expect((await spApi(sim, access, { path: '/sellers/v1/marketplaceParticipations' })).status).toBe(200);
    // Single use.
    const again = await exchange(sim, code);
    expect(again.status).toBe(400);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a code is refused with another redirect URI, and is spent by that attempt', async () => {
    const res = await submit(sim, { selling_partner_id: healthy.sellerId, decision: 'approve' });
    const code = new URL(String(res.headers.location)).searchParams.get('spapi_oauth_code')!;
    const wrong = await exchange(sim, code, 'https://evil.example/callback');
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: /redirect_uri/ });
    expect((await exchange(sim, code)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a code expires after five minutes of virtual time', async () => {
    const res = await submit(sim, { selling_partner_id: healthy.sellerId, decision: 'approve' });
    const code = new URL(String(res.headers.location)).searchParams.get('spapi_oauth_code')!;
    sim.state.advanceClock({ minutes: 6 });
    const late = await exchange(sim, code);
    expect(late.status).toBe(400);
    expect(late.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('denying sends the browser back with error=access_denied and the state, and no code', async () => {
    const res = await submit(sim, { selling_partner_id: healthy.sellerId, decision: 'deny' });
    expect(res.status).toBe(302);
    const back = new URL(String(res.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.has('spapi_oauth_code')).toBe(false);
    expect(back.searchParams.has('selling_partner_id')).toBe(false);
  });

  it('refuses a seller of another region, or none, without redirecting', async () => {
    const other = await submit(sim, {
      selling_partner_id: euSellers[0]!.sellerId,
      decision: 'approve',
      region: 'na',
    });
    expect(other.status).toBe(400);
    expect(other.headers.location).toBeUndefined();
    const none = await submit(sim, { decision: 'approve' });
    expect(none.status).toBe(400);
  });

  it('a form that lost its redirect URI shows the error page instead of redirecting', async () => {
    const res = await submit(sim, {
      selling_partner_id: healthy.sellerId,
      decision: 'approve',
      redirect_uri: undefined,
    });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});
