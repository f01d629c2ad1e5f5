import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseReportBytes } from '@good-standing/server/reports/parse-seller-performance.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '@good-standing/server/simulator/index.ts';
import { MARKETPLACE_IDS } from '@good-standing/server/simulator/marketplaces.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { adminToken, signInAs } from '../helpers/auth.ts';
import { spawnServerScript } from '../helpers/processes.ts';

// GET /api/accounts/:id/history.csv|.json and `pnpm cli history:export` over real Postgres: reports ingested as
// the poller stores them, plus two years of daily history written straight to the tables (more snapshots than a
// page holds, one captured at a microsecond). The CSV is parsed back with a strict RFC 4180 reader and every cell
// compared with the stored rows; the JSON must say the same.

const SELLER = 'A1EXPORTTEST9';
const US = MARKETPLACE_IDS.US;
const CA = MARKETPLACE_IDS.CA;
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5, 6);
const COLUMNS = [
  'captured_at',
  'marketplace_id',
  'source',
  'granularity',
  'metric',
  'channel',
  'window_days',
  'window_from',
  'window_to',
  'value',
  'numerator',
  'denominator',
  'status',
  'target_value',
  'target_condition',
] as const;
type Row = Record<(typeof COLUMNS)[number], string | number | null>;

let t: TestDatabase;
let app: FastifyInstance;
let accountId: string;
let auth: Record<string, string>;

/** A strict RFC 4180 reader: CRLF records, fields quoted when they must be, nothing left over. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`expected CRLF at ${i}`);
    i += 2;
    records.push(record);
    record = [];
    if (i === text.length) return records;
  }
}

/** A cell as the export must write it. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The rows the export must give, read independently from the tables: every snapshot in index order. */
async function expectedRows(filter: { from?: Date; until?: Date; metrics?: string[] } = {}): Promise<Row[]> {
  const snapshots = await t.db
    .selectFrom('health_snapshots')
    .select(['id', 'marketplace_id', 'captured_at', 'source', 'granularity', 'account_status', 'ahr_status'])
    .select('ahr_score')
    .where('account_id', '=', accountId)
    .$if(filter.from !== undefined, (q) => q.where('captured_at', '>=', filter.from!))
    .$if(filter.until !== undefined, (q) => q.where('captured_at', '<', filter.until!))
    .orderBy('marketplace_id')
    .orderBy('captured_at')
    .orderBy('source')
    .orderBy('granularity')
    .execute();
  const figures = await t.db
    .selectFrom('metric_snapshots')
    .selectAll()
    .where('snapshot_id', 'in', snapshots.length ? snapshots.map((s) => s.id) : ['0'])
    .execute();
  const bySnapshot = new Map<string, typeof figures>();
  for (const f of figures) bySnapshot.set(f.snapshot_id, [...(bySnapshot.get(f.snapshot_id) ?? []), f]);
  const wanted = (metric: string) => !filter.metrics || filter.metrics.includes(metric);
  const rows: Row[] = [];
  for (const s of snapshots) {
    const base = {
      captured_at: s.captured_at.toISOString(),
      marketplace_id: s.marketplace_id,
      source: s.source,
      granularity: s.granularity,
    };
    const empty = {
      channel: 'all',
      window_days: null,
      window_from: null,
      window_to: null,
      numerator: null,
      denominator: null,
      target_value: null,
      target_condition: null,
    };
    const mine: Row[] = [];
    if (wanted('account_status') && s.account_status !== null) {
      mine.push({ ...base, ...empty, metric: 'account_status', value: null, status: s.account_status });
    }
    if (wanted('ahr_score') && (s.ahr_score !== null || s.ahr_status !== null)) {
      mine.push({ ...base, ...empty, metric: 'ahr_score', value: s.ahr_score, status: s.ahr_status });
    }
    for (const f of bySnapshot.get(s.id) ?? []) {
      if (!wanted(f.metric)) continue;
      mine.push({
        ...base,
        metric: f.metric,
        channel: f.channel,
        window_days: f.window_days,
        window_from: f.window_from?.toISOString() ?? null,
        window_to: f.window_to?.toISOString() ?? null,
        value: f.rate,
        numerator: f.numerator,
        denominator: f.denominator,
        status: f.status,
        target_value: f.target_value,
        target_condition: f.target_condition,
      });
    }
    const text = (v: string | number | null) => String(v);
    mine.sort(
      (a, b) =>
        (text(a.metric) < text(b.metric) ? -1 : text(a.metric) > text(b.metric) ? 1 : 0) ||
        (text(a.channel) < text(b.channel) ? -1 : text(a.channel) > text(b.channel) ? 1 : 0) ||
        ((a.window_days as number | null) ?? -1) - ((b.window_days as number | null) ?? -1),
    );
    rows.push(...mine);
  }
  return rows;
}

