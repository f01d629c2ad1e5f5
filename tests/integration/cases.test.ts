import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail, CaseSummary, OpenedCase } from '@good-standing/server/api-types.ts';
import { readDocumentBody } from '@good-standing/server/documents/documents.repository.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { SECTION_KEYS, SECTION_TITLES } from '@good-standing/server/cases/model.ts';
import { percent } from '@good-standing/server/notifications/render/format.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { signInAs, type SignedIn } from '../helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';
import { spawnServerScript } from '../helpers/processes.ts';

// Reinstatement cases over real Postgres, with the poller reading the simulator over HTTP: the suspension story
// opens one case from the figures it ingested and a reinstatement confirms it; a case started from an order defect
// alert cites its numbers; editing, the notice, the deadline and the status are recorded in the timeline; the
// exports carry every section; and nobody signed out can read any of it.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let admin: SignedIn;
let viewer: SignedIn;
const ids: Record<string, string> = {};
const DAY_MS = 86_400_000;

async function call<T>(
  who: SignedIn,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
  status = 200,
): Promise<T> {
  const res = await app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.json() as T;
}

async function cases(accountId: string, state = 'all'): Promise<CaseSummary[]> {
  return call<CaseSummary[]>(viewer, 'GET', `/api/cases?account=${accountId}&state=${state}`);
}

/** Polls the seller through the simulator and evaluates what the poll stored, as the running app does. */
async function pollAndEvaluate(accountId: string) {
  const [run] = await app.poller.pollNow([accountId]);
  expect(run).toMatchObject({ status: 'succeeded', outcome: 'ingested' });
  return app.alerts.pass();
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim, {}, 50);
  admin = await signInAs(app, 'admin');
  viewer = await signInAs(app, 'viewer');
  for (const scenario of ['suspension', 'odr-drift']) ids[scenario] = await connectDemoAccount(app, scenario);
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

