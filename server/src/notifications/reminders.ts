import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertEvent } from '../alerts/alerts.repository.ts';
import type { RuleName } from '../alerts/rules.ts';
import { enqueueDeliveries } from './enqueue.ts';

// A critical alert nobody has acknowledged is sent again every `reminderHours`, counted from when it opened, was
// escalated or was last reminded of. Each reminder is an event in the alert's history, queued with its messages in
// one transaction under the alert's row lock, so two instances remind once.

export async function queueReminders(db: Kysely<DB>, now: Date, reminderHours: number): Promise<number> {
  if (reminderHours <= 0) return 0;
  const before = new Date(now.getTime() - reminderHours * 3_600_000);
  const { rows: due } = await sql<{ id: string }>`select a.id from alerts a
    where a.state = 'open' and a.severity = 'critical'
      and greatest(a.opened_at, coalesce((select max(e.at) from alert_events e
        where e.alert_id = a.id and e.type in ('reminder', 'escalated')), a.opened_at)) <= ${before}
    limit 500`.execute(db);
  let queued = 0;
  for (const { id } of due) {
    const done = await db.transaction().execute(async (tx) => {
      const { rows } = await sql<{
        id: string;
        account_id: string;
        marketplace_id: string;
        rule: string;
        severity: 'critical';
        title: string;
        details: Record<string, unknown>;
        opened_at: Date;
        last: Date;
      }>`select a.id, a.account_id, a.marketplace_id, a.rule, a.severity, a.title, a.details, a.opened_at,
          greatest(a.opened_at, coalesce((select max(e.at) from alert_events e
            where e.alert_id = a.id and e.type in ('reminder', 'escalated')), a.opened_at)) as last
        from alerts a where a.id = ${id} and a.state = 'open' and a.severity = 'critical'
        for update skip locked`.execute(tx);
      const a = rows[0];
      // Acknowledged, resolved or reminded of by another instance meanwhile.
      if (!a || a.last > before) return false;
      const event = await insertEvent(tx, {
        alertId: a.id,
        type: 'reminder',
        at: now,
        details: { unacknowledgedSince: a.opened_at.toISOString() },
      });
      await enqueueDeliveries(
        tx,
        [
          {
            eventId: event.id,
            kind: 'reminder',
            alertId: a.id,
            accountId: a.account_id,
            marketplaceId: a.marketplace_id,
            rule: a.rule as RuleName,
            severity: a.severity,
            title: a.title,
            details: a.details,
            at: now,
          },
        ],
        now,
      );
      return true;
    });
    if (done) queued += 1;
  }
  return queued;
}
