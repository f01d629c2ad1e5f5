import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { isBreached, PUBLISHED_TARGETS } from '../metrics/standing.ts';
import { MARKETPLACES } from '../spapi/marketplaces.ts';
import { causesOf } from './causes.ts';
import type { CaseAlertContext, CaseFacts, CaseFigure, CasePolicy, CaseTrend } from './model.ts';

// The facts a case is written from, copied out of the stored snapshots when the case opens: the marketplace's
// newest report (as of the moment asked), its figures with their counts and windows, the policies with
// violations, the warning states, and the 60 days before it. A case keeps them as they were, so its plan of action
// still matches its figures when later reports move on.

type Db = Kysely<DB> | Transaction<DB>;
const DAY_MS = 86_400_000;
const TREND_DAYS = 60;

/** Statuses other than these count as a policy problem even with no count. */
const FINE_STATUSES = new Set(['GOOD', 'NONE', 'NORMAL']);

export class CaseFactsError extends Error {}

export async function buildCaseFacts(
  db: Db,
  input: { accountId: string; marketplaceId: string; alert: CaseAlertContext | null; asOf?: Date },
): Promise<CaseFacts> {
  const account = await db
    .selectFrom('seller_accounts')
    .select(['id', 'seller_id', 'name'])
    .where('id', '=', input.accountId)
    .executeTakeFirst();
  if (!account) throw new CaseFactsError(`account ${input.accountId} does not exist`);
  const marketplace = input.marketplaceId
    ? await db
        .selectFrom('account_marketplaces')
        .select(['name', 'country_code', 'account_status', 'status_since'])
        .where('account_id', '=', input.accountId)
        .where('marketplace_id', '=', input.marketplaceId)
        .executeTakeFirst()
    : undefined;
  const snapshot = input.marketplaceId
    ? await db
        .selectFrom('health_snapshots')
        .selectAll()
        .where('account_id', '=', input.accountId)
        .where('marketplace_id', '=', input.marketplaceId)
        .where('source', '=', 'report')
        // Captured on Amazon's clock: "the newest" unless told which moment, never compared with ours.
        .$if(input.asOf !== undefined, (q) => q.where('captured_at', '<=', input.asOf!))
        .orderBy('captured_at', 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined;

  const figures: CaseFigure[] = [];
  const policies: CasePolicy[] = [];
  let warningStates: CaseFacts['warningStates'] = [];
  let statusSince: string | null = marketplace?.status_since?.toISOString() ?? null;
  if (snapshot) {
    const [rows, warnings, since] = await Promise.all([
      db.selectFrom('metric_snapshots').selectAll().where('snapshot_id', '=', snapshot.id).execute(),
      db
        .selectFrom('warning_states')
        .select(['warning_type', 'status'])
        .where('account_id', '=', input.accountId)
        .where('marketplace_id', '=', input.marketplaceId)
        .where('first_seen_at', '<=', snapshot.captured_at)
        .where((eb) => eb.or([eb('cleared_at', 'is', null), eb('cleared_at', '>', snapshot.captured_at)]))
        .orderBy('warning_type')
        .execute(),
      statusSinceAt(db, input.accountId, input.marketplaceId, snapshot.account_status, snapshot.captured_at),
    ]);
    statusSince = since ?? statusSince;
    warningStates = warnings.map((w) => ({ type: w.warning_type, status: w.status }));
    for (const r of rows) {
      const target =
        r.target_value !== null && r.target_condition !== null
          ? { value: r.target_value, condition: r.target_condition }
          : (PUBLISHED_TARGETS[r.metric] ?? null);
      const breached =
        r.status?.toUpperCase() === 'BAD' ||
        (target !== null && isBreached(r.rate, target.value, target.condition) === true);
      figures.push({
        metric: r.metric,
        channel: r.channel,
        windowDays: r.window_days,
        rate: r.rate,
        numerator: r.numerator,
        denominator: r.denominator,
        status: r.status,
        target,
        breached,
        parts: Object.fromEntries(Object.entries(r.parts ?? {}).map(([k, v]) => [k, v.count])),
        window: { from: r.window_from?.toISOString() ?? null, to: r.window_to?.toISOString() ?? null },
        earlier: { days30: null, days60: null },
      });
    }
    // Breached first, then the report's own order by name, so the facts read worst first.
    figures.sort((a, b) => Number(b.breached) - Number(a.breached) || a.metric.localeCompare(b.metric));
    for (const [category, p] of Object.entries(snapshot.policies ?? {})) {
      const status = p.status?.toUpperCase() ?? null;
      if ((p.count ?? 0) > 0 || (status !== null && !FINE_STATUSES.has(status))) {
        policies.push({
          category,
          count: p.count,
          status: p.status,
          window: { from: p.windowFrom ?? null, to: p.windowTo ?? null },
        });
      }
    }
  }

  const facts: Omit<CaseFacts, 'causes'> = {
    accountId: account.id,
    sellerId: account.seller_id,
    accountName: account.name,
    marketplaceId: input.marketplaceId,
    marketplaceName: marketplace?.name ?? MARKETPLACES[input.marketplaceId]?.name ?? null,
    countryCode: marketplace?.country_code ?? MARKETPLACES[input.marketplaceId]?.countryCode ?? null,
    capturedAt: snapshot?.captured_at.toISOString() ?? null,
    accountStatus: snapshot?.account_status ?? marketplace?.account_status ?? null,
    statusSince,
    ahr: {
      status: snapshot?.ahr_status ?? null,
      score: snapshot?.ahr_score ?? null,
      band: snapshot?.ahr_band ?? null,
    },
    figures,
    policies,
    warningStates,
    trends: [],
    alert: input.alert,
  };
  const causes = causesOf(facts);
  if (snapshot) {
    const cited = figures.filter((f) => f.breached || alertCites(input.alert, f));
    facts.trends = await trendsOf(db, input.accountId, input.marketplaceId, snapshot.captured_at, cited);
    for (const f of figures) {
      const trend = facts.trends.find((t) => t.metric === f.metric && t.channel === f.channel);
      if (trend) f.earlier = earlierRates(trend, snapshot.captured_at);
    }
  }
  return { ...facts, causes };
}

function alertCites(alert: CaseAlertContext | null, f: CaseFigure): boolean {
  if (!alert) return false;
  const [metric, channel, windowDays] = alert.subject.split(':');
  return (
    metric === f.metric &&
    channel === f.channel &&
    (windowDays === undefined || windowDays === '' || windowDays === String(f.windowDays ?? ''))
  );
}

/** When the marketplace entered `status`: the newest change into it at or before `at`, from the status history. */
async function statusSinceAt(
  db: Db,
  accountId: string,
  marketplaceId: string,
  status: string | null,
  at: Date,
): Promise<string | null> {
  if (!status) return null;
  const row = await db
    .selectFrom('account_status_history')
    .select('changed_at')
    .where('account_id', '=', accountId)
    .where('marketplace_id', '=', marketplaceId)
    .where('status', '=', status)
    .where('changed_at', '<=', at)
    .orderBy('changed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.changed_at.toISOString() ?? null;
}

/** Each cited figure's daily rates over the 60 days up to the capture (one point per stored day). */
async function trendsOf(
  db: Db,
  accountId: string,
  marketplaceId: string,
  capturedAt: Date,
  figures: readonly CaseFigure[],
): Promise<CaseTrend[]> {
  if (figures.length === 0) return [];
  const from = new Date(capturedAt.getTime() - TREND_DAYS * DAY_MS);
  const { rows } = await sql<{
    metric: string;
    channel: string;
    window_days: number | null;
    at: Date;
    rate: number;
  }>`
    select m.metric, m.channel, m.window_days, d.captured_at as at, m.rate
    from daily_snapshots d join metric_snapshots m on m.snapshot_id = d.snapshot_id
    where d.account_id = ${accountId} and d.marketplace_id = ${marketplaceId} and d.source = 'report'
      and d.day between (${from}::timestamptz at time zone 'UTC')::date
        and (${capturedAt}::timestamptz at time zone 'UTC')::date
      and d.captured_at <= ${capturedAt} and m.rate is not null
      and (m.metric, m.channel) in (${sql.join(figures.map((f) => sql`(${f.metric}, ${f.channel})`))})
    order by d.captured_at`.execute(db);
  return figures.map((f) => ({
    metric: f.metric,
    channel: f.channel,
    target: f.target,
    points: rows
      .filter(
        (r) =>
          r.metric === f.metric &&
          r.channel === f.channel &&
          (r.window_days ?? null) === (f.windowDays ?? null),
      )
      .map((r) => ({ at: r.at.toISOString(), rate: r.rate })),
  }));
}

/** The rate of the stored day nearest to 30 and to 60 days before the capture (within 3 days), else null. */
function earlierRates(trend: CaseTrend, capturedAt: Date): CaseFigure['earlier'] {
  const near = (days: number): number | null => {
    const want = capturedAt.getTime() - days * DAY_MS;
    let best: { gap: number; rate: number } | null = null;
    for (const p of trend.points) {
      const gap = Math.abs(Date.parse(p.at) - want);
      if (gap <= 3 * DAY_MS && (!best || gap < best.gap)) best = { gap, rate: p.rate };
    }
    return best?.rate ?? null;
  };
  return { days30: near(30), days60: near(60) };
}
