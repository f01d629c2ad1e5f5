import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../db/schema.ts';
import type { BoardRow } from '../metrics/metrics.schemas.ts';
import { FIGURE_SPECS } from '../metrics/overview-board.ts';
import { BOARD_FIGURES } from '../metrics/metrics.schemas.ts';
import { lowerIsBetter } from '../metrics/standing.ts';
import { renderDigestEmail } from './render/digest-email.ts';
import type { DigestAccountRow, DigestMessage, Direction, Severity } from './render/model.ts';

// The morning digest: each user's at the local time they chose, in their own zone, once a local day. It is queued
// by whichever instance's schedule notices first: the user row's `digest_last_date` is claimed in the transaction
// that queues the message, and the message's key names the user and the day, so it is queued once.

/** A digest missed by more than this (the server was down at 07:00) is not sent late: the day has moved on. */
const CATCH_UP_MINUTES = 180;

export interface LocalClock {
  date: string;
  minutes: number;
}

/** The wall-clock date and minute of the day in `timeZone` (UTC when the zone is unknown). */
export function localClock(now: Date, timeZone: string | null): LocalClock {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timeZone ?? 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
  } catch {
    return localClock(now, 'UTC');
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** Whether a digest set for `hhmm` is due at `clock`: at or after its time, within the catch-up window. */
export function digestDue(clock: LocalClock, hhmm: string): boolean {
  const [h, m] = hhmm.split(':').map(Number);
  const at = (h ?? 0) * 60 + (m ?? 0);
  const late = clock.minutes - at;
  return late >= 0 && late < CATCH_UP_MINUTES;
}

type Row = z.infer<typeof BoardRow>;

/** A figure's direction over its last week of daily points, compared with a tenth of its target as "flat". */
export function trendOf(trend: ReadonlyArray<number | null>, target: number | null): Direction | null {
  const week = trend.slice(-8).filter((v): v is number => v !== null);
  if (week.length < 2) return null;
  const delta = week.at(-1)! - week[0]!;
  const flat = Math.max(1e-4, (target ?? 0.01) * 0.1);
  if (Math.abs(delta) < flat) return 'flat';
  return delta > 0 ? 'up' : 'down';
}

export function digestRows(rows: readonly Row[], link: (row: Row) => string): DigestAccountRow[] {
  return rows
    .filter((r) => r.connectionState !== 'disconnected')
    .map((r) => ({
      accountId: r.accountId,
      accountName: r.accountName,
      marketplaceId: r.marketplace?.id ?? '',
      marketplaceName: r.marketplace?.name ?? null,
      status: r.accountStatus,
      ratingStatus: r.ahr.status,
      score: r.ahr.score,
      figures: BOARD_FIGURES.flatMap((key, i) => {
        const f = r.figures[i];
        if (!f) return [];
        const spec = FIGURE_SPECS[key];
        const lower = f.target ? lowerIsBetter(f.target.condition) : null;
        return [
          {
            metric: spec.metric,
            channel: spec.channel ?? 'all',
            windowDays: spec.windowDays,
            value: f.rate,
            target: f.target,
            tone: f.tone,
            trend: trendOf(f.trend, f.target?.value ?? null),
            better: lower === null ? null : lower ? ('down' as const) : ('up' as const),
          },
        ];
      }),
      openAlerts: r.alerts ? r.alerts.critical + r.alerts.warning + r.alerts.info : 0,
      projectedBreachAt: r.projectedBreachAt ?? null,
      link: link(r),
      stale: r.freshness.stale,
    }));
}

export async function openAlertSummary(
  db: Kysely<DB>,
  base: string,
): Promise<Pick<DigestMessage, 'openAlerts' | 'topAlerts'>> {
  const { rows } = await sql<{
    title: string;
    severity: Severity;
    account_id: string;
    rule: string;
    account_name: string;
    projected: string | null;
    n: string;
  }>`select a.title, a.severity, a.account_id, a.rule, s.name as account_name,
        a.details->>'projectedBreachAt' as projected, count(*) over (partition by a.severity) as n
      from alerts a join seller_accounts s on s.id = a.account_id
      where a.state <> 'resolved'
      order by case a.severity when 'critical' then 0 when 'warning' then 1 else 2 end, a.opened_at desc`.execute(
    db,
  );
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const r of rows) counts[r.severity] = Number(r.n);
  return {
    openAlerts: counts,
    topAlerts: rows.slice(0, 10).map((r) => ({
      title: r.title,
      severity: r.severity,
      accountName: r.account_name,
      link: `${base}/alerts?account=${encodeURIComponent(r.account_id)}&rule=${encodeURIComponent(r.rule)}`,
      projectedBreachAt: r.projected,
    })),
  };
}

export interface DigestSource {
  /** The overview's rows, worst first (the same the dashboard shows). */
  rows(): Promise<readonly Row[]>;
}

/** Queues every due digest; returns how many were queued. */
export async function queueDigests(
  db: Kysely<DB>,
  now: Date,
  source: DigestSource,
  base: string,
): Promise<number> {
  const users = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'time_zone', 'digest_time', 'digest_last_date'])
    .select(sql<string | null>`digest_last_date::text`.as('last_date'))
    .where('digest_time', 'is not', null)
    .where('disabled_at', 'is', null)
    .execute();
  const due = users.flatMap((u) => {
    const clock = localClock(now, u.time_zone);
    return u.digest_time && digestDue(clock, u.digest_time) && u.last_date !== clock.date
      ? [{ ...u, clock }]
      : [];
  });
  if (due.length === 0) return 0;

  // Built once for everyone due in this pass: the figures are the same, only the zone and the name differ.
  const [rows, summary] = await Promise.all([source.rows(), openAlertSummary(db, base)]);
  const accounts = digestRows(rows, (r) =>
    r.marketplace
      ? `${base}/accounts/${r.accountId}?marketplace=${r.marketplace.id}`
      : `${base}/accounts/${r.accountId}`,
  );
  let queued = 0;
  for (const u of due) {
    const email = renderDigestEmail({
      recipientName: u.display_name,
      localDate: u.clock.date,
      timeZone: u.time_zone ?? 'UTC',
      accounts,
      ...summary,
      links: { overview: `${base}/`, inbox: `${base}/alerts`, settings: `${base}/settings/profile` },
    });
    const done = await db.transaction().execute(async (tx) => {
      const claimed = await tx
        .updateTable('users')
        .set({ digest_last_date: u.clock.date })
        .where('id', '=', u.id)
        .where((eb) =>
          eb.or([eb('digest_last_date', 'is', null), eb(sql`digest_last_date::text`, '<>', u.clock.date)]),
        )
        .returning('id')
        .executeTakeFirst();
      if (!claimed) return false;
      await tx
        .insertInto('outbox_messages')
        .values({
          idempotency_key: `digest:${u.id}:${u.clock.date}`,
          kind: 'digest',
          channel: 'email',
          recipient: u.email.toLowerCase(),
          subject: email.subject,
          body_text: email.text,
          body_html: email.html,
          next_attempt_at: now,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
      return true;
    });
    if (done) queued += 1;
  }
  return queued;
}
