import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  bestScore,
  dailyFigures,
  snapshotFigures,
  snapshotsOfReport,
  warningStatesAt,
} from '../metrics/metrics.repository.ts';
import { storedTarget } from '../metrics/standing.ts';
import { figureSubject, type AlertSettings, type MarketplaceFacts } from './rules.ts';
import type { TrendPoint } from './trend.ts';

// What the stored data says about each marketplace of one report, as the rules read it: the report's own figures
// and statuses, and the history before it (as of the report's capture time, so evaluating an old report again
// sees what was known then).

type Db = Kysely<DB> | Transaction<DB>;
const DAY_MS = 86_400_000;

export async function reportFacts(
  db: Db,
  reportDocumentId: string,
  settings: AlertSettings,
): Promise<MarketplaceFacts[]> {
  const snapshots = await snapshotsOfReport(db, reportDocumentId);
  const facts: MarketplaceFacts[] = [];
  for (const s of snapshots) {
    const key = { accountId: s.account_id, marketplaceId: s.marketplace_id };
    const from = new Date(s.captured_at.getTime() - settings.trendWindowDays * DAY_MS);
    const [figures, daily, best, warnings] = await Promise.all([
      snapshotFigures(db, s.id),
      dailyFigures(db, { ...key, from, to: s.captured_at }),
      bestScore(db, { ...key, from, to: s.captured_at }),
      warningStatesAt(db, { ...key, at: s.captured_at }),
    ]);
    const history = new Map<string, TrendPoint[]>();
    for (const d of daily) {
      if (d.rate === null) continue;
      const subject = figureSubject({ metric: d.metric, channel: d.channel, windowDays: d.window_days });
      const points = history.get(subject) ?? [];
      points.push({ at: d.captured_at, rate: d.rate, denominator: d.denominator });
      history.set(subject, points);
    }
    facts.push({
      marketplaceId: s.marketplace_id,
      capturedAt: s.captured_at,
      accountStatus: s.account_status,
      ahr: { status: s.ahr_status, score: s.ahr_score, band: s.ahr_band },
      recentBestScore: best,
      figures: figures.map((f) => ({
        metric: f.metric,
        channel: f.channel,
        windowDays: f.window_days,
        rate: f.rate,
        numerator: f.numerator,
        denominator: f.denominator,
        status: f.status,
        target: storedTarget(f),
        window: { from: f.window_from?.toISOString() ?? null, to: f.window_to?.toISOString() ?? null },
      })),
      history,
      policies: Object.fromEntries(
        Object.entries(s.policies ?? {}).map(([category, p]) => [
          category,
          { count: p.count, status: p.status },
        ]),
      ),
      warningStates: warnings.map((w) => ({ type: w.warning_type, status: w.status })),
    });
  }
  return facts;
}