async function get(url: string, headers: Record<string, string> = auth) {
  return app.inject({ method: 'GET', url, headers });
}

async function csvOf(query = ''): Promise<{ header: string[]; rows: string[][]; body: string }> {
  const res = await get(`/api/accounts/${accountId}/history.csv${query}`);
  expect(res.statusCode, res.body).toBe(200);
  const [header, ...rows] = parseCsv(res.body);
  return { header: header!, rows, body: res.body };
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  app = await buildApp(
    loadConfig({
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
      SPAPI_CLIENT_ID: DEMO_CLIENT_ID,
      SPAPI_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      // Nothing is polled here: the history is written below.
      SPAPI_ENDPOINT: 'http://127.0.0.1:9',
    }),
    { database: t, web: false, schedule: false },
  );
  auth = { authorization: `Bearer ${await adminToken(app)}` };
  const account = await t.db
    .insertInto('seller_accounts')
    .values({ seller_id: SELLER, name: 'Export Co.', region: 'na', poll_enabled: false })
    .returning('id')
    .executeTakeFirstOrThrow();
  accountId = account.id;

  // Reports as the poller stores them: two marketplaces a report, twice on the first day, then every other day.
  for (const [day, hours] of [
    [0, 0],
    [0, 6],
    [2, 0],
    [4, 0],
    [6, 0],
    [8, 0],
  ] as const) {
    const at = new Date(START + day * DAY_MS + hours * 3_600_000);
    const bytes = Buffer.from(
      JSON.stringify(generateSellerPerformanceReport('odr-drift', SELLER, [US, CA], day, at)),
    );
    const report = parseReportBytes(bytes);
    await ingestReport(t.db, {
      accountId,
      bytes,
      amazonReportId: null,
      amazonDocumentId: null,
      marketplaceIds: [US, CA],
      capturedAt: at,
      parsed: { ok: true, report },
    });
  }
  // Two years of daily history before the reports, in both marketplaces (1,460 snapshots: three pages), as a
  // Data Kiosk backfill would leave it: a rating and two figures a day.
  await sql`insert into health_snapshots (account_id, marketplace_id, captured_at, source, granularity, ahr_score)
    select ${accountId}::uuid, m, ${new Date(START - 731 * DAY_MS)}::timestamptz + d * interval '1 day',
      'data_kiosk', 'day', 200 + (d % 50)
    from generate_series(0, 729) d, unnest(array[${US}, ${CA}]) m`.execute(t.db);
  await sql`insert into metric_snapshots (snapshot_id, metric, channel, window_days, rate, numerator, denominator,
      status, target_value, target_condition, window_from, window_to)
    select h.id, x.metric, x.channel, 60, (h.id % 97) / 10000.0 + 0.000123456789, (h.id % 7)::int, 700,
      'GOOD', 0.01, 'LESS_THAN', h.captured_at - interval '60 days', h.captured_at
    from health_snapshots h, (values ('order_defect_rate', 'mfn'), ('order_defect_rate', 'afn')) x(metric, channel)
    where h.account_id = ${accountId} and h.source = 'data_kiosk'`.execute(t.db);
  // The last snapshot of the first page (500) captured at a microsecond: the next page must start after it, not at
  // it again (JavaScript's dates keep milliseconds).
  await sql`update health_snapshots set captured_at = captured_at + interval '0.000123 seconds'
    where id = (select id from health_snapshots where account_id = ${accountId}
      order by marketplace_id, captured_at, source, granularity offset 499 limit 1)`.execute(t.db);
  // Text a spreadsheet would run, and text that needs quoting, as Amazon could send it.
  await sql`update metric_snapshots set status = '=HYPERLINK("http://example.com","x")',
      target_condition = ${'LESS,"THAN"\r\nOR -EQUAL'}
    where snapshot_id = (select min(id) from health_snapshots where account_id = ${accountId} and source = 'report')
      and metric = 'order_defect_rate'`.execute(t.db);
  await sql`update health_snapshots set account_status = '@AT_RISK', ahr_status = '+GOOD'
    where id = (select max(id) from health_snapshots where account_id = ${accountId} and source = 'report')`.execute(
    t.db,
  );
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

describe('GET /api/accounts/:id/history.csv', () => {
  it('gives every stored figure, status and rating, one row each, as valid RFC 4180 with CRLF', async () => {
    const res = await get(`/api/accounts/${accountId}/history.csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    const today = new Date().toISOString().slice(0, 10);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="${SELLER}-history-start-${today}.csv"`,
    );
    expect(res.headers['cache-control']).toBe('private, no-store');
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual([...COLUMNS]);
    const expected = await expectedRows();
    // More snapshots than a page holds, and every kind of row.
    expect(expected.length).toBeGreaterThan(4_000);
    const metrics = new Set(expected.map((r) => r.metric));
    for (const m of ['account_status', 'ahr_score', 'order_defect_rate', 'late_shipment_rate']) {
      expect(metrics.has(m), m).toBe(true);
    }
    expect(rows).toHaveLength(expected.length);
    for (const [i, row] of rows.entries()) {
      const want = expected[i]!;
      for (const [j, column] of COLUMNS.entries()) {
        if (row[j] !== cell(want[column])) {
          expect(`${i} ${column}: ${row[j]}`).toBe(`${i} ${column}: ${cell(want[column])}`);
        }
      }
      expect(row).toHaveLength(COLUMNS.length);
    }
    // Numbers round-trip exactly.
    const odr = rows.find((r) => r[4] === 'order_defect_rate' && r[2] === 'data_kiosk')!;
    expect(Number(odr[9])).toBe(
      expected.find((e) => e.captured_at === odr[0] && e.metric === 'order_defect_rate')!.value,
    );
  });

  it('quotes what needs quoting and defuses what a spreadsheet would run', async () => {
    const { rows, body } = await csvOf();
    expect(body).toContain('"\'=HYPERLINK(""http://example.com"",""x"")"');
    expect(body).toContain('"LESS,""THAN""\r\nOR -EQUAL"');
    const defused = rows.find((r) => r[12]!.startsWith("'=HYPERLINK"))!;
    expect(defused[12]).toBe(`'=HYPERLINK("http://example.com","x")`);
    expect(defused[14]).toBe('LESS,"THAN"\r\nOR -EQUAL');
    expect(rows.some((r) => r[4] === 'account_status' && r[12] === "'@AT_RISK")).toBe(true);
    expect(rows.some((r) => r[4] === 'ahr_score' && r[12] === "'+GOOD")).toBe(true);
  });

  it('keeps the days and metrics asked for', async () => {
    const from = new Date(START - 10 * DAY_MS).toISOString().slice(0, 10);
    const to = new Date(START + 4 * DAY_MS).toISOString().slice(0, 10);
    const res = await get(
      `/api/accounts/${accountId}/history.csv?from=${from}&to=${to}&metrics=order_defect_rate,ahr_score`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="${SELLER}-history-${from}-${to}.csv"`,
    );
    const [, ...rows] = parseCsv(res.body);
    const expected = await expectedRows({
      from: new Date(`${from}T00:00:00Z`),
      until: new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS),
      metrics: ['order_defect_rate', 'ahr_score'],
    });
    expect(rows.map((r) => r.join('|'))).toEqual(
      expected.map((e) => COLUMNS.map((c) => cell(e[c])).join('|')),
    );
    expect(new Set(rows.map((r) => r[4]))).toEqual(new Set(['order_defect_rate', 'ahr_score']));
    // `to` is the whole day: the reports of day 4 are in, day 6's are not.
    const days = new Set(rows.map((r) => r[0]!.slice(0, 10)));
    expect(days.has(to)).toBe(true);
    expect([...days].every((d) => d >= from && d <= to)).toBe(true);

    const one = await csvOf(`?metrics=account_status&from=${to}&to=${to}`);
    expect(one.rows.length).toBe(2);
    expect(one.rows.every((r) => r[4] === 'account_status' && r[9] === '')).toBe(true);
    const none = await csvOf('?from=2020-01-01&to=2020-01-31');
    expect(none.rows).toEqual([]);
    expect(none.body).toBe(`${COLUMNS.join(',')}\r\n`);
  });

  it('refuses a bad day, a reversed range and an unknown metric with 400, an unknown account with 404', async () => {
    const base = `/api/accounts/${accountId}/history.csv`;
    const cases: Array<[string, RegExp]> = [
      ['?from=2026-02-30', /`from` must be a date as YYYY-MM-DD/],
      ['?to=yesterday', /`to` must be a date as YYYY-MM-DD/],
      ['?from=2026-03-02T00:00:00Z', /`from` must be a date/],
      ['?from=2026-03-02&to=2026-03-01', /`from` \(2026-03-02\) is after `to` \(2026-03-01\)/],
      [
        '?metrics=order_defect_rate,odr',
        /unknown metric "odr"; known metrics: account_status, ahr_score, .*order_defect_rate/,
      ],
    ];
    for (const [query, message] of cases) {
      const res = await get(`${base}${query}`);
      expect(res.statusCode, query).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message).toMatch(message);
    }
    const missing = await get('/api/accounts/00000000-0000-4000-8000-000000000000/history.json');
    expect(missing.statusCode).toBe(404);
  });

  it('is refused to a signed-out request, and given to a signed-in viewer', async () => {
    for (const format of ['csv', 'json']) {
      const res = await get(`/api/accounts/${accountId}/history.${format}`, {});
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain('order_defect_rate');
    }
    const viewer = await signInAs(app, 'viewer');
    const res = await get(`/api/accounts/${accountId}/history.csv?metrics=ahr_score`, {
      cookie: viewer.cookie,
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('is in the API reference, with its query', async () => {
    const doc = (await get('/api/docs/json')).json() as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }>;
    };
    for (const format of ['csv', 'json']) {
      const names = doc.paths[`/api/accounts/{id}/history.${format}`]?.get?.parameters?.map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['id', 'from', 'to', 'metrics', 'marketplace']));
    }
  });

  it('is gzip-compressed when the client takes it', async () => {
    const plain = await get(`/api/accounts/${accountId}/history.csv`);
    const zipped = await get(`/api/accounts/${accountId}/history.csv`, {
      ...auth,
      'accept-encoding': 'gzip',
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
    expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
  });
});

describe('GET /api/accounts/:id/history.json', () => {
  it('is a JSON array of the same rows, typed, equal to the CSV', async () => {
    for (const query of ['', '?from=2025-06-01&to=2026-01-09&metrics=order_defect_rate,account_status']) {
      const res = await get(`/api/accounts/${accountId}/history.json${query}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        new RegExp(`^attachment; filename="${SELLER}-history-[\\w-]+\\.json"$`),
      );
      const json = JSON.parse(res.body) as Row[];
      const { rows } = await csvOf(query);
      expect(json.length).toBe(rows.length);
      expect(json.map((r) => COLUMNS.map((c) => cell(r[c])))).toEqual(rows);
      for (const r of json) expect(Object.keys(r)).toEqual([...COLUMNS]);
    }
    const typed = JSON.parse((await get(`/api/accounts/${accountId}/history.json`)).body) as Row[];
    expect(typed).toEqual(await expectedRows());
    const empty = await get(`/api/accounts/${accountId}/history.json?to=2020-01-01`);
    expect(empty.body).toBe('[]\n');
  });
});

