import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@good-standing/server/app.ts';
import { insertApiToken } from '@good-standing/server/auth/api-tokens.repository.ts';
import { newSecret, secretHash } from '@good-standing/server/auth/secrets.ts';
import { insertUser } from '@good-standing/server/auth/users.repository.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseReportBytes } from '@good-standing/server/reports/parse-seller-performance.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '@good-standing/server/simulator/index.ts';
import { MARKETPLACE_IDS } from '@good-standing/server/simulator/marketplaces.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { adminToken, signInAs } from '../helpers/auth.ts';

// GET /metrics over real Postgres: who may scrape it, and what it says. Every line of the answer is read by a strict
// parser of the Prometheus text format (0.0.4), and the figures are checked against the tables.

const SELLER = 'A1PROMTEST77';
const OTHER = 'A2PROMEMPTY8';
const NAME = 'Prom "Quoted" \\ Co.\nSecond line';
const US = MARKETPLACE_IDS.US;
const CA = MARKETPLACE_IDS.CA;
const DAY_MS = 86_400_000;

let t: TestDatabase;
let app: FastifyInstance;
let readToken: string;
let ids: { main: string; other: string };

// ---- a strict reader of the text format ----

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  type: string;
  help: string | undefined;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescape(text: string, quotes: boolean): string {
  return text.replace(quotes ? /\\(.)/g : /\\([\\n])/g, (all, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\') return '\\';
    if (c === '"' && quotes) return '"';
    throw new Error(`bad escape ${all}`);
  });
}

/** As Prometheus reads a value (Go's strconv.ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

function familyOf(name: string, families: Map<string, Family>): string | undefined {
  if (families.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (name.endsWith(suffix) && (type === 'histogram' || type === 'summary')) return base;
  }
  return undefined;
}

function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the text must end with a line feed');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`a comment that is neither HELP nor TYPE: ${line}`);
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      const family = families.get(name) ?? { type: 'untyped', help: undefined, samples: [] };
      if (kind === 'HELP') {
        if (family.help !== undefined) throw new Error(`second HELP: ${line}`);
        family.help = unescape(rest, false);
      } else {
        if (!TYPES.has(rest)) throw new Error(`bad type: ${line}`);
        if (families.has(name) && (families.get(name)!.type !== 'untyped' || family.samples.length > 0)) {
          throw new Error(`TYPE after samples or twice: ${line}`);
        }
        family.type = rest;
      }
      families.set(name, family);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    const [, name, body = '', value] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    let rest = body;
    while (rest.length > 0) {
      const l = /^([^=]+)="((?:[^"\\\n]|\\.)*)"(,|$)/.exec(rest);
      if (!l || !LABEL_NAME.test(l[1]!)) throw new Error(`bad labels in: ${line}`);
      if (l[1]! in labels) throw new Error(`label twice in: ${line}`);
      labels[l[1]!] = unescape(l[2]!, true);
      rest = rest.slice(l[0].length);
    }
    const family = familyOf(name, families);
    if (!family) throw new Error(`a sample before its TYPE: ${line}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`the same series twice: ${line}`);
    seen.add(key);
    families.get(family)!.samples.push({ name, labels, value: parseValue(value, line) });
  }
  return families;
}

// ---- helpers ----

async function scrape(headers: Record<string, string>) {
  return app.inject({ method: 'GET', url: '/metrics', headers });
}

async function metrics(): Promise<Map<string, Family>> {
  const res = await scrape({ authorization: `Bearer ${readToken}` });
  expect(res.statusCode, res.body).toBe(200);
  return parsePrometheus(res.body);
}

/** The one sample of a family whose labels include these; fails on none or several. */
function sample(families: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const found = (families.get(name)?.samples ?? []).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!.value;
}

