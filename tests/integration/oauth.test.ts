import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_APPLICATION_ID,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  type RunningSimulator,
} from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';
import { adminToken, signInAs, type SignedIn } from '../helpers/auth.ts';
import { countStored } from '../helpers/counts.ts';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';

// Connecting a seller through Amazon's consent flow, end to end over HTTP: the app's start route, the simulator's
// consent form (as a browser submits it), the callback with the session cookie, and the result page's outcome.

const PUBLIC_URL = 'http://localhost:3000';
const REDIRECT_URI = `${PUBLIC_URL}/api/oauth/callback`;

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let admin: SignedIn;

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim, { SPAPI_APPLICATION_ID: DEMO_APPLICATION_ID, PUBLIC_URL });
  admin = await signInAs(app, 'admin');
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

/** A seller only the simulator knows yet (US, healthy). */
function newSimSeller(businessName?: string) {
  return sim.state.addAccount({
    region: 'na',
    marketplaceIds: ['ATVPDKIKX0DER'],
    scenario: 'healthy',
    ...(businessName ? { businessName } : {}),
  });
}

async function start(body: Record<string, unknown>, who: SignedIn = admin): Promise<URL> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/accounts/oauth/start',
    headers: who.headers,
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
  const { url, expiresAt } = res.json() as { url: string; expiresAt: string };
  const minutes = (Date.parse(expiresAt) - Date.now()) / 60_000;
  expect(minutes).toBeGreaterThan(9);
  expect(minutes).toBeLessThanOrEqual(10);
  return new URL(url);
}

const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

interface ConsentForm {
  action: URL;
  hidden: Record<string, string>;
  sellers: string[];
}

/** Opens the consent page as a browser would, and reads its form. */
async function openConsent(url: URL): Promise<ConsentForm> {
  const res = await fetch(url);
  const html = await res.text();
  expect(res.status, html).toBe(200);
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the consent page: ${html}`);
  const hidden: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[name!] = unescapeHtml(value!);
  }
  const sellers = [...html.matchAll(/name="selling_partner_id" value="([^"]+)"/g)].map((m) => m[1]!);
  return { action: new URL(unescapeHtml(action), url), hidden, sellers };
}

/** Presses Approve (for `sellerId`) or Deny, and returns where the simulator sends the browser. */
async function decide(form: ConsentForm, decision: 'approve' | 'deny', sellerId?: string): Promise<URL> {
  const body = new URLSearchParams({ ...form.hidden, decision });
  if (sellerId) body.set('selling_partner_id', sellerId);
  const res = await fetch(form.action, { method: 'POST', body, redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  return new URL(res.headers.get('location')!);
}

/**
 * The browser arriving at the callback with its cookie (null: none; an empty cookie header also keeps the test
 * app from adding its API token); returns the result page's parameters.
 */
async function callback(location: URL, who: SignedIn | null = admin) {
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  const res = await app.inject({
    method: 'GET',
    url: `${location.pathname}${location.search}`,
    headers: { cookie: who?.cookie ?? '' },
  });
  expect(res.statusCode, res.body).toBe(303);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  const result = new URL(String(res.headers.location), PUBLIC_URL);
  expect(result.pathname).toBe('/settings/accounts/connect-result');
  return {
    outcome: result.searchParams.get('outcome'),
    account: result.searchParams.get('account'),
    params: result.searchParams,
  };
}

/** Start, approve as `sellerId`, come back: the whole flow, returning the result and the redirect it followed. */
async function connectThroughAmazon(body: Record<string, unknown>, sellerId: string, who = admin) {
  const form = await openConsent(await start(body, who));
  expect(form.sellers).toContain(sellerId);
  const back = await decide(form, 'approve', sellerId);
  return { ...(await callback(back, who)), back };
}

async function accountRow(id: string) {
  return t.db.selectFrom('seller_accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** True when the simulator still takes the code: the app never exchanged it. */
async function codeUnspent(back: URL): Promise<boolean> {
  const res = await fetch(`${sim.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('spapi_oauth_code')!,
      redirect_uri: REDIRECT_URI,
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
    }),
  });
  return res.status === 200;
}

