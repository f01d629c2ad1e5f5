// The outbox API's answers (server/src/notifications/), typed here until the server's schemas are exported through
// api-types.ts.

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';
export type OutboxChannel = 'email' | 'webhook' | 'slack';
export type OutboxKind = 'alert' | 'reminder' | 'digest' | 'test' | 'case';
export type DeliveredVia = 'smtp' | 'outbox' | 'http';

export interface OutboxMessage {
  id: string;
  kind: OutboxKind;
  channel: OutboxChannel;
  recipient: string;
  subject: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  /** `outbox`: no SMTP server is configured, so the message was kept here as it would have been sent. */
  deliveredVia: DeliveredVia | null;
  accountId: string | null;
  accountName: string | null;
  severity: string | null;
  alertId: string | null;
}

export interface OutboxMessageFull extends OutboxMessage {
  bodyText: string | null;
  bodyHtml: string | null;
  /** What a webhook or Slack message posts. */
  payload: unknown;
  messageId: string | null;
}

export interface OutboxList {
  total: number;
  page: number;
  pageSize: number;
  counts: Record<OutboxStatus, number>;
  smtpConfigured: boolean;
  messages: OutboxMessage[];
}

type Tone = 'good' | 'warning' | 'critical' | 'neutral';

export const STATUS: Record<OutboxStatus, { tone: Tone; label: string }> = {
  pending: { tone: 'neutral', label: 'Pending' },
  sending: { tone: 'neutral', label: 'Sending' },
  sent: { tone: 'good', label: 'Sent' },
  failed: { tone: 'critical', label: 'Failed' },
};

export const CHANNEL: Record<OutboxChannel, string> = { email: 'Email', webhook: 'Webhook', slack: 'Slack' };

export const KIND: Record<OutboxKind, string> = {
  alert: 'Alert',
  reminder: 'Reminder',
  digest: 'Daily digest',
  test: 'Test',
  case: 'Case',
};

export const VIA: Record<DeliveredVia, string> = {
  smtp: 'SMTP',
  outbox: 'kept in the outbox',
  http: 'HTTP',
};

/** How a message ended up, in a sentence: what the test buttons say once it has gone (or not). */
export function outcomeWords(message: OutboxMessage): string {
  if (message.status === 'sent') {
    return message.deliveredVia === 'outbox' ? 'Kept in the outbox (no SMTP server configured)' : 'Sent';
  }
  if (message.status === 'failed') return `Failed: ${message.lastError ?? 'no reason given'}`;
  return message.lastError
    ? `Not sent yet (${message.lastError}); it will be tried again`
    : 'Waiting to be sent';
}
