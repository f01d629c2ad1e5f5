import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { z } from 'zod';
import { recentDailyRates, recentDailyScores } from './metrics.repository.ts';
import {
  Overview,
  SCORE_TREND_DAYS,
  TREND_DAYS,
  type AlertCounts,
  type BoardRow,
} from './metrics.schemas.ts';
import { buildOverview } from './metrics.service.ts';
import {
  alertCounts,
  boardRows,
  scoreTrends,
  TREND_METRICS,
  trendsFromDailyRows,
  type BoardAlert,
} from './overview-board.ts';

// The overview is what everybody opens first, often several people at once, and it changes only when a poll ends
// or an account is connected. It is built once per change and served as the same bytes until the next one. The
// version is read from the database, so with several instances each one notices a poll another one finished.

/** Freshness flags depend on the clock, so even an unchanged fleet is re-read this often. */
const MAX_AGE_MS = 30_000;
const gzipAsync = promisify(gzip);

interface Built {
  version: string;
  at: number;
  etag: string;
  json: Buffer;
  /** The same bytes gzip-compressed once per build: most clients take them (2 MB of JSON for 200 accounts). */
  gzip: Buffer;
  overview: z.infer<typeof Overview>;
  /** The overview page's rows, worst first, with their trends and alerts. */
  rows: Array<z.infer<typeof BoardRow>>;
  /** Every open and acknowledged alert, by severity. */
  alerts: z.infer<typeof AlertCounts>;
}

/** The open and acknowledged alerts, in one read: what the board counts and marks. */
async function unresolvedAlerts(db: Kysely<DB>): Promise<BoardAlert[]> {
  const rows = await db
    .selectFrom('alerts')
    .select([
      'id',
      'account_id',
      'marketplace_id',
      'subject',
      'severity',
      sql<string | null>`details->>'projectedBreachAt'`.as('projected_breach_at'),
    ])
    .where('state', 'in', ['open', 'acknowledged'])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    marketplaceId: r.marketplace_id,
    subject: r.subject,
    severity: r.severity,
    projectedBreachAt: r.projected_breach_at,
  }));
}

export class OverviewCache {
  private built: Built | undefined;
  private building: Promise<Built> | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly staleAfterMs: number,
  ) {}

  /** The overview, current as of the last poll that ended. */
  async current(): Promise<Built> {
    const version = await this.version();
    const built = this.built;
    if (built && built.version === version && Date.now() - built.at < MAX_AGE_MS) return built;
    // Requests arriving while it is built wait for the same build.
    this.building ??= this.build(version).finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async build(version: string): Promise<Built> {
    const overview = await buildOverview(this.db, { now: new Date(), staleAfterMs: this.staleAfterMs });
    const lastDays = new Map<string, string>();
    for (const a of overview.accounts) {
      for (const m of a.marketplaces) {
        if (m.lastReportAt) lastDays.set(`${a.id}|${m.marketplaceId}`, m.lastReportAt.slice(0, 10));
      }
    }
    const accountIds = overview.accounts.map((a) => a.id);
    const [daily, scores, alerts] = await Promise.all([
      recentDailyRates(this.db, { accountIds, metrics: TREND_METRICS, days: TREND_DAYS }),
      recentDailyScores(this.db, { accountIds, days: SCORE_TREND_DAYS }),
      unresolvedAlerts(this.db),
    ]);
    // Validated here, once per build, since the cached bytes bypass the route's serializer.
    const json = Buffer.from(JSON.stringify(Overview.parse(overview)));
    const at = Date.now();
    this.built = {
      version,
      at,
      etag: `"${version}:${at}"`,
      json,
      gzip: await gzipAsync(json),
      overview,
      rows: boardRows(overview, trendsFromDailyRows(daily, lastDays), alerts, scoreTrends(scores, lastDays)),
      alerts: alertCounts(alerts),
    };
    return this.built;
  }

  /**
   * Every poll ends by updating its account's row, and connecting or removing one changes the count. A report's
   * ingest points its marketplaces at their new snapshot before that, in its own transaction: counted too, so the
   * figures show as soon as they are stored. Alerts change apart from polls (the engine evaluates a report after
   * its poll; people acknowledge and resolve them), so the unresolved ones count as well: their number, and the sum
   * of their last changes, which moves whenever one opens, changes or resolves. The newest change alone would not
   * do: the engine dates a change by the evaluation's clock, which need not be later than the newest one there.
   * The rating's and the figures' lines take Data Kiosk's days, so a history job that stored some counts when it
   * ends (a job under way shows on the next rebuild, at most MAX_AGE_MS later).
   */
  private async version(): Promise<string> {
    const { rows } = await sql<{
      n: string;
      at: Date | null;
      snapshot: string | null;
      alerts: string;
      alerts_sum: string | null;
      history: Date | null;
    }>`select
        (select count(*) from seller_accounts) as n,
        (select max(updated_at) from seller_accounts) as at,
        (select max(latest_snapshot_id) from account_marketplaces) as snapshot,
        a.n as alerts, a.sum as alerts_sum,
        (select max(finished_at) from backfill_jobs where lines_stored > 0) as history
      from (select count(*) as n, sum(extract(epoch from updated_at)) as sum
        from alerts where state in ('open', 'acknowledged')) a`.execute(this.db);
    const r = rows[0];
    return `${r?.n}:${r?.at?.getTime() ?? 0}:${r?.snapshot ?? 0}:${r?.alerts ?? 0}.${r?.alerts_sum ?? 0}:${r?.history?.getTime() ?? 0}`;
  }
}

/** Whether the client takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    return (name === 'gzip' || name === '*') && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}