describe('connecting through Amazon', () => {
  it('start → consent → callback connects the seller, seals its token and queues the first poll', async () => {
    const seller = newSimSeller('Consent Flow Supplies LLC');
    const url = await start({ region: 'na', name: 'Consent Flow Supplies' });
    // Through the transport seam the simulator plays Seller Central.
    expect(url.origin).toBe(sim.url);
    expect(url.pathname).toBe('/apps/authorize/consent');
    expect(url.searchParams.get('application_id')).toBe(DEMO_APPLICATION_ID);
    expect(url.searchParams.get('version')).toBe('beta');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('region')).toBe('na');
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(40);

    const form = await openConsent(url);
    expect(form.sellers).toContain(seller.sellerId);
    expect(form.sellers).not.toContain(demoSeller('new-seller').sellerId);
    const back = await decide(form, 'approve', seller.sellerId);
    expect(back.searchParams.get('state')).toBe(state);
    const result = await callback(back);
    expect(result.outcome).toBe('connected');
    const id = result.account!;

    const row = (await accountRow(id))!;
    expect(row).toMatchObject({
      seller_id: seller.sellerId,
      name: 'Consent Flow Supplies',
      region: 'na',
      business_name: 'Consent Flow Supplies LLC',
      connection_state: 'connected',
    });
    // Sealed: the stored value is an envelope, and it opens to the token Amazon handed out for the code.
    const issued = sim.state.getAccount(seller.sellerId)!.refreshToken;
    expect(issued).not.toBe(seller.refreshToken);
    expect(row.refresh_token_encrypted).not.toContain(issued);
    expect(app.secrets.open(row.refresh_token_encrypted!)).toBe(issued);

    const queued = await t.db
      .selectFrom('poll_runs')
      .selectAll()
      .where('account_id', '=', id)
      .where('status', '=', 'queued')
      .execute();
    expect(queued).toHaveLength(1);
    expect(row.next_poll_at.getTime()).toBeLessThanOrEqual(Date.now());
    const shown = await app.inject({ method: 'GET', url: `/api/accounts/${id}`, headers: admin.headers });
    expect(shown.json()).toMatchObject({ marketplaces: [{ marketplaceId: 'ATVPDKIKX0DER' }] });
    const [poll] = await app.poller.pollNow([id]);
    expect(poll).toMatchObject({ status: 'succeeded', runId: queued[0]!.id });

    // Only the state's hash is stored, and it is spent.
    const hash = createHash('sha256').update(state).digest('hex');
    const stored = await t.db.selectFrom('oauth_states').selectAll().execute();
    expect(stored.some((s) => s.state_hash === state)).toBe(false);
    expect(stored.find((s) => s.state_hash === hash)?.used_at).not.toBeNull();

    // The same redirect again (a reload, a replay) is refused, and changes nothing.
    expect((await callback(back)).outcome).toBe('state_used');
    expect((await accountRow(id))!.refresh_token_encrypted).toBe(row.refresh_token_encrypted);
  });

  it("names the account after Amazon's business name when no name is given", async () => {
    const seller = newSimSeller('Nameless Goods Inc.');
    const result = await connectThroughAmazon({ region: 'na' }, seller.sellerId);
    expect(result.outcome).toBe('connected');
    expect((await accountRow(result.account!))!.name).toBe('Nameless Goods Inc.');
  });

  it('a denied consent stores nothing and says so', async () => {
    const seller = newSimSeller();
    const form = await openConsent(await start({ region: 'na' }));
    const back = await decide(form, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    const result = await callback(back);
    expect(result.outcome).toBe('denied');
    const row = await t.db
      .selectFrom('seller_accounts')
      .select('id')
      .where('seller_id', '=', seller.sellerId)
      .executeTakeFirst();
    expect(row).toBeUndefined();
    // The flow is over: its state is spent.
    expect((await callback(back)).outcome).toBe('state_used');
  });

  it('another error from Amazon is reported with its code', async () => {
    const form = await openConsent(await start({ region: 'na' }));
    const back = new URL(REDIRECT_URI);
    back.searchParams.set('state', form.hidden.state!);
    back.searchParams.set('error', 'server_error');
    const result = await callback(back);
    expect(result.outcome).toBe('authorization_failed');
    expect(result.params.get('amazonError')).toBe('server_error');
  });

  it('a state it never issued, or none, is refused', async () => {
    const seller = newSimSeller();
    const form = await openConsent(await start({ region: 'na' }));
    const back = await decide(form, 'approve', seller.sellerId);
    const forged = new URL(back);
    forged.searchParams.set('state', 'made-up-state-value-0123456789abcdefghijklmnop');
    expect((await callback(forged)).outcome).toBe('state_invalid');
    const none = new URL(back);
    none.searchParams.delete('state');
    expect((await callback(none)).outcome).toBe('state_invalid');
    // Neither touched the real flow, nor spent its code.
    expect(await codeUnspent(back)).toBe(true);
  });

  it('a state older than ten minutes is refused', async () => {
    const seller = newSimSeller();
    const url = await start({ region: 'na' });
    const hash = createHash('sha256').update(url.searchParams.get('state')!).digest('hex');
    await t.db
      .updateTable('oauth_states')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('state_hash', '=', hash)
      .execute();
    const back = await decide(await openConsent(url), 'approve', seller.sellerId);
    expect((await callback(back)).outcome).toBe('state_expired');
    expect(await codeUnspent(back)).toBe(true);
  });

  it('an expired code is refused by Amazon and nothing is stored', async () => {
    const seller = newSimSeller();
    const back = await decide(await openConsent(await start({ region: 'na' })), 'approve', seller.sellerId);
    sim.state.advanceClock({ minutes: 6 });
    const result = await callback(back);
    expect(result.outcome).toBe('code_rejected');
    const row = await t.db
      .selectFrom('seller_accounts')
      .select('id')
      .where('seller_id', '=', seller.sellerId)
      .executeTakeFirst();
    expect(row).toBeUndefined();
    expect((await callback(back)).outcome).toBe('state_used');
  });

  it('a state from another session is refused, and the session that started it can still finish', async () => {
    const seller = newSimSeller();
    const other = await signInAs(app, 'admin', 'other-admin@example.com');
    const back = await decide(await openConsent(await start({ region: 'na' })), 'approve', seller.sellerId);
    expect((await callback(back, other)).outcome).toBe('session_mismatch');
    expect((await callback(back, null)).outcome).toBe('session_mismatch');
    const result = await callback(back, admin);
    expect(result.outcome).toBe('connected');
    expect((await accountRow(result.account!))!.seller_id).toBe(seller.sellerId);
  });

  it('a seller already connected is not connected twice, and its code is never spent', async () => {
    const existing = await connectDemoAccount(app, 'healthy');
    const before = await accountRow(existing);
    const { outcome, account, back } = await connectThroughAmazon(
      { region: 'na', name: 'Duplicate' },
      demoSeller('healthy').sellerId,
    );
    expect(outcome).toBe('already_connected');
    expect(account).toBe(existing);
    expect(await codeUnspent(back)).toBe(true);
    expect(await accountRow(existing)).toEqual(before);
    const names = await t.db.selectFrom('seller_accounts').select('name').execute();
    expect(names.map((n) => n.name)).not.toContain('Duplicate');
  });
});

