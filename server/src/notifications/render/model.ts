// What the renderers are given: plain data gathered by the delivery side (alerts, accounts, links), so that
// turning it into an email, a Slack message or a webhook body is a pure function that tests can call directly.

export type Severity = 'info' | 'warning' | 'critical';

export interface AlertMessage {
  kind: 'opened' | 'escalated' | 'resolved' | 'reminder';
  alertId: string;
  rule: string;
  severity: Severity;
  title: string;
  accountId: string;
  accountName: string;
  sellerId: string | null;
  /** '' for account-level alerts. */
  marketplaceId: string;
  /** 'Amazon.de'. */
  marketplaceName: string | null;
  /**
   * The alert's ConditionDetails (alerts/rules.ts): value, target {value, condition, published}, headroom,
   * allowanceUsed, numerator, denominator, projectedBreachAt, windowDays, windowFrom, windowTo, status, score,
   * band, count, category, type, metric, channel…
   */
  details: Record<string, unknown>;
  /** ISO: when the report that caused it was captured. */
  at: string;
  /** ISO. */
  openedAt: string;
  /** Absolute URLs. */
  links: { alert: string; account: string; startCase: string; inbox: string; settings: string };
}

export type DigestTone = 'good' | 'near' | 'breached' | 'unknown';
export type Direction = 'up' | 'down' | 'flat';

export interface DigestFigure {
  metric: string;
  channel: string;
  windowDays: number | null;
  value: number | null;
  target: { value: number; condition: string } | null;
  tone: DigestTone;
  trend: Direction | null;
  /**
   * The direction in which this figure improves ('down' for an "under" target). Read only when the figure has no
   * target: with a target, the target's condition says which way is better.
   */
  better: Direction | null;
}

export interface DigestAccountRow {
  accountId: string;
  accountName: string;
  marketplaceId: string;
  marketplaceName: string | null;
  status: string | null;
  ratingStatus: string | null;
  score: number | null;
  figures: DigestFigure[];
  openAlerts: number;
  projectedBreachAt: string | null;
  link: string;
  stale: boolean;
}

export interface DigestMessage {
  recipientName: string | null;
  /** YYYY-MM-DD, in the recipient's zone. */
  localDate: string;
  timeZone: string;
  accounts: DigestAccountRow[];
  openAlerts: { critical: number; warning: number; info: number };
  topAlerts: Array<{
    title: string;
    severity: Severity;
    accountName: string;
    link: string;
    projectedBreachAt: string | null;
  }>;
  links: { overview: string; inbox: string; settings: string };
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}
