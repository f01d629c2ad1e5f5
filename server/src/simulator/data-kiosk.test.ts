import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startSimulator, USAGE_PLANS } from './index.ts';
import type { QueryView, RunningSimulator } from './index.ts';
import { accessTokenFor, call, sleep, spApi } from './test-client.ts';
import { jsonLinesChunks } from './data-kiosk-store.ts';

const QUERIES = '/dataKiosk/2023-11-15/queries';
const DOCUMENTS = '/dataKiosk/2023-11-15/documents';
const BASE = new Date('2025-06-02T10:00:00Z');
const demo = (scenario: string) => DEMO_ACCOUNTS.find((a) => a.scenario === scenario)!;
const drift = demo('odr-drift');
const newSeller = demo('new-seller');

function query(startDate: string, endDate: string, marketplaceId = drift.marketplaceIds[0]!): string {
  return (
    `query { analytics_sellerAnalytics_2025_03_31 { sellerAnalyticsView(startDate: "${startDate}" ` +
    `endDate: "${endDate}" aggregateBy: DAY marketplaceId: ["${marketplaceId}"]) { startDate endDate ` +
    'metrics { groupByKey { marketplaceId } metrics { accountHealth { accountHealthRatingScore { value } ' +
    'accountHealthOrderDefectRate { value } accountHealthLateShipmentRate { value } } } } } } }'
  );
}