describe('reconnecting through Amazon', () => {
  it('the same seller gets a new token on the same account, history kept, polled again', async () => {
    const demo = demoSeller('odr-drift');
    const id = await connectDemoAccount(app, 'odr-drift');
    const [first] = await app.poller.pollNow([id]);
    expect(first).toMatchObject({ status: 'succeeded' });
    sim.state.revoke(demo.sellerId);
    const [revoked] = await app.poller.pollNow([id]);
    expect(revoked).toMatchObject({ outcome: 'needs_reauthorization' });
    const figures = await countStored(t.db, 'figures', id);
    expect(figures).toBeGreaterThan(0);

    const url = await start({ region: 'na', accountId: id });
    const { outcome, account } = await callback(
      await decide(await openConsent(url), 'approve', demo.sellerId),
    );
    expect(outcome).toBe('connected');
    expect(account).toBe(id);
    const row = (await accountRow(id))!;
    expect(row.connection_state).toBe('connected');
    expect(app.secrets.open(row.refresh_token_encrypted!)).toBe(
      sim.state.getAccount(demo.sellerId)!.refreshToken,
    );
    expect(await countStored(t.db, 'figures', id)).toBe(figures);
    // The new token works: the next poll succeeds.
    const [again] = await app.poller.pollNow([id]);
    expect(again).toMatchObject({ status: 'succeeded' });
  });

  it('another seller is refused with the reason, and the account keeps its token', async () => {
    const id = await connectDemoAccount(app, 'suspension');
    const before = await accountRow(id);
    const stranger = newSimSeller();
    const { outcome, account, back } = await connectThroughAmazon(
      { region: 'na', accountId: id },
      stranger.sellerId,
    );
    expect(outcome).toBe('seller_mismatch');
    expect(account).toBe(id);
    expect(await accountRow(id)).toEqual(before);
    expect(await codeUnspent(back)).toBe(true);
  });

  it('is refused for an account of another region, or one that does not exist', async () => {
    const id = await connectDemoAccount(app, 'new-seller');
    const region = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: admin.headers,
      payload: { region: 'na', accountId: id },
    });
    expect(region.statusCode).toBe(400);
    expect(region.json().error.message).toMatch(/eu region, not na/);
    const missing = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: admin.headers,
      payload: { region: 'na', accountId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('starting the flow', () => {
  it('only an admin in a browser session may start it', async () => {
    const payload = { region: 'na' };
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: { cookie: '' },
      payload,
    });
    expect(anonymous.statusCode, anonymous.body).toBe(401);
    const viewer = await signInAs(app, 'viewer');
    const asViewer = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: viewer.headers,
      payload,
    });
    expect(asViewer.statusCode).toBe(403);
    const token = await adminToken(app);
    const script = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
    expect(script.statusCode).toBe(403);
    expect(script.json().error.message).toMatch(/browser that started it/);
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: { cookie: admin.cookie },
      payload,
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('needs the seller’s marketplace in the Far East, and takes one of that region only', async () => {
    const fe = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: admin.headers,
      payload: { region: 'fe' },
    });
    expect(fe.statusCode).toBe(400);
    expect(fe.json().error.message).toMatch(/marketplaceId, one of .*A1VC38T7YXB528 \(JP\)/);
    const other = await app.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: admin.headers,
      payload: { region: 'fe', marketplaceId: 'ATVPDKIKX0DER' },
    });
    expect(other.statusCode).toBe(400);
    const url = await start({ region: 'fe', marketplaceId: 'A39IBJ37TRP1C6' });
    expect(url.searchParams.get('region')).toBe('fe');
  });

  it('says how to set it up when the app has no SPAPI_APPLICATION_ID', async () => {
    const bare = await buildPollingApp(t, sim);
    try {
      const who = await signInAs(bare, 'admin');
      const res = await bare.inject({
        method: 'POST',
        url: '/api/accounts/oauth/start',
        headers: who.headers,
        payload: { region: 'na' },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toMatch(/set SPAPI_APPLICATION_ID/);
    } finally {
      await bare.close();
    }
  });
});