const sumOf = (families: Map<string, Family>, name: string, labels: Record<string, string>) =>
  (families.get(name)?.samples ?? [])
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  app = await buildApp(
    loadConfig({
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
      SPAPI_CLIENT_ID: DEMO_CLIENT_ID,
      SPAPI_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      SPAPI_ENDPOINT: 'http://127.0.0.1:9',
    }),
    { database: t, web: false, schedule: false },
  );
  // A viewer's read-only token: enough to scrape.
  const viewer = (await insertUser(t.db, {
    email: 'prometheus@example.com',
    role: 'viewer',
    displayName: null,
    passwordHash: null,
  }))!;
  readToken = newSecret('gs_');
  await insertApiToken(t.db, {
    name: 'prometheus',
    scope: 'read',
    tokenHash: secretHash(readToken),
    userId: viewer.id,
  });

  const [main, other] = await t.db
    .insertInto('seller_accounts')
    .values([
      { seller_id: SELLER, name: NAME, region: 'na', poll_enabled: false },
      { seller_id: OTHER, name: 'Not yet polled', region: 'na', poll_enabled: false },
    ])
    .returning('id')
    .execute();
  ids = { main: main!.id, other: other!.id };
  await t.db
    .updateTable('seller_accounts')
    .set({ last_good_poll_at: new Date('2026-03-01T06:00:12.345Z') })
    .where('id', '=', ids.main)
    .execute();
  await t.db
    .insertInto('account_marketplaces')
    .values({ account_id: ids.other, marketplace_id: US, name: 'Amazon.com' })
    .execute();
  // Two reports of the drifting-ODR seller, a fortnight apart: the newest figures are the second's.
  for (const day of [0, 14]) {
    const at = new Date(Date.UTC(2026, 1, 1, 6) + day * DAY_MS);
    const bytes = Buffer.from(
      JSON.stringify(generateSellerPerformanceReport('odr-drift', SELLER, [US, CA], day, at)),
    );
    await ingestReport(t.db, {
      accountId: ids.main,
      bytes,
      amazonReportId: null,
      amazonDocumentId: null,
      marketplaceIds: [US, CA],
      capturedAt: at,
      parsed: { ok: true, report: parseReportBytes(bytes) },
    });
  }

  const alert = (accountId: string, severity: string, state: string, n: number) => ({
    account_id: accountId,
    marketplace_id: US,
    rule: 'test_rule',
    subject: `${severity}-${state}-${n}`,
    severity: severity as 'critical',
    state: state as 'open',
    title: 'A test alert',
  });
  await t.db
    .insertInto('alerts')
    .values([
      alert(ids.main, 'critical', 'open', 1),
      alert(ids.main, 'critical', 'open', 2),
      alert(ids.main, 'warning', 'acknowledged', 1),
      alert(ids.main, 'info', 'resolved', 1),
      alert(ids.other, 'warning', 'open', 1),
    ])
    .execute();

  const run = (accountId: string, status: string, throttles: number) => ({
    account_id: accountId,
    trigger: 'schedule' as const,
    status: status as 'failed',
    throttles,
  });
  await t.db
    .insertInto('poll_runs')
    .values([
      run(ids.main, 'succeeded', 2),
      run(ids.main, 'succeeded', 0),
      run(ids.main, 'succeeded', 1),
      run(ids.main, 'failed', 4),
      run(ids.main, 'running', 0),
      run(ids.other, 'failed', 0),
      run(ids.other, 'queued', 0),
    ])
    .execute();

  const message = (key: string, channel: string, status: string, ageSeconds: number) => ({
    idempotency_key: key,
    channel: channel as 'email',
    recipient: 'ops@example.com',
    status: status as 'pending',
    created_at: new Date(Date.now() - ageSeconds * 1000),
  });
  await t.db
    .insertInto('outbox_messages')
    .values([
      message('a', 'email', 'pending', 600),
      message('b', 'email', 'pending', 5),
      message('c', 'webhook', 'failed', 3_600),
      message('d', 'email', 'sent', 86_400),
    ])
    .execute();
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

