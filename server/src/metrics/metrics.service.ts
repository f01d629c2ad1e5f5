import type { AhrBand } from '../reports/types.ts';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB, PolicyFigure } from '../db/schema.ts';
import { listAccounts, listMarketplaces } from '../accounts/accounts.repository.ts';
import {
  latestFigures,
  policySeries,
  snapshotPolicies,
  type LatestFigureRow,
  type RangeQuery,
} from './metrics.repository.ts';
import type { Overview, OverviewAccount, OverviewMarketplace, Violations } from './metrics.schemas.ts';
import { headroom } from './headroom.ts';
import {
  isBreached,
  marketplaceStanding,
  PUBLISHED_TARGETS,
  STANDING_ORDER,
  storedTarget,
  worstStanding,
} from './standing.ts';

// The overview and the series, assembled from the latest-figure rows and the snapshots.

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface OverviewOptions {
  now: Date;
  /** An account with no successful poll for this long is stale. */
  staleAfterMs: number;
}

function figureToLatest(row: LatestFigureRow): z.infer<typeof OverviewMarketplace>['metrics'][number] {
  const target = storedTarget(row);
  return {
    metric: row.metric,
    channel: row.channel,
    windowDays: row.window_days,
    rate: row.rate,
    numerator: row.numerator,
    denominator: row.denominator,
    status: row.status,
    target,
    breached: isBreached(row.rate, row.target_value, row.target_condition),
    headroom: headroom({
      numerator: row.numerator,
      denominator: row.denominator,
      target: target ?? PUBLISHED_TARGETS[row.metric] ?? null,
    }),
    window: { from: iso(row.window_from), to: iso(row.window_to) },
    capturedAt: row.captured_at.toISOString(),
    source: row.source,
    parts: row.parts,
  };
}

function policyViolations(policies: Record<string, PolicyFigure> | null | undefined) {
  if (!policies) return null;
  const categories = Object.entries(policies)
    .map(([category, p]) => ({ category, count: p.count, status: p.status }))
    .sort((a, b) => (b.count ?? 0) - (a.count ?? 0) || a.category.localeCompare(b.category));
  return { total: categories.reduce((n, c) => n + (c.count ?? 0), 0), categories };
}

export async function buildOverview(
  db: Kysely<DB>,
  options: OverviewOptions,
): Promise<z.infer<typeof Overview>> {
  const [accounts, marketplaces, figures] = await Promise.all([
    listAccounts(db),
    listMarketplaces(db),
    latestFigures(db),
  ]);
  const policies = await snapshotPolicies(
    db,
    marketplaces.flatMap((m) => (m.latest_snapshot_id ? [m.latest_snapshot_id] : [])),
  );
  const figuresByMarketplace = new Map<string, LatestFigureRow[]>();
  for (const f of figures) {
    const key = `${f.account_id}|${f.marketplace_id}`;
    const list = figuresByMarketplace.get(key);
    if (list) list.push(f);
    else figuresByMarketplace.set(key, [f]);
  }
  const marketplacesByAccount = new Map<string, typeof marketplaces>();
  for (const m of marketplaces) {
    // Marketplaces polled, and any that has data (it may have been turned off since).
    if (!(m.enabled && m.is_participating) && !m.last_report_at) continue;
    const list = marketplacesByAccount.get(m.account_id);
    if (list) list.push(m);
    else marketplacesByAccount.set(m.account_id, [m]);
  }

  const staleBefore = options.now.getTime() - options.staleAfterMs;
  const items: Array<z.infer<typeof OverviewAccount>> = accounts.map((account) => {
    const rows = (marketplacesByAccount.get(account.id) ?? []).map((m) => {
      const latest = (figuresByMarketplace.get(`${account.id}|${m.marketplace_id}`) ?? []).map(
        figureToLatest,
      );
      const item: z.infer<typeof OverviewMarketplace> = {
        marketplaceId: m.marketplace_id,
        countryCode: m.country_code,
        name: m.name,
        standing: marketplaceStanding({
          accountStatus: m.account_status,
          ahrBand: m.ahr_band,
          hasData: m.last_report_at !== null,
          figures: latest,
        }),
        accountStatus: m.account_status,
        statusSince: iso(m.status_since),
        ahr: {
          status: m.ahr_status,
          score: m.ahr_score,
          band: (m.ahr_band as AhrBand | null) ?? null,
        },
        metrics: latest,
        policyViolations: policyViolations(m.latest_snapshot_id ? policies.get(m.latest_snapshot_id) : null),
        lastReportAt: iso(m.last_report_at),
      };
      return item;
    });
    return {
      id: account.id,
      name: account.name,
      sellerId: account.seller_id,
      region: account.region,
      standing: worstStanding(rows.map((r) => r.standing)),
      connectionState: account.connection_state,
      connectionError: account.connection_error,
      freshness: {
        lastGoodPollAt: iso(account.last_good_poll_at),
        lastReportAt: iso(account.last_success_at),
        nextPollAt: account.next_poll_at.toISOString(),
        stale: !account.last_good_poll_at || account.last_good_poll_at.getTime() < staleBefore,
      },
      marketplaces: rows,
    };
  });
  items.sort(
    (a, b) =>
      STANDING_ORDER.indexOf(a.standing) - STANDING_ORDER.indexOf(b.standing) ||
      a.name.localeCompare(b.name) ||
      a.id.localeCompare(b.id),
  );
  const count = (s: string) => items.filter((a) => a.standing === s).length;
  return {
    generatedAt: options.now.toISOString(),
    summary: {
      accounts: items.length,
      fine: count('fine'),
      atRisk: count('at_risk'),
      suspended: count('suspended'),
      unknown: count('unknown'),
      stale: items.filter((a) => a.freshness.stale).length,
      needsReauthorization: items.filter((a) => a.connectionState === 'needs_reauthorization').length,
    },
    accounts: items,
  };
}

export async function buildViolations(
  db: Kysely<DB>,
  query: RangeQuery,
): Promise<z.infer<typeof Violations>> {
  const rows = await policySeries(db, query);
  const byKey = new Map<string, z.infer<typeof Violations>['series'][number]>();
  for (const r of rows) {
    for (const [category, p] of Object.entries(r.policies ?? {})) {
      const key = `${r.marketplace_id}|${category}`;
      let series = byKey.get(key);
      if (!series) {
        series = { marketplaceId: r.marketplace_id, category, points: [] };
        byKey.set(key, series);
      }
      series.points.push({ capturedAt: r.captured_at.toISOString(), count: p.count, status: p.status });
    }
  }
  const series = [...byKey.values()].sort(
    (a, b) => a.marketplaceId.localeCompare(b.marketplaceId) || a.category.localeCompare(b.category),
  );
  return { accountId: query.accountId, series };
}
