import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  addressesFor,
  effectiveRecipients,
  readDeliverySettings,
  withAccountRecipients,
} from '../notifications/notification-settings.ts';
import { clockUtc, wrap } from '../notifications/render/format.ts';
import { button, escapeHtml, MUTED, page, section } from '../notifications/render/html.ts';
import type { RenderedEmail } from '../notifications/render/model.ts';

// The case's own messages, queued into the outbox by the minute schedule: reminders before the response deadline
// (by default 72 and 24 hours before it) and the news that Amazon's data confirms the reinstatement. Each is keyed
// by the case, the deadline and the reminder, so two instances, or a restart, queue it once. They go to the
// account's recipients of critical alerts and to whoever opened the case.

const HOUR_MS = 3_600_000;
/** A reinstatement confirmed longer ago than this is old news: no message for it. */
const CONFIRMED_NEWS_MS = 7 * 24 * HOUR_MS;

interface DueCase {
  id: string;
  title: string;
  account_id: string;
  account_settings: Record<string, unknown>;
  creator: string | null;
  deadline: Date | null;
  confirmed_at: Date | null;
}

export async function queueCaseMail(
  db: Kysely<DB>,
  now: Date,
  base: string,
  reminderHours: readonly number[],
): Promise<number> {
  const furthest = Math.max(0, ...reminderHours) * HOUR_MS;
  const { rows } = await sql<DueCase & { kind: 'deadline' | 'confirmed' }>`
    select c.id, c.title, c.account_id, a.settings as account_settings, u.email as creator,
      c.response_deadline_at as deadline, e.at as confirmed_at,
      case when e.id is null then 'deadline' else 'confirmed' end as kind
    from reinstatement_cases c
    join seller_accounts a on a.id = c.account_id
    left join users u on u.id = c.created_by
    left join lateral (select id, at from case_events
      where case_id = c.id and type = 'reinstatement_confirmed' and at > ${new Date(now.getTime() - CONFIRMED_NEWS_MS)}
      order by at desc limit 1) e on true
    where (c.closed_at is null and c.response_deadline_at > ${now}
        and c.response_deadline_at <= ${new Date(now.getTime() + furthest)})
      or e.id is not null`.execute(db);
  if (rows.length === 0) return 0;
  const global = await readDeliverySettings(db);
  const everyone = await effectiveRecipients(db, global);
  const values = [];
  for (const c of rows) {
    const to = new Set(addressesFor(withAccountRecipients(everyone, c.account_settings), 'critical'));
    if (c.creator) to.add(c.creator.toLowerCase());
    let key: string;
    let email: RenderedEmail;
    if (c.kind === 'confirmed') {
      key = `case:${c.id}:reinstatement-confirmed`;
      email = confirmedEmail(c, base);
    } else {
      const left = c.deadline!.getTime() - now.getTime();
      // The nearest reminder whose time has come: a deadline set 20 hours ahead gets the 24-hour one only.
      const due = [...reminderHours].sort((a, b) => a - b).find((h) => left <= h * HOUR_MS);
      if (due === undefined) continue;
      key = `case:${c.id}:deadline:${c.deadline!.toISOString()}:${due}h`;
      email = deadlineEmail(c, base, left);
    }
    for (const recipient of to) {
      values.push({
        idempotency_key: `${key}:email:${recipient}`,
        kind: 'case' as const,
        channel: 'email' as const,
        recipient,
        subject: email.subject,
        body_text: email.text,
        body_html: email.html,
        account_id: c.account_id,
        severity: 'critical',
        next_attempt_at: now,
      });
    }
  }
  if (values.length === 0) return 0;
  const written = await db
    .insertInto('outbox_messages')
    .values(values)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .execute();
  return written.length;
}

function hoursLeft(ms: number): string {
  const hours = Math.max(0, Math.round(ms / HOUR_MS));
  return hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

function deadlineEmail(c: DueCase, base: string, left: number): RenderedEmail {
  const url = `${base}/cases/${c.id}`;
  const when = clockUtc(c.deadline!.toISOString());
  const subject = `${hoursLeft(left)} left to respond: ${c.title}`;
  const body =
    `Amazon's response deadline for this case is ${when}. Check the plan of action and the appeal, fill in ` +
    'what is still marked to fill in, and submit before the deadline passes.';
  return {
    subject,
    text: [subject, '', wrap(body), '', 'Open the case:', url, ''].join('\n'),
    html: page({
      title: subject,
      preheader: `Deadline ${when}`,
      heading: `${hoursLeft(left)} left to respond`,
      intro: escapeHtml(c.title),
      rows: [section(`<p style="margin:0 0 16px;">${escapeHtml(body)}</p>${button(url, 'Open the case')}`)],
      footer: `<span style="color:${MUTED};">A reminder from Good Standing, sent before a case's deadline.</span>`,
    }),
  };
}

function confirmedEmail(c: DueCase, base: string): RenderedEmail {
  const url = `${base}/cases/${c.id}`;
  const subject = `Reinstated: ${c.title}`;
  const body =
    "Amazon's latest report shows the marketplace back to NORMAL: the case is closed as reinstated. Its " +
    '"moving forward" checklist lists what keeps the account there.';
  return {
    subject,
    text: [subject, '', wrap(body), '', 'Open the case:', url, ''].join('\n'),
    html: page({
      title: subject,
      preheader: 'Amazon’s data confirms the reinstatement.',
      heading: 'Reinstatement confirmed',
      intro: escapeHtml(c.title),
      rows: [section(`<p style="margin:0 0 16px;">${escapeHtml(body)}</p>${button(url, 'Open the case')}`)],
      footer: `<span style="color:${MUTED};">Good Standing confirms a reinstatement from Amazon’s own data.</span>`,
    }),
  };
}
