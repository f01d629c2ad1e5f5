import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { figureName } from '../../alerts/rules.ts';
import type { AlertMessage, Severity } from './model.ts';
import type { TestMessageOptions } from './test-email.ts';

// Webhook bodies and their signature. The shape is an API: fields are added, never renamed or removed, and
// `type` says which shape `alert`-less events (the test) take.
//
// Signing, as Stripe does it: the header `Good-Standing-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` signs
// "<t>.<raw body>" with the endpoint's signing secret. A receiver recomputes the HMAC over the raw body it got
// (before any JSON parsing), compares in constant time, and refuses a timestamp more than five minutes from its own
// clock, which stops a captured request being replayed later. `verifyWebhook` below is that check, and the
// snippet the settings page shows is the same logic.

export const SIGNATURE_HEADER = 'Good-Standing-Signature';

export type WebhookAlertEventType = 'alert.opened' | 'alert.escalated' | 'alert.resolved' | 'alert.reminder';

export interface WebhookFigure {
  /** `order_defect_rate`, `late_shipment_rate`, `valid_tracking_rate`… */
  metric: string;
  /** `afn` (fulfilled by Amazon), `mfn` (by the seller), or '' when Amazon gives none. */
  channel: string;
  /** "Order defect rate (FBA)". */
  name: string;
  windowDays: number | null;
  /** A fraction: 0.0082 is 0.82 %. */
  value: number | null;
  /** `published`: Amazon's published target, used because the report gave none. */
  target: { value: number; condition: string; published: boolean } | null;
  /** 0 at the ideal, 1 at the target. */
  allowanceUsed: number | null;
  /** Bad events the window can still take before the target; 0: the next one crosses it. */
  headroom: number | null;
  numerator: number | null;
  denominator: number | null;
  /** ISO; set when the trend is projected to cross the target. */
  projectedBreachAt: string | null;
  window: { from: string | null; to: string | null };
}

export interface WebhookAlertEvent {
  type: WebhookAlertEventType;
  /** Unique per event; the same on every retry of it, so receivers can drop duplicates. */
  id: string;
  /** ISO. */
  createdAt: string;
  alert: {
    id: string;
    rule: string;
    severity: Severity;
    state: 'open' | 'resolved';
    title: string;
    accountId: string;
    accountName: string;
    sellerId: string | null;
    /** Null for an alert about the account itself. */
    marketplaceId: string | null;
    marketplaceName: string | null;
    openedAt: string;
    /** ISO: when the report behind this event was captured. */
    reportCapturedAt: string;
    /** The metric behind a metric alert; null for the other rules. */
    figure: WebhookFigure | null;
    /** Everything the rule recorded, as the alerts API gives it (`status`, `score`, `band`, `count`…). */
    details: Record<string, unknown>;
    links: AlertMessage['links'];
  };
}

export interface WebhookTestEvent {
  type: 'test';
  id: string;
  createdAt: string;
  test: { sentBy: string; publicUrl: string; message: string };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function figureOf(d: Record<string, unknown>): WebhookFigure | null {
  const metric = str(d.metric);
  if (metric === null) return null;
  const channel = typeof d.channel === 'string' ? d.channel : '';
  const windowDays = num(d.windowDays);
  const t = d.target && typeof d.target === 'object' ? (d.target as Record<string, unknown>) : null;
  const targetValue = num(t?.value);
  const condition = str(t?.condition);
  return {
    metric,
    channel,
    name: figureName({ metric, channel, windowDays }),
    windowDays,
    value: num(d.value),
    target:
      targetValue !== null && condition !== null
        ? { value: targetValue, condition, published: t?.published === true }
        : null,
    allowanceUsed: num(d.allowanceUsed),
    headroom: num(d.headroom),
    numerator: num(d.numerator),
    denominator: num(d.denominator),
    projectedBreachAt: str(d.projectedBreachAt),
    window: { from: str(d.windowFrom), to: str(d.windowTo) },
  };
}

/**
 * The body of an alert event. `createdAt` defaults to the capture time of the report behind it, so that the same
 * event renders to the same bytes on every retry; the sender may pass the event's own time instead.
 */
export function webhookAlertPayload(
  m: AlertMessage,
  eventId: string,
  createdAt: string = m.at,
): WebhookAlertEvent {
  return {
    type: `alert.${m.kind}`,
    id: eventId,
    createdAt,
    alert: {
      id: m.alertId,
      rule: m.rule,
      severity: m.severity,
      state: m.kind === 'resolved' ? 'resolved' : 'open',
      title: m.title,
      accountId: m.accountId,
      accountName: m.accountName,
      sellerId: m.sellerId,
      marketplaceId: m.marketplaceId === '' ? null : m.marketplaceId,
      marketplaceName: m.marketplaceId === '' ? null : m.marketplaceName,
      openedAt: m.openedAt,
      reportCapturedAt: m.at,
      figure: figureOf(m.details),
      details: m.details,
      links: { ...m.links },
    },
  };
}

/** A test event; without `eventId`, its id is derived from what it says, so a retry keeps it. */
export function webhookTestPayload(opts: TestMessageOptions & { eventId?: string }): WebhookTestEvent {
  const derived = createHash('sha256').update(`${opts.at}\n${opts.sentBy}\n${opts.publicUrl}`).digest('hex');
  return {
    type: 'test',
    id: opts.eventId ?? `test_${derived.slice(0, 24)}`,
    createdAt: opts.at,
    test: {
      sentBy: opts.sentBy,
      publicUrl: opts.publicUrl,
      message: 'A test from Good Standing: this endpoint receives alert events.',
    },
  };
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The `Good-Standing-Signature` header for `body`: `timestamp` is in Unix seconds. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`a webhook timestamp is whole Unix seconds, not ${timestamp}`);
  }
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * Whether `header` signs exactly `body` with `secret`, at a time within `toleranceSeconds` of `now` (ms). Any `v1`
 * in the header may match, which lets a sender sign with an old and a new secret while a receiver changes over.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  now: number = Date.now(),
): boolean {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  // Every candidate is compared, so the time taken does not tell which one (if any) matched.
  let ok = false;
  for (const s of signatures) {
    if (timingSafeEqual(expected, Buffer.from(s, 'hex'))) ok = true;
  }
  return ok;
}