describe('GET /metrics', () => {
  it('refuses a request without an API token with 401 and one line, a session cookie included', async () => {
    const admin = await signInAs(app, 'admin');
    for (const headers of [
      {} as Record<string, string>,
      { cookie: admin.cookie },
      { authorization: 'Bearer gs_not-a-token' },
      { authorization: 'Basic dXNlcjpwYXNz' },
    ]) {
      const res = await scrape(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="Good Standing"');
      const body = res.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(body.error.message).not.toContain('\n');
      expect(res.body).not.toContain(SELLER);
    }
    expect(((await scrape({})).json() as { error: { message: string } }).error.message).toBe(
      'send an API token: Authorization: Bearer gs_…',
    );
  });

  it('answers any valid API token in the Prometheus text format, every line well formed', async () => {
    for (const token of [readToken, await adminToken(app)]) {
      const res = await scrape({ authorization: `Bearer ${token}` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['www-authenticate']).toBeUndefined();
      const families = parsePrometheus(res.body);
      for (const [name, family] of families) {
        expect(family.help, name).toBeTruthy();
        expect(family.type, name).not.toBe('untyped');
      }
      // The process's own figures come too.
      expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    }
    // Scraped by a service name (Docker's, say): the token is the guard here, where the API still refuses it.
    const byName = await scrape({ authorization: `Bearer ${readToken}`, host: 'good-standing:3000' });
    expect(byName.statusCode, byName.body).toBe(200);
    const api = await app.inject({
      method: 'GET',
      url: '/api/accounts',
      headers: { authorization: `Bearer ${readToken}`, host: 'good-standing:3000' },
    });
    expect(api.statusCode).toBe(421);
    const doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths['/metrics']).toBeDefined();
  });

  it("gives each marketplace's latest figures, targets, rating, status and standing as stored", async () => {
    const families = await metrics();
    const latest = await t.db
      .selectFrom('metric_latest')
      .selectAll()
      .where('account_id', '=', ids.main)
      .execute();
    expect(latest.length).toBeGreaterThan(10);
    const account = { account: SELLER, region: 'na' };
    for (const f of latest) {
      const labels: Record<string, string> = {
        ...account,
        marketplace: f.marketplace_id,
        metric: f.metric,
        channel: f.channel,
        ...(f.window_days === null ? {} : { window_days: String(f.window_days) }),
      };
      if (f.rate !== null) expect(sample(families, 'good_standing_metric_rate', labels)).toBe(f.rate);
      if (f.target_value !== null) {
        expect(sample(families, 'good_standing_metric_target', labels)).toBe(f.target_value);
      }
    }
    // The seeded account's order defect rate (merchant fulfilled), from the second report.
    const odr = latest.find(
      (f) => f.marketplace_id === US && f.metric === 'order_defect_rate' && f.channel === 'mfn',
    )!;
    expect(odr.captured_at.toISOString()).toBe('2026-02-15T06:00:00.000Z');
    const odrLabels = {
      ...account,
      marketplace: US,
      metric: 'order_defect_rate',
      channel: 'mfn',
      window_days: String(odr.window_days),
    };
    expect(sample(families, 'good_standing_metric_rate', odrLabels)).toBe(odr.rate);
    expect(sample(families, 'good_standing_metric_breached', odrLabels)).toBe(
      odr.rate! >= odr.target_value! ? 1 : 0,
    );
    // No window label where Amazon gives one window: no empty label value either.
    for (const s of families.get('good_standing_metric_rate')!.samples) {
      expect(Object.values(s.labels).every((v) => v !== '')).toBe(true);
    }

    const marketplaces = await t.db.selectFrom('account_marketplaces').selectAll().execute();
    for (const m of marketplaces.filter((x) => x.account_id === ids.main)) {
      const labels = { ...account, marketplace: m.marketplace_id };
      expect(sample(families, 'good_standing_ahr_score', labels)).toBe(m.ahr_score);
      expect(sample(families, 'good_standing_account_status', { ...labels, status: m.account_status! })).toBe(
        1,
      );
      expect(sample(families, 'good_standing_last_report_timestamp_seconds', labels)).toBe(
        m.last_report_at!.getTime() / 1000,
      );
      expect(
        families
          .get('good_standing_marketplace_standing')!
          .samples.filter((s) => s.labels.account === SELLER && s.labels.marketplace === m.marketplace_id),
      ).toHaveLength(1);
    }
    // The account with no report yet: its marketplace is unknown, and it has no figures.
    expect(
      sample(families, 'good_standing_marketplace_standing', {
        account: OTHER,
        marketplace: US,
        standing: 'unknown',
      }),
    ).toBe(1);
    expect(families.get('good_standing_metric_rate')!.samples.some((s) => s.labels.account === OTHER)).toBe(
      false,
    );

    // The name only on the info series, escaped and read back whole.
    expect(sample(families, 'good_standing_account_info', { ...account, name: NAME })).toBe(1);
    expect(
      sample(families, 'good_standing_account_connection_state', { ...account, state: 'connected' }),
    ).toBe(1);
    expect(sample(families, 'good_standing_last_successful_poll_timestamp_seconds', account)).toBe(
      Date.parse('2026-03-01T06:00:12.345Z') / 1000,
    );
    expect(
      families
        .get('good_standing_last_successful_poll_timestamp_seconds')!
        .samples.some((s) => s.labels.account === OTHER),
    ).toBe(false);
    for (const [name, family] of families) {
      if (!name.startsWith('good_standing_') || name === 'good_standing_account_info') continue;
      for (const s of family.samples) expect(s.labels.name, name).toBeUndefined();
    }
  });

  it('counts unresolved alerts, polls, throttles and the outbox', async () => {
    const families = await metrics();
    const main = { account: SELLER, region: 'na' };
    const other = { account: OTHER, region: 'na' };
    expect(
      sample(families, 'good_standing_open_alerts', { ...main, severity: 'critical', state: 'open' }),
    ).toBe(2);
    expect(
      sample(families, 'good_standing_open_alerts', { ...main, severity: 'warning', state: 'acknowledged' }),
    ).toBe(1);
    expect(sample(families, 'good_standing_open_alerts', { ...main, severity: 'info', state: 'open' })).toBe(
      0,
    );
    expect(
      sample(families, 'good_standing_open_alerts', { ...other, severity: 'warning', state: 'open' }),
    ).toBe(1);
    expect(sumOf(families, 'good_standing_open_alerts', { severity: 'critical' })).toBe(2);
    expect(sumOf(families, 'good_standing_open_alerts', { severity: 'warning' })).toBe(2);
    expect(sumOf(families, 'good_standing_open_alerts', {})).toBe(4);
    expect(families.get('good_standing_open_alerts')!.samples).toHaveLength(2 * 3 * 2);

    expect(families.get('good_standing_polls_total')!.type).toBe('counter');
    expect(sample(families, 'good_standing_polls_total', { ...main, status: 'succeeded' })).toBe(3);
    expect(sample(families, 'good_standing_polls_total', { ...main, status: 'failed' })).toBe(1);
    expect(sample(families, 'good_standing_polls_total', { ...main, status: 'abandoned' })).toBe(0);
    expect(sample(families, 'good_standing_polls_total', { ...other, status: 'failed' })).toBe(1);
    expect(sample(families, 'good_standing_poll_throttles_total', main)).toBe(7);
    expect(sample(families, 'good_standing_poll_throttles_total', other)).toBe(0);
    expect(sample(families, 'good_standing_polls_in_flight', { status: 'queued' })).toBe(1);
    expect(sample(families, 'good_standing_polls_in_flight', { status: 'running' })).toBe(1);
    expect(sample(families, 'good_standing_polls_in_flight', { status: 'waiting' })).toBe(0);

    expect(sample(families, 'good_standing_outbox_messages', { status: 'pending', channel: 'email' })).toBe(
      2,
    );
    expect(sample(families, 'good_standing_outbox_messages', { status: 'failed', channel: 'webhook' })).toBe(
      1,
    );
    expect(sample(families, 'good_standing_outbox_messages', { status: 'sending', channel: 'email' })).toBe(
      0,
    );
    expect(sumOf(families, 'good_standing_outbox_messages', {})).toBe(3);
    const age = sample(families, 'good_standing_outbox_oldest_pending_age_seconds', {});
    expect(age).toBeGreaterThanOrEqual(600);
    expect(age).toBeLessThan(600 + 120);
  });

  it('reads the database at each scrape, and scrapes at the same time agree', async () => {
    await t.db.updateTable('alerts').set({ state: 'resolved' }).where('account_id', '=', ids.other).execute();
    await sql`update outbox_messages set status = 'sent' where status = 'pending'`.execute(t.db);
    const [a, b] = await Promise.all([metrics(), metrics()]);
    for (const families of [a, b]) {
      expect(sumOf(families, 'good_standing_open_alerts', { account: OTHER })).toBe(0);
      expect(sample(families, 'good_standing_outbox_oldest_pending_age_seconds', {})).toBe(0);
    }
  });
});