describe('a suspension', () => {
  let caseId: string;

  it('opens exactly one case, whose figures are those of the report the poller ingested', async () => {
    const seller = demoSeller('suspension');
    sim.state.setScenario(seller.sellerId, 'suspension', 5);
    await pollAndEvaluate(ids.suspension!);
    // At risk is not a suspension: no case yet.
    expect(await cases(ids.suspension!)).toEqual([]);

    sim.state.advanceClock({ days: 5 });
    const events = await pollAndEvaluate(ids.suspension!);
    const critical = events.find((e) => e.rule === 'account_status' && e.severity === 'critical');
    expect(critical).toBeDefined();
    const list = await cases(ids.suspension!);
    expect(list).toHaveLength(1);
    caseId = list[0]!.id;
    expect(list[0]).toMatchObject({ origin: 'suspension', status: 'draft', alertId: critical!.alertId });
    expect(
      await call<CaseSummary[]>(viewer, 'GET', `/api/cases?alert=${critical!.alertId}&state=all`),
    ).toEqual([expect.objectContaining({ id: caseId })]);

    const detail = await call<CaseDetail>(viewer, 'GET', `/api/cases/${caseId}`);
    const stored = await t.db
      .selectFrom('report_documents')
      .select(['id', 'captured_at'])
      .where('account_id', '=', ids.suspension!)
      .orderBy('captured_at', 'desc')
      .executeTakeFirstOrThrow();
    const report = parseSellerPerformanceReport(
      JSON.parse((await readDocumentBody(t.db, stored.id))!.toString('utf8')),
    ).marketplaces[0]!;
    expect(detail.facts).toMatchObject({
      sellerId: seller.sellerId,
      marketplaceId: seller.marketplaceIds[0],
      accountStatus: 'DEACTIVATED',
      capturedAt: stored.captured_at.toISOString(),
      ahr: { score: report.ahrScore },
    });
    // Every rate of the report, with its counts, as Amazon gave them.
    const figures = (f: {
      metric: string;
      channel: string;
      rate: number | null;
      numerator: number | null;
      denominator: number | null;
    }) => `${f.metric}:${f.channel}:${f.rate}:${f.numerator}:${f.denominator}`;
    expect(detail.facts.figures.map(figures).sort()).toEqual(report.rates.map(figures).sort());
    // The policies with violations, with their counts.
    const violated = report.policies.filter((p) => (p.count ?? 0) > 0);
    expect(violated.length).toBeGreaterThan(0);
    for (const p of violated) {
      expect(detail.facts.policies).toContainEqual(
        expect.objectContaining({ category: p.category, count: p.count }),
      );
    }
    expect(detail.facts.causes).toContain('authenticity');
    const authenticity = report.policies.find(
      (p) => p.category === 'product_authenticity_customer_complaints',
    )!;
    expect(detail.sections.root_cause).toContain(String(authenticity.count));
    expect(detail.events.map((e) => e.type)).toEqual(['opened']);
    expect(detail.checklist.filter((i) => i.group === 'damage').length).toBeGreaterThanOrEqual(5);
  });

  it('does not open a second case on the next polls', async () => {
    sim.state.advanceClock({ days: 1 });
    await pollAndEvaluate(ids.suspension!);
    sim.state.advanceClock({ days: 1 });
    await pollAndEvaluate(ids.suspension!);
    expect((await cases(ids.suspension!)).map((c) => c.id)).toEqual([caseId]);
  });

  it("records the reinstatement when Amazon's data shows the marketplace back to NORMAL, and says so by email", async () => {
    const seller = demoSeller('suspension');
    await call(viewer, 'POST', `/api/cases/${caseId}/status`, { status: 'ready' });
    await call(viewer, 'POST', `/api/cases/${caseId}/status`, { status: 'submitted' });
    // Amazon reinstates the seller: the simulator serves its healthy story from now on.
    sim.state.setScenario(seller.sellerId, 'healthy', 30);
    sim.state.advanceClock({ days: 1 });
    await pollAndEvaluate(ids.suspension!);

    const detail = await call<CaseDetail>(viewer, 'GET', `/api/cases/${caseId}`);
    expect(detail).toMatchObject({ status: 'reinstated', closedAt: expect.any(String) });
    expect(detail.reinstatementConfirmedAt).not.toBeNull();
    expect(detail.events.map((e) => e.type)).toContain('reinstatement_confirmed');
    expect(detail.checklist.some((i) => i.group === 'moving_forward')).toBe(true);
    expect(Object.keys(detail.statusDates).sort()).toEqual(['draft', 'ready', 'reinstated', 'submitted']);

    await app.notifications.schedule.pass();
    await app.notifications.schedule.pass();
    const mail = await t.db
      .selectFrom('outbox_messages')
      .select(['recipient', 'subject', 'body_text'])
      .where('kind', '=', 'case')
      .where('subject', 'like', 'Reinstated:%')
      .execute();
    // Once to each admin (nobody is named in the settings, so they get the critical news).
    const admins = await t.db.selectFrom('users').select('email').where('role', '=', 'admin').execute();
    expect(mail.map((m) => m.recipient).sort()).toEqual(admins.map((a) => a.email).sort());
    expect(mail.map((m) => m.recipient)).toContain(admin.email);
    expect(mail[0]!.body_text).toContain(`/cases/${caseId}`);
  });

  it('opens a new case on a later suspension', async () => {
    sim.state.setScenario(demoSeller('suspension').sellerId, 'suspension', 12);
    sim.state.advanceClock({ days: 1 });
    await pollAndEvaluate(ids.suspension!);
    const all = await cases(ids.suspension!);
    expect(all).toHaveLength(2);
    expect(all.filter((c) => c.closedAt === null)).toHaveLength(1);
    expect(all.find((c) => c.closedAt === null)!.id).not.toBe(caseId);
  });
});

