import type { Transaction } from 'kysely';
import type { DB, OutboxKind } from '../db/schema.ts';
import type { AlertEvent } from '../alerts/alert-event.ts';
import { MARKETPLACES } from '../spapi/marketplaces.ts';
import type { AlertMessage } from './render/model.ts';
import {
  addressesFor,
  atLeast,
  effectiveRecipients,
  readDeliverySettings,
  withAccountRecipients,
} from './notification-settings.ts';

// Alert events become outbox rows in the transaction that records them: the event and its messages commit
// together or not at all, so a crash can neither lose a message nor queue one for an event that never happened.
// One row per event and recipient (email) or endpoint (webhook, Slack), keyed so that doing it twice queues
// nothing new. Messages are rendered when sent, with the links of the instance that sends them.

type Tx = Transaction<DB>;

/** What an outbox row about an alert carries: the message without its links. */
export type StoredAlertMessage = Omit<AlertMessage, 'links'>;

export interface AlertPayload {
  eventId: string;
  message: StoredAlertMessage;
}

/** Events worth a message: a new alert, a worse one, one that cleared, and the reminders of critical ones. */
const DELIVERED: ReadonlySet<string> = new Set(['opened', 'escalated', 'resolved', 'reminder']);

export interface Delivery {
  eventId: string;
  kind: AlertMessage['kind'];
  alertId: string;
  accountId: string;
  marketplaceId: string;
  rule: string;
  severity: AlertEvent['severity'];
  title: string;
  details: Record<string, unknown>;
  at: Date;
}

export function deliveryOf(e: AlertEvent): Delivery | null {
  if (!DELIVERED.has(e.event)) return null;
  return { ...e, kind: e.event as AlertMessage['kind'] };
}

/** Queues the messages of `deliveries`; returns how many rows were written. */
export async function enqueueDeliveries(tx: Tx, deliveries: readonly Delivery[], now: Date): Promise<number> {
  if (deliveries.length === 0) return 0;
  const accountIds = [...new Set(deliveries.map((d) => d.accountId))];
  const alertIds = [...new Set(deliveries.map((d) => d.alertId))];
  const [global, accounts, alerts, endpoints] = await Promise.all([
    readDeliverySettings(tx),
    tx
      .selectFrom('seller_accounts')
      .select(['id', 'name', 'seller_id', 'settings'])
      .where('id', 'in', accountIds)
      .execute(),
    tx.selectFrom('alerts').select(['id', 'opened_at']).where('id', 'in', alertIds).execute(),
    tx
      .selectFrom('notification_endpoints')
      .select(['id', 'kind', 'name', 'account_id', 'min_severity'])
      .where('enabled', '=', true)
      .execute(),
  ]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const openedAt = new Map(alerts.map((a) => [a.id, a.opened_at]));
  // The global list (the admins, when nobody is named) is read once for every account in the batch.
  const everyone = await effectiveRecipients(tx, global);
  const recipientsByAccount = new Map(
    accounts.map((a) => [a.id, withAccountRecipients(everyone, a.settings)]),
  );

  const rows: Array<{
    idempotency_key: string;
    kind: OutboxKind;
    channel: 'email' | 'webhook' | 'slack';
    recipient: string;
    subject: string;
    payload: string;
    account_id: string;
    severity: string;
    groupable: boolean;
    alert_event_id: string;
    endpoint_id: string | null;
    next_attempt_at: Date;
  }> = [];
  for (const d of deliveries) {
    const account = accountById.get(d.accountId);
    if (!account) continue;
    const message: StoredAlertMessage = {
      kind: d.kind,
      alertId: d.alertId,
      rule: d.rule,
      severity: d.severity,
      title: d.title,
      accountId: d.accountId,
      accountName: account.name,
      sellerId: account.seller_id,
      marketplaceId: d.marketplaceId,
      marketplaceName: MARKETPLACES[d.marketplaceId]?.name ?? null,
      details: d.details,
      at: d.at.toISOString(),
      openedAt: (openedAt.get(d.alertId) ?? d.at).toISOString(),
    };
    const payload = JSON.stringify({ eventId: d.eventId, message } satisfies AlertPayload);
    const kind: OutboxKind = d.kind === 'reminder' ? 'reminder' : 'alert';
    // Critical news goes at once; the rest waits out the group window for whatever else comes to the same inbox.
    const urgent = d.severity === 'critical' && d.kind !== 'resolved';
    const groupable = !urgent && global.groupWindowSeconds > 0;
    const dueAt = groupable ? new Date(now.getTime() + global.groupWindowSeconds * 1000) : now;
    const subject = `${d.kind === 'resolved' ? 'Resolved: ' : ''}${d.title}`;
    for (const email of addressesFor(recipientsByAccount.get(d.accountId) ?? [], d.severity)) {
      rows.push({
        idempotency_key: `event:${d.eventId}:email:${email}`,
        kind,
        channel: 'email',
        recipient: email,
        subject,
        payload,
        account_id: d.accountId,
        severity: d.severity,
        groupable,
        alert_event_id: d.eventId,
        endpoint_id: null,
        next_attempt_at: dueAt,
      });
    }
    for (const e of endpoints) {
      if (e.account_id !== null && e.account_id !== d.accountId) continue;
      if (!atLeast(d.severity, e.min_severity)) continue;
      rows.push({
        idempotency_key: `event:${d.eventId}:endpoint:${e.id}`,
        kind,
        channel: e.kind,
        recipient: e.name,
        subject,
        payload,
        account_id: d.accountId,
        severity: d.severity,
        groupable: false,
        alert_event_id: d.eventId,
        endpoint_id: e.id,
        next_attempt_at: now,
      });
    }
  }
  if (rows.length === 0) return 0;
  const written = await tx
    .insertInto('outbox_messages')
    .values(rows)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .execute();
  return written.length;
}