describe('disconnecting and deleting', () => {
  it('disconnect deletes the token at once and stops polling, keeping the history', async () => {
    const id = await connectDemoAccount(app, 'late-shipment-spike');
    const [polled] = await app.poller.pollNow([id]);
    expect(polled).toMatchObject({ status: 'succeeded' });
    const figures = await countStored(t.db, 'figures', id);
    const refresh = await app.inject({
      method: 'POST',
      url: `/api/accounts/${id}/refresh`,
      headers: admin.headers,
      payload: {},
    });
    expect(refresh.statusCode, refresh.body).toBe(202);

    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${id}/disconnect`,
      headers: admin.headers,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, connectionState: 'disconnected' });
    const row = (await accountRow(id))!;
    expect(row.refresh_token_encrypted).toBeNull();
    expect(await countStored(t.db, 'figures', id)).toBe(figures);
    // The refresh queued before is ended, not left waiting; no poll claims the account any more.
    const run = await t.db
      .selectFrom('poll_runs')
      .selectAll()
      .where('id', '=', refresh.json().runId)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'failed', error_code: 'DISCONNECTED' });
    expect(await app.poller.pollNow([id])).toEqual([{ accountId: id, skipped: 'disconnected' }]);
    const again = await app.inject({
      method: 'POST',
      url: `/api/accounts/${id}/refresh`,
      headers: admin.headers,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/disconnected/);

    // Reconnecting through Amazon brings it back.
    const { outcome } = await connectThroughAmazon(
      { region: 'eu', accountId: id },
      demoSeller('late-shipment-spike').sellerId,
    );
    expect(outcome).toBe('connected');
    expect((await accountRow(id))!.connection_state).toBe('connected');
  });

  it('is for admins only', async () => {
    const id = await connectDemoAccount(app, 'ip-complaints');
    const viewer = await signInAs(app, 'viewer');
    const disconnect = await app.inject({
      method: 'POST',
      url: `/api/accounts/${id}/disconnect`,
      headers: viewer.headers,
      payload: {},
    });
    expect(disconnect.statusCode).toBe(403);
    const remove = await app.inject({
      method: 'DELETE',
      url: `/api/accounts/${id}`,
      headers: viewer.headers,
      payload: { confirmName: demoSeller('ip-complaints').name },
    });
    expect(remove.statusCode).toBe(403);
    expect(await accountRow(id)).toMatchObject({ connection_state: 'connected' });
  });

  it('delete needs the account’s exact name, then removes it with its history', async () => {
    const seller = newSimSeller();
    const name = 'Delete Me Trading';
    const { account } = await connectThroughAmazon({ region: 'na', name }, seller.sellerId);
    const id = account!;
    await app.poller.pollNow([id]);
    expect(await countStored(t.db, 'poll_runs', id)).toBeGreaterThan(0);

    for (const confirmName of ['Someone Else', name.toUpperCase(), '']) {
      const wrong = await app.inject({
        method: 'DELETE',
        url: `/api/accounts/${id}`,
        headers: admin.headers,
        payload: { confirmName },
      });
      expect(wrong.statusCode, confirmName).toBe(400);
      expect(wrong.json().error.message).toContain(`to delete "${name}"`);
    }
    expect(await accountRow(id)).toBeDefined();

    const right = await app.inject({
      method: 'DELETE',
      url: `/api/accounts/${id}`,
      headers: admin.headers,
      payload: { confirmName: name },
    });
    expect(right.statusCode, right.body).toBe(204);
    expect(await accountRow(id)).toBeUndefined();
    expect(await countStored(t.db, 'poll_runs', id)).toBe(0);
    const gone = await app.inject({ method: 'GET', url: `/api/accounts/${id}`, headers: admin.headers });
    expect(gone.statusCode).toBe(404);
  });
});

describe('in demo mode', () => {
  let demoDb: TestDatabase;
  let demo: FastifyInstance;
  beforeAll(async () => {
    demoDb = await createTestDatabase('postgres');
    demo = await buildApp(
      loadConfig({
        DATA_DIR: demoDb.dataDir,
        LOG_LEVEL: 'silent',
        APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
      }),
      { database: demoDb, web: false, schedule: false },
    );
  });
  afterAll(async () => {
    await demo?.close();
    await demoDb?.destroy();
  });

  it("works with nothing configured: the simulator's app and consent page, back to the address the browser used", async () => {
    // The dashboard's first request signs the browser in as the demo admin.
    const session = await demo.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { host: '127.0.0.1:3000' },
    });
    expect(session.statusCode, session.body).toBe(200);
    const cookie = session.cookies.find((c) => c.name === 'gs_session')!;
    const headers = {
      cookie: `gs_session=${cookie.value}`,
      'x-csrf-token': session.json().csrfToken as string,
    };
    const seller = demo.demo!.simulator!.state.addAccount({
      region: 'eu',
      marketplaceIds: ['A1PA6795UKMFR9'],
      scenario: 'healthy',
      businessName: 'Demo Consent GmbH',
    });

    const started = await demo.inject({
      method: 'POST',
      url: '/api/accounts/oauth/start',
      headers: { ...headers, host: '127.0.0.1:3000' },
      payload: { region: 'eu' },
    });
    expect(started.statusCode, started.body).toBe(200);
    const url = new URL((started.json() as { url: string }).url);
    expect(url.origin).toBe(demo.demo!.simulator!.url);
    expect(url.searchParams.get('application_id')).toBe(DEMO_APPLICATION_ID);
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:3000/api/oauth/callback');

    const back = await decide(await openConsent(url), 'approve', seller.sellerId);
    const res = await demo.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: headers.cookie, host: '127.0.0.1:3000' },
    });
    expect(res.statusCode, res.body).toBe(303);
    const result = new URL(String(res.headers.location), 'http://127.0.0.1:3000');
    expect(result.searchParams.get('outcome')).toBe('connected');
    const row = await demoDb.db
      .selectFrom('seller_accounts')
      .selectAll()
      .where('id', '=', result.searchParams.get('account')!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ seller_id: seller.sellerId, name: 'Demo Consent GmbH', region: 'eu' });
  });
});
