import type { RuleName, Severity } from './rules.ts';

// What an evaluation did to an alert, as the engine publishes it and delivery sends it on. Its own module, so that
// delivery (notifications/enqueue.ts) can name it without importing the alert service that calls delivery.

export type AlertEventType = 'opened' | 'updated' | 'escalated' | 'resolved';

export interface AlertEvent {
  eventId: string;
  alertId: string;
  event: AlertEventType;
  accountId: string;
  marketplaceId: string;
  rule: RuleName;
  subject: string;
  severity: Severity;
  title: string;
  details: Record<string, unknown>;
  /** The capture time of the report that caused it (Amazon's clock), or the evaluation's time for monitoring. */
  at: Date;
}