describe('Data Kiosk API 2023-11-15', () => {
  let sim: RunningSimulator;
  let token: string;
  let clock: Date;
  beforeEach(async () => {
    clock = BASE;
    sim = await startSimulator({
      reportProcessingMs: 5000,
      dataKioskProcessingMs: 150,
      rateScale: 1000,
      now: () => clock,
    });
    sim.state.advanceClock({ days: 10 });
    token = await accessTokenFor(sim, drift.refreshToken);
  });
  afterEach(async () => {
    await sim.close();
  });

  const create = (body: unknown, as = token, region: 'na' | 'eu' = 'na') =>
    spApi(sim, as, { method: 'POST', path: QUERIES, body, region });
  const get = async (queryId: string, as = token, region: 'na' | 'eu' = 'na'): Promise<QueryView> => {
    const res = await spApi(sim, as, { path: `${QUERIES}/${queryId}`, region });
    expect(res.status).toBe(200);
    return res.json<QueryView>();
  };
  const finished = async (queryId: string, as = token, region: 'na' | 'eu' = 'na') => {
    const seen: string[] = [];
    let view = await get(queryId, as, region);
    const deadline = Date.now() + 3000;
    while (['IN_QUEUE', 'IN_PROGRESS'].includes(view.processingStatus) && Date.now() < deadline) {
      seen.push(view.processingStatus);
      await sleep(20);
      view = await get(queryId, as, region);
    }
    return { view, seen };
  };
  const download = async (documentId: string, as = token, region: 'na' | 'eu' = 'na') => {
    const res = await spApi(sim, as, { path: `${DOCUMENTS}/${encodeURIComponent(documentId)}`, region });
    expect(res.status).toBe(200);
    const { documentUrl } = res.json<{ documentId: string; documentUrl: string }>();
    const url = new URL(documentUrl);
    return { documentUrl, file: await call(sim, { path: url.pathname + url.search, host: url.host }) };
  };

  it('runs a query IN_QUEUE -> IN_PROGRESS -> DONE and serves its JSON Lines document', async () => {
    const text = query('2025-06-05', '2025-06-11');
    const created = await create({ query: text });
    expect(created.status).toBe(202);
    expect(created.headers['x-amzn-ratelimit-limit']).toBe(String(0.0167 * 1000));
    const { queryId } = created.json<{ queryId: string }>();
    expect(queryId).toMatch(/^\d+$/);

    const { view, seen } = await finished(queryId);
    expect(seen[0]).toBe('IN_QUEUE');
    expect(seen).toContain('IN_PROGRESS');
    expect(view).toEqual({
      queryId,
      query: text,
      createdTime: '2025-06-12T10:00:00.000Z',
      processingStatus: 'DONE',
      processingStartTime: '2025-06-12T10:00:00.050Z',
      processingEndTime: '2025-06-12T10:00:00.150Z',
      dataDocumentId: expect.stringMatching(/^amzn1\.spdoc\./),
    });

    const { documentUrl, file } = await download(view.dataDocumentId!);
    expect(documentUrl).toMatch(
      /^https:\/\/tortuga-prod-na\.s3-external-1\.amazonaws\.com\/[0-9a-f]{32}\/amzn1\.spdoc\./,
    );
    expect(documentUrl).toContain('X-Amz-Expires=300');
    expect(file.status).toBe(200);
    expect(file.headers['content-encoding']).toBeUndefined();
    const lines = file.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { startDate: string });
    expect(lines.map((l) => l.startDate)).toEqual([
      '2025-06-05',
      '2025-06-06',
      '2025-06-07',
      '2025-06-08',
      '2025-06-09',
      '2025-06-10',
      '2025-06-11',
    ]);
    expect(lines[0]).toEqual({
      startDate: '2025-06-05',
      endDate: '2025-06-05',
      metrics: [
        {
          groupByKey: { marketplaceId: drift.marketplaceIds[0] },
          metrics: {
            accountHealth: {
              accountHealthRatingScore: { value: expect.any(Number) },
              accountHealthOrderDefectRate: { value: expect.any(Number) },
              accountHealthLateShipmentRate: { value: expect.any(Number) },
            },
          },
        },
      ],
    });
    // The control API answers with the rows a query created now would serve.
    const control = await call(sim, {
      path: `/_sim/accounts/${drift.sellerId}/data-kiosk?query=${encodeURIComponent(text)}`,
    });
    expect(control.json()).toEqual({ rows: lines });
    const full = await call(sim, {
      path: `/_sim/accounts/${drift.sellerId}/data-kiosk?startDate=2025-06-10&endDate=2025-06-11&groupBy=fulfilmentChannel`,
    });
    const rows = full.json<{ rows: { metrics: { groupByKey: unknown }[] }[] }>().rows;
    expect(rows).toHaveLength(2);
    expect(rows[0]?.metrics.map((m) => m.groupByKey)).toEqual([
      { marketplaceId: drift.marketplaceIds[0], fulfilmentChannel: 'FBA' },
      { marketplaceId: drift.marketplaceIds[0], fulfilmentChannel: 'FBM' },
    ]);

    // Document URLs expire after five virtual minutes, like report documents.
    clock = new Date(BASE.getTime() + 6 * 60_000);
    const expired = await call(sim, {
      path: new URL(documentUrl).pathname + new URL(documentUrl).search,
      host: new URL(documentUrl).host,
    });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Request has expired');
  });

  it("streams a benchmark's large document, written anew for each download", async () => {
    const set = (documentLines: unknown) =>
      call(sim, {
        method: 'POST',
        path: `/_sim/accounts/${drift.sellerId}/data-kiosk`,
        body: { documentLines },
      });
    expect((await set(0)).status).toBe(400);
    expect((await set(2.5)).status).toBe(400);
    expect((await set(1500)).json()).toEqual({ sellerId: drift.sellerId, documentLines: 1500 });
    const text = query('2025-06-05', '2025-06-11');
    sim.state.injectFault({ type: 'content-encoding', operation: 'createQuery' });
    const gzipped = await finished((await create({ query: text })).json<{ queryId: string }>().queryId);
    const plain = await finished((await create({ query: text })).json<{ queryId: string }>().queryId);
    // Set after the queries were created: what they answer was fixed then.
    expect((await set(null)).json()).toEqual({ sellerId: drift.sellerId, documentLines: null });

    const { file } = await download(plain.view.dataDocumentId!);
    expect(file.headers['content-length']).toBeUndefined();
    expect(file.headers['transfer-encoding']).toBe('chunked');
    const lines = file.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { startDate: string; endDate: string });
    // One line a day, oldest first, past Amazon's two years, ending on the query's last day.
    expect(lines).toHaveLength(1500);
    expect(lines[0]?.startDate).toBe('2021-05-04');
    expect(lines.at(-1)?.endDate).toBe('2025-06-11');
    expect(new Set(lines.map((l) => l.startDate)).size).toBe(1500);
    expect(lines.slice(-7)).toEqual(
      (sim.state.dataKioskRows(drift.sellerId, text) as { rows: unknown[] }).rows,
    );
    expect((await download(plain.view.dataDocumentId!)).file.text).toBe(file.text);

    const encoded = (await download(gzipped.view.dataDocumentId!)).file;
    expect(encoded.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(encoded.body).toString('utf8')).toBe(file.text);
  });

  it('ends DONE without a document when there is no data', async () => {
    const eu = await accessTokenFor(sim, newSeller.refreshToken);
    // The new seller's first orders are on day 5, and the history ends yesterday.
    for (const [from, to] of [
      ['2025-05-01', '2025-06-06'],
      ['2025-06-12', '2025-06-30'],
    ] as const) {
      const created = await create({ query: query(from, to, newSeller.marketplaceIds[0]) }, eu, 'eu');
      const { view } = await finished(created.json<{ queryId: string }>().queryId, eu, 'eu');
      expect(view.processingStatus).toBe('DONE');
      expect(view.dataDocumentId).toBeUndefined();
      expect(view.errorDocumentId).toBeUndefined();
    }
  });

  it('ends FATAL with an error document for a query it does not understand or a start over two years back', async () => {
    const tooOld = await create({ query: query('2023-01-01', '2023-01-31') });
    const unknownField = await create({
      query: query('2025-06-01', '2025-06-02').replace('accountHealthRatingScore', 'accountHealthScore'),
    });
    for (const [created, message] of [
      [
        tooOld,
        'The start date must be no more than two years ago: startDate 2023-01-01 is before 2023-06-12.',
      ],
      [
        unknownField,
        'Validation error (FieldUndefined@[analytics_sellerAnalytics_2025_03_31/sellerAnalyticsView/metrics/metrics/' +
          "accountHealth/accountHealthScore]) : Field 'accountHealthScore' in type 'AccountHealth' is undefined",
      ],
    ] as const) {
      expect(created.status).toBe(202);
      const { view } = await finished(created.json<{ queryId: string }>().queryId);
      expect(view.processingStatus).toBe('FATAL');
      expect(view.dataDocumentId).toBeUndefined();
      const { file } = await download(view.errorDocumentId!);
      expect(JSON.parse(file.text)).toEqual({ errors: [{ message }] });
    }
  });

  it('refuses with 400 what the model refuses at createQuery', async () => {
    const unsupported = await create({
      query:
        'query {invalidSampleQuery(startDate:"2023-03-01" endDate:"2023-03-31" marketplaceIds:["ATVPDKIKX0DER"]){sales{date averageSellingPrice{amount currencyCode}}}}',
    });
    expect(unsupported.status).toBe(400);
    expect(unsupported.json()).toEqual({
      errors: [
        {
          code: 'InvalidInput',
          message: 'The provided query is invalid.',
          details: "Query 'invalidSampleQuery' is not supported.",
        },
      ],
    });
    const broken = await create({ query: 'query { analytics_sellerAnalytics_2025_03_31 {' });
    expect(broken.status).toBe(400);
    expect(broken.json()).toMatchObject({
      errors: [{ code: 'InvalidInput', details: expect.stringContaining('Invalid Syntax') }],
    });
    for (const body of [
      {},
      { query: '' },
      { query: query('2025-06-01', '2025-06-02'), paginationToken: 'x' },
      [1],
    ]) {
      expect((await create(body)).status).toBe(400);
    }
    const long = `query { analytics_sellerAnalytics_2025_03_31 { sellerAnalyticsView(startDate: "${'x'.repeat(8001)}") { startDate } } }`;
    expect((await create({ query: long })).json()).toMatchObject({
      errors: [{ details: expect.stringContaining('8000') }],
    });
  });

  it('answers 403 Unauthorized to a seller without analytics rights', async () => {
    const denied = await call(sim, {
      method: 'POST',
      path: `/_sim/accounts/${drift.sellerId}/analytics`,
      body: { access: false },
    });
    expect(denied.json()).toEqual({ sellerId: drift.sellerId, analyticsAccess: false });
    const refused = await create({ query: query('2025-06-01', '2025-06-02') });
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({
      errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }],
    });
    const account = await call(sim, { path: `/_sim/accounts/${drift.sellerId}` });
    expect(account.json()).toMatchObject({ analyticsAccess: false });
    await call(sim, {
      method: 'POST',
      path: `/_sim/accounts/${drift.sellerId}/analytics`,
      body: { access: true },
    });
    expect((await create({ query: query('2025-06-01', '2025-06-02') })).status).toBe(202);

    const added = sim.state.addAccount({
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      scenario: 'healthy',
      analyticsAccess: false,
    });
    const other = await accessTokenFor(sim, added.refreshToken);
    expect((await create({ query: query('2025-06-01', '2025-06-02') }, other)).status).toBe(403);
  });

  it('cancels queries IN_QUEUE or IN_PROGRESS with 204, and not finished ones', async () => {
    sim.state.injectFault({ type: 'stuck', operation: 'createQuery', stage: 'IN_PROGRESS' });
    const stuck = (await create({ query: query('2025-06-01', '2025-06-02') })).json<{ queryId: string }>()
      .queryId;
    await sleep(80);
    expect((await get(stuck)).processingStatus).toBe('IN_PROGRESS');
    const cancel = await spApi(sim, token, { method: 'DELETE', path: `${QUERIES}/${stuck}` });
    expect(cancel.status).toBe(204);
    expect(cancel.body).toHaveLength(0);
    expect(await get(stuck)).toMatchObject({
      processingStatus: 'CANCELLED',
      processingStartTime: expect.any(String),
      processingEndTime: expect.any(String),
    });
    expect((await spApi(sim, token, { method: 'DELETE', path: `${QUERIES}/${stuck}` })).status).toBe(204);

    const done = (await create({ query: query('2025-06-01', '2025-06-02') })).json<{ queryId: string }>()
      .queryId;
    await finished(done);
    const late = await spApi(sim, token, { method: 'DELETE', path: `${QUERIES}/${done}` });
    expect(late.status).toBe(400);
    expect(late.json()).toMatchObject({ errors: [{ code: 'InvalidInput' }] });
    const missing = await spApi(sim, token, { method: 'DELETE', path: `${QUERIES}/123` });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      errors: [{ code: 'NotFound', message: 'The provided queryId was not found.', details: '' }],
    });
    // Another seller's query is not found either.
    const eu = await accessTokenFor(sim, newSeller.refreshToken);
    expect((await spApi(sim, eu, { path: `${QUERIES}/${done}`, region: 'eu' })).status).toBe(404);
  });

  it('lists queries newest first, filtered by status, page by page', async () => {
    sim.state.injectFault({ type: 'stuck', operation: 'createQuery', stage: 'IN_QUEUE' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await create({ query: query('2025-06-01', '2025-06-02') })).json<{ queryId: string }>().queryId,
      );
    }
    await finished(ids[2]!);
    const page1 = await spApi(sim, token, { path: `${QUERIES}?processingStatuses=DONE&pageSize=1` });
    const first = page1.json<{ queries: QueryView[]; pagination?: { nextToken: string } }>();
    expect(first.queries.map((q) => q.queryId)).toEqual([ids[2]]);
    const page2 = await spApi(sim, token, {
      path: `${QUERIES}?processingStatuses=DONE&pageSize=1&paginationToken=${encodeURIComponent(first.pagination!.nextToken)}`,
    });
    const second = page2.json<{ queries: QueryView[]; pagination?: unknown }>();
    expect(second.queries.map((q) => q.queryId)).toEqual([ids[1]]);
    expect(second.pagination).toBeUndefined();
    const queued = await spApi(sim, token, { path: `${QUERIES}?processingStatuses=IN_QUEUE` });
    expect(queued.json<{ queries: QueryView[] }>().queries.map((q) => q.queryId)).toEqual([ids[0]]);
    const bad = await spApi(sim, token, { path: `${QUERIES}?processingStatuses=INVALID_STATUS` });
    expect(bad.status).toBe(400);
    expect(bad.json<{ errors: { message: string }[] }>().errors[0]?.message).toContain(
      "Value '[INVALID_STATUS]'",
    );
    // Queries are kept 30 days.
    sim.state.advanceClock({ days: 31 });
    token = await accessTokenFor(sim, drift.refreshToken);
    expect((await spApi(sim, token, { path: `${QUERIES}/${ids[2]}` })).status).toBe(404);
  });

  it('applies usage plans and injected faults to the Data Kiosk operations', async () => {
    const throttled = await startSimulator({ dataKioskProcessingMs: 0 });
    try {
      const t = await accessTokenFor(throttled, drift.refreshToken);
      const statuses: number[] = [];
      for (let i = 0; i < USAGE_PLANS.createQuery.burst + 1; i++) {
        const res = await spApi(throttled, t, {
          method: 'POST',
          path: QUERIES,
          body: { query: query('2025-06-01', '2025-06-01') },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.json()).toEqual({
            errors: [
              {
                code: 'QuotaExceeded',
                message: 'You exceeded your quota for the requested resource.',
                details: '',
              },
            ],
          });
          expect(res.headers['x-amzn-ratelimit-limit']).toBe('0.0167');
        }
      }
      expect(statuses).toEqual([...Array<number>(15).fill(202), 429]);
      expect(throttled.state.counters().throttledByOperation).toEqual({ createQuery: 1 });
    } finally {
      await throttled.close();
    }

    sim.state.injectFault({ type: 'throttle', operation: 'getQuery' });
    const id = (await create({ query: query('2025-06-01', '2025-06-02') })).json<{ queryId: string }>()
      .queryId;
    expect((await spApi(sim, token, { path: `${QUERIES}/${id}` })).status).toBe(429);
    sim.state.injectFault({ type: 'error', status: 503, operation: 'getDocument' });
    const { view } = await finished(id);
    const failed = await spApi(sim, token, { path: `${DOCUMENTS}/${view.dataDocumentId}` });
    expect(failed.status).toBe(503);

    // Outcome and document faults bind to queries with operation createQuery, and only then.
    sim.state.injectFault({ type: 'fatal' });
    sim.state.injectFault({ type: 'fatal', operation: 'createQuery' });
    const fatal = await finished(
      (await create({ query: query('2025-06-01', '2025-06-02') })).json<{ queryId: string }>().queryId,
    );
    expect(fatal.view.processingStatus).toBe('FATAL');
    expect(JSON.parse((await download(fatal.view.errorDocumentId!)).file.text)).toEqual({
      errors: [{ message: 'An internal error occurred while processing the query. Please try again.' }],
    });
    expect(sim.state.faults.list().map((f) => [f.type, f.operation])).toEqual([['fatal', undefined]]);
    sim.state.clearFaults();

    sim.state.injectFault({ type: 'content-encoding', operation: 'createQuery' });
    const encoded = await finished(
      (await create({ query: query('2025-06-01', '2025-06-02') })).json<{ queryId: string }>().queryId,
    );
    const { file } = await download(encoded.view.dataDocumentId!);
    expect(file.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(file.body).toString('utf8').trimEnd().split('\n')).toHaveLength(2);
    expect(() => sim.state.injectFault({ type: 'gzip-mismatch', operation: 'createQuery' })).toThrow(
      /Data Kiosk documents/,
    );
  });
});

describe('jsonLinesChunks', () => {
  const rows = Array.from({ length: 3000 }, (_, i) => ({ line: i, padding: 'x'.repeat(40) }));

  it('writes the JSON Lines of a row stream in chunks of about 64 KB, whole lines each', () => {
    const chunks = [...jsonLinesChunks(rows, undefined)];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(chunk.endsWith('\n')).toBe(true);
    }
    expect(chunks.join('')).toBe(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
    expect([...jsonLinesChunks([], undefined)]).toEqual([]);
  });

  it('breaks the last line (malformed) or cuts the document in it (truncated)', () => {
    const text = (fault: 'malformed' | 'truncated') => [...jsonLinesChunks(rows.slice(0, 3), fault)].join('');
    const malformed = text('malformed').split('\n');
    expect(malformed).toHaveLength(4);
    expect(JSON.parse(malformed[1]!)).toEqual(rows[1]);
    expect(() => JSON.parse(malformed[2]!)).toThrow();
    const truncated = text('truncated');
    expect(truncated.endsWith('\n')).toBe(false);
    expect(truncated.split('\n')).toHaveLength(3);
    expect(JSON.stringify(rows[2]).startsWith(truncated.split('\n')[2]!)).toBe(true);
  });
});