describe('pnpm cli history:export', () => {
  async function cli(args: string[]) {
    const proc = spawnServerScript(
      'cli.ts',
      ['history:export', ...args],
      { LOG_LEVEL: 'warn', DATABASE_URL: t.url! },
      t.dataDir,
    );
    const { code } = await proc.exited;
    return { code, output: proc.output() };
  }

  it('writes the same CSV to standard output and the same JSON to a file, and refuses bad input in one line', async () => {
    const query = '?from=2026-01-01&metrics=order_defect_rate,ahr_score';
    const csv = await cli([
      '--account',
      SELLER,
      '--from',
      '2026-01-01',
      '--metrics',
      'order_defect_rate,ahr_score',
    ]);
    expect(csv.code, csv.output).toBe(0);
    expect(csv.output).toBe((await csvOf(query)).body);

    const out = path.join(t.dataDir, 'history.json');
    const json = await cli(['--account', accountId, '--out', out]);
    expect(json.code, json.output).toBe(0);
    expect(json.output).toContain(`wrote ${out}`);
    expect(await readFile(out, 'utf8')).toBe((await get(`/api/accounts/${accountId}/history.json`)).body);

    const bad = await cli(['--account', SELLER, '--to', '2026-02-30']);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/^error: `to` must be a date as YYYY-MM-DD/m);
    const unknown = await cli(['--account', SELLER, '--metrics', 'odr']);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/^error: unknown metric "odr"; known metrics: /m);
    const nobody = await cli(['--account', 'A0NOBODY']);
    expect(nobody.code).toBe(1);
    expect(nobody.output).toMatch(/^error: no account A0NOBODY$/m);
  });
});