describe('a case started from an order defect alert', () => {
  let alertId: string;
  let caseId: string;

  beforeAll(async () => {
    // A month of the drifting seller's reports, stored as the poller stores them, takes its ODR past the margin.
    const seller = demoSeller('odr-drift');
    const start = Date.now() - 40 * DAY_MS;
    for (let day = 0; day < 30; day++) {
      const at = new Date(start + day * DAY_MS);
      const document = generateSellerPerformanceReport(
        'odr-drift',
        seller.sellerId,
        seller.marketplaceIds,
        day,
        at,
      );
      await ingestReport(app.database.db, {
        accountId: ids['odr-drift']!,
        bytes: Buffer.from(JSON.stringify(document)),
        amazonReportId: null,
        amazonDocumentId: null,
        marketplaceIds: seller.marketplaceIds,
        capturedAt: at,
        parsed: { ok: true, report: parseSellerPerformanceReport(document) },
      });
      await app.alerts.pass(at);
    }
    const alert = await t.db
      .selectFrom('alerts')
      .select(['id'])
      .where('account_id', '=', ids['odr-drift']!)
      .where('subject', 'like', 'order_defect_rate:%')
      .where('state', '<>', 'resolved')
      .orderBy('opened_at')
      .executeTakeFirstOrThrow();
    alertId = alert.id;
  });

  it('pre-fills the order defect part with the numbers', async () => {
    const opened = await call<OpenedCase>(viewer, 'POST', '/api/cases', { alertId }, 201);
    expect(opened).toMatchObject({ created: true, case: { origin: 'alert', alertId } });
    caseId = opened.case.id;
    const detail = await call<CaseDetail>(viewer, 'GET', `/api/cases/${caseId}`);
    expect(detail.facts.alert?.id).toBe(alertId);
    expect(detail.facts.causes[0]).toBe('order_defects');
    const [metric, channel] = detail.facts.alert!.subject.split(':');
    const odr = detail.facts.figures.find((f) => f.metric === metric && f.channel === channel)!;
    // The stored figure, not a number of the draft's own.
    const stored = await t.db
      .selectFrom('metric_latest')
      .select(['rate', 'numerator', 'denominator'])
      .where('account_id', '=', ids['odr-drift']!)
      .where('metric', '=', metric!)
      .where('channel', '=', channel as 'mfn')
      .executeTakeFirstOrThrow();
    expect([odr.rate, odr.numerator, odr.denominator]).toEqual([
      stored.rate,
      stored.numerator,
      stored.denominator,
    ]);
    expect(detail.sections.root_cause).toContain(percent(odr.rate));
    expect(detail.sections.root_cause).toContain(new Intl.NumberFormat('en-US').format(odr.denominator!));
    expect(detail.facts.trends.find((tr) => tr.metric === metric)!.points.length).toBeGreaterThan(10);
    expect(detail.guidance.map((g) => g.cause)).toContain('order_defects');
  });

  it('gives the open case back when started again', async () => {
    const again = await call<OpenedCase>(admin, 'POST', '/api/cases', { alertId }, 200);
    expect(again).toMatchObject({ created: false, case: { id: caseId } });
    // Another alert of the marketplace joins the open case, and finds it from then on.
    const other = await t.db
      .selectFrom('alerts')
      .select('id')
      .where('account_id', '=', ids['odr-drift']!)
      .where('id', '<>', alertId)
      .where('marketplace_id', '=', demoSeller('odr-drift').marketplaceIds[0]!)
      .executeTakeFirstOrThrow();
    const joined = await call<OpenedCase>(viewer, 'POST', '/api/cases', { alertId: other.id }, 200);
    expect(joined.case.id).toBe(caseId);
    const found = await call<CaseSummary[]>(viewer, 'GET', `/api/cases?alert=${other.id}&state=all`);
    expect(found.map((c) => c.id)).toEqual([caseId]);
  });

  it('records edits, the checklist, the notice, the deadline, notes and status changes in the timeline', async () => {
    const before = await call<CaseDetail>(viewer, 'GET', `/api/cases/${caseId}`);
    const first = `${before.sections.root_cause}\nA packing station was short of staff.`;
    await call(viewer, 'PATCH', `/api/cases/${caseId}/sections`, { sections: { root_cause: first } });
    // Autosave again seconds later: the same history entry.
    const second = `${first} We hired two packers.`;
    await call(viewer, 'PATCH', `/api/cases/${caseId}/sections`, { sections: { root_cause: second } });
    // Someone else's edit is an entry of its own.
    await call(admin, 'PATCH', `/api/cases/${caseId}/sections`, {
      sections: { root_cause: `${second} Reviewed.` },
    });
    const history = await call<Array<{ user: string; before: string; after: string }>>(
      viewer,
      'GET',
      `/api/cases/${caseId}/sections/root_cause/history`,
    );
    expect(history).toEqual([
      expect.objectContaining({ user: admin.email, before: second, after: `${second} Reviewed.` }),
      expect.objectContaining({ user: viewer.email, before: before.sections.root_cause, after: second }),
    ]);

    await call(viewer, 'PATCH', `/api/cases/${caseId}/checklist/damage.inventory`, {
      done: true,
      note: '1,240 units at FBA',
    });
    const notice = [
      'Date: March 2, 2026',
      'Hello,',
      'Your selling privileges have been deactivated because your Order Defect Rate is above our target.',
      'ASINs: B0C1234567, B0D7654321',
      'How do I reactivate my account? Submit a plan of action within 17 days.',
    ].join('\n');
    const withNotice = await call<CaseDetail>(viewer, 'PUT', `/api/cases/${caseId}/notice`, { text: notice });
    expect(withNotice.noticeExtract?.asins).toEqual(['B0C1234567', 'B0D7654321']);
    expect(withNotice.deadlineAt).toBe(withNotice.noticeExtract!.deadline!.at);
    expect(withNotice.deadlineSource).toBe('notice');

    const deadline = '2026-03-20T17:00:00.000Z';
    await call(viewer, 'PUT', `/api/cases/${caseId}/deadline`, { at: deadline });
    // A notice pasted again no longer moves the deadline the seller set.
    const kept = await call<CaseDetail>(viewer, 'PUT', `/api/cases/${caseId}/notice`, { text: notice });
    expect(kept).toMatchObject({ deadlineAt: deadline, deadlineSource: 'user' });

    await call(viewer, 'POST', `/api/cases/${caseId}/notes`, { text: 'Called Seller Support; case 123.' });
    await call(viewer, 'POST', `/api/cases/${caseId}/status`, { status: 'ready' });
    const refused = await app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/status`,
      headers: viewer.headers,
      payload: { status: 'reinstated' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/cannot become reinstated/);

    const after = await call<CaseDetail>(viewer, 'GET', `/api/cases/${caseId}`);
    expect(after.events.map((e) => e.type)).toEqual([
      'opened',
      'alert_linked',
      'section_edited',
      'section_edited',
      'checklist_item',
      'notice_saved',
      'deadline_set',
      'notice_saved',
      'note',
      'status_changed',
    ]);
    expect(after.events.find((e) => e.type === 'status_changed')).toMatchObject({
      user: viewer.email,
      details: { from: 'draft', to: 'ready' },
    });
    expect(after.checklist.find((i) => i.id === 'damage.inventory')).toMatchObject({
      done: true,
      note: '1,240 units at FBA',
    });
  });

  it('exports every section as Markdown and the appeal as plain text', async () => {
    const detail = await call<CaseDetail>(viewer, 'GET', `/api/cases/${caseId}`);
    const md = await app.inject({
      method: 'GET',
      url: `/api/cases/${caseId}/export.md`,
      headers: viewer.headers,
    });
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-disposition']).toMatch(/^attachment; filename="case-.+\.md"$/);
    expect(Number(md.headers['x-placeholders-left'])).toBe(detail.placeholdersLeft);
    for (const key of SECTION_KEYS) {
      expect(md.body).toContain(SECTION_TITLES[key]);
      expect(md.body).toContain(
        detail.sections[key]
          .split('\n')
          .find((l) => l.trim().length > 20)!
          .trim(),
      );
    }
    expect(md.body).toContain('B0C1234567');

    const txt = await app.inject({
      method: 'GET',
      url: `/api/cases/${caseId}/export.txt`,
      headers: viewer.headers,
    });
    expect(txt.statusCode).toBe(200);
    expect(txt.headers['content-type']).toMatch(/^text\/plain/);
    expect(txt.body).not.toMatch(/^#|\*\*|\|/m);
    expect(txt.body).toContain('We hired two packers.');
  });
});

describe('pnpm cli case:open', () => {
  async function cli(args: string[]) {
    const proc = spawnServerScript(
      'cli.ts',
      ['case:open', ...args],
      {
        LOG_LEVEL: 'warn',
        DATABASE_URL: t.url!,
        PUBLIC_URL: 'https://gs.example.com',
      },
      t.dataDir,
    );
    const { code } = await proc.exited;
    return { code, output: proc.output() };
  }

  it('opens a case for an account, gives the open one back, and refuses bad input with one line', async () => {
    const seller = demoSeller('suspension');
    const account = await t.db
      .insertInto('seller_accounts')
      .values({ seller_id: 'A0CLICASE', name: 'Command Line Co.', region: 'na', poll_enabled: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('account_marketplaces')
      .values({ account_id: account.id, marketplace_id: seller.marketplaceIds[0]!, name: 'Amazon.com' })
      .execute();
    const first = await cli(['--account', account.id]);
    expect(first.code, first.output).toBe(0);
    const line = JSON.parse(first.output.split('\n').find((l) => l.startsWith('{'))!) as {
      id: string;
      created: boolean;
      url: string;
    };
    expect(line).toMatchObject({ created: true, url: `https://gs.example.com/cases/${line.id}` });
    const again = await cli(['--account', account.id]);
    expect(again.output).toContain(`"created":false`);
    expect(again.output).toContain(line.id);

    const bad = await cli(['--account', 'not-an-id']);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/^error: --account takes an id/m);
    const missing = await cli(['--account', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/^error: account 00000000-.* does not exist/m);
  });
});

describe('access', () => {
  it('refuses a signed-out request for a case, its list, its export and its history', async () => {
    const [c] = await cases(ids['odr-drift']!);
    for (const url of [
      '/api/cases',
      `/api/cases/${c!.id}`,
      `/api/cases/${c!.id}/export.md`,
      `/api/cases/${c!.id}/sections/root_cause/history`,
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie: '' } });
      expect(res.statusCode, url).toBe(401);
    }
    const res = await app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { cookie: '' },
      payload: { accountId: ids['odr-drift'] },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('deadline reminders', () => {
  it('go out 72 and 24 hours before the deadline, each once', async () => {
    // The drifting seller's open case (started from its alert above, or now when this test runs alone).
    const res = await app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: viewer.headers,
      payload: { accountId: ids['odr-drift'], marketplaceId: demoSeller('odr-drift').marketplaceIds[0] },
    });
    expect([200, 201], res.body).toContain(res.statusCode);
    const opened = res.json() as OpenedCase;
    const now = Date.now();
    const deadline = new Date(now + 100 * 3_600_000);
    await call(viewer, 'PUT', `/api/cases/${opened.case.id}/deadline`, { at: deadline.toISOString() });
    const reminders = () =>
      t.db
        .selectFrom('outbox_messages')
        .select(['subject', 'idempotency_key'])
        .where('kind', '=', 'case')
        .where('idempotency_key', 'like', `case:${opened.case.id}:deadline:%`)
        // The viewer started the case: the reminders go to them as well as to the admins.
        .where('recipient', '=', viewer.email)
        .execute();
    await app.notifications.schedule.pass(new Date(now));
    expect(await reminders()).toEqual([]);
    await app.notifications.schedule.pass(new Date(deadline.getTime() - 71 * 3_600_000));
    await app.notifications.schedule.pass(new Date(deadline.getTime() - 70 * 3_600_000));
    expect((await reminders()).map((r) => r.subject)).toEqual([
      expect.stringMatching(/^3 days left to respond/),
    ]);
    await app.notifications.schedule.pass(new Date(deadline.getTime() - 23 * 3_600_000));
    expect((await reminders()).map((r) => r.subject).sort()).toEqual([
      expect.stringMatching(/^23 hours left to respond/),
      expect.stringMatching(/^3 days left/),
    ]);
    await app.notifications.schedule.pass(new Date(deadline.getTime() + 3_600_000));
    expect(await reminders()).toHaveLength(2);
  });
});
