import { allowanceUsed, isBreached, PUBLISHED_TARGETS } from '../metrics/standing.ts';
import { ahrBandOf } from '../reports/ahr-band.ts';
import { headroom } from '../metrics/headroom.ts';
import { projectCrossing, type TrendPoint } from './trend.ts';

// The alert rules: from what the stored snapshots say about one marketplace (and the account's own monitoring
// facts) to the conditions that hold now. Pure: the lifecycle (alerts.service.ts) turns conditions into alerts
// that open, update, escalate and resolve, so a condition that holds on two reports in a row is one alert.

const DAY_MS = 86_400_000;

export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITY_ORDER: readonly Severity[] = ['info', 'warning', 'critical'];

/** Each rule, and what it watches. */
export const RULES = {
  metric_breach: 'A metric on the wrong side of its target, or marked BAD by Amazon',
  metric_margin: 'A metric that has used a set share of its allowance (default 75 %)',
  metric_trend: 'A metric whose trend crosses its target within the horizon (default 14 days)',
  account_status: 'The account status of a marketplace is not NORMAL',
  rating: 'The Account Health Rating is WARNED, at risk or critical',
  score_drop:
    'The numeric Account Health Rating fell by more than a set number of points, or into a lower band',
  policy: 'Policy violations in a category (a new category, or a count that grew)',
  warning_state: 'Amazon shows a warning state',
  stale_data: 'No good poll for longer than a set number of polling cycles',
  reauthorization: "Amazon no longer accepts the account's authorization",
  authorization_renewal:
    "The account's authorization nears its yearly renewal (from a set number of days before, default 30)",
} as const;

export type RuleName = keyof typeof RULES;
/** Rules read from a report's marketplace; the rest watch the account itself. */
export const REPORT_RULES: readonly RuleName[] = [
  'metric_breach',
  'metric_margin',
  'metric_trend',
  'account_status',
  'rating',
  'score_drop',
  'policy',
  'warning_state',
];
export const MONITORING_RULES: readonly RuleName[] = [
  'stale_data',
  'reauthorization',
  'authorization_renewal',
];

export interface AlertSettings {
  /** Share of a metric's allowance, from the ideal to the target, that raises an early warning. */
  marginShare: number;
  /** A projected crossing this many days ahead or nearer raises an early warning. */
  trendHorizonDays: number;
  /** History the trend is fitted over, in days. */
  trendWindowDays: number;
  /** A fall of the numeric rating by more than this many points (of 1,000) from its recent best. */
  scoreDropPoints: number;
  /** No good poll for this many polling cycles makes the data stale. */
  staleAfterCycles: number;
  /** The yearly renewal of the authorization is announced this many days ahead (a warning in the last 7). */
  renewalWarningDays: number;
  /** Per-metric overrides (`order_defect_rate: { marginShare: 0.6 }`). */
  metrics: Partial<Record<string, { marginShare?: number; trendHorizonDays?: number }>>;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  marginShare: 0.75,
  trendHorizonDays: 14,
  trendWindowDays: 30,
  scoreDropPoints: 50,
  staleAfterCycles: 3,
  renewalWarningDays: 30,
  metrics: {},
};

/** Rates whose breach Amazon deactivates for (Seller Central's policies); the others restrict. */
const DEACTIVATING_METRICS = new Set([
  'order_defect_rate',
  'pre_fulfillment_cancellation_rate',
  'late_shipment_rate',
]);
const SUSPENDED_STATUSES = new Set(['DEACTIVATED', 'SUSPENDED', 'BANNED']);
const BAND_ORDER = ['critical', 'at_risk', 'healthy'];

export interface FigureFacts {
  metric: string;
  channel: string;
  windowDays: number | null;
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string | null;
  target: { value: number; condition: string } | null;
  window: { from: string | null; to: string | null };
}

export interface MarketplaceFacts {
  marketplaceId: string;
  capturedAt: Date;
  accountStatus: string | null;
  ahr: {
    status: string | null;
    score: number | null;
    band: string | null;
    /** Where the score came from: the report, or Amazon's Data Kiosk for a report without one (`scoreAt`). */
    scoreSource: 'report' | 'data_kiosk' | null;
    scoreAt?: Date;
  };
  /** The highest numeric rating over the trend window before this report. */
  recentBestScore: number | null;
  figures: FigureFacts[];
  /**
   * Daily history, oldest first, of each figure the rules fit a trend to (one with a rate and a target), by
   * `figureSubject`, this report's day included.
   */
  history: ReadonlyMap<string, TrendPoint[]>;
  policies: Record<string, { count: number | null; status: string | null }>;
  warningStates: Array<{ type: string; status: string | null }>;
}

export interface AccountFacts {
  now: Date;
  connectionState: string;
  lastGoodPollAt: Date | null;
  createdAt: Date;
  /** When the seller last authorized the app, which Amazon wants done again every 365 days. */
  authorizedAt: Date;
  pollIntervalMs: number;
}

export interface Condition {
  rule: RuleName;
  /** '' for an account-level condition. */
  marketplaceId: string;
  subject: string;
  severity: Severity;
  title: string;
  details: ConditionDetails;
}

export interface ConditionDetails {
  metric?: string;
  channel?: string;
  windowDays?: number | null;
  value?: number | null;
  target?: { value: number; condition: string; published: boolean } | null;
  allowanceUsed?: number | null;
  headroom?: number | null;
  numerator?: number | null;
  denominator?: number | null;
  projectedBreachAt?: string | null;
  status?: string | null;
  score?: number | null;
  band?: string | null;
  count?: number | null;
  [key: string]: unknown;
}

export const figureSubject = (f: { metric: string; channel: string; windowDays: number | null }) =>
  `${f.metric}:${f.channel}:${f.windowDays ?? ''}`;

const METRIC_NAMES: Record<string, string> = {
  order_defect_rate: 'Order defect rate',
  late_shipment_rate: 'Late shipment rate',
  pre_fulfillment_cancellation_rate: 'Pre-fulfilment cancellation rate',
  valid_tracking_rate: 'Valid tracking rate',
  on_time_delivery_rate: 'On-time delivery rate',
  unit_on_time_delivery_rate: 'Unit on-time delivery rate',
  invoice_defect_rate: 'Invoice defect rate',
};

export function figureName(f: { metric: string; channel: string; windowDays: number | null }): string {
  const name = METRIC_NAMES[f.metric] ?? f.metric.replace(/_/g, ' ');
  const channel = f.channel === 'afn' ? ' (FBA)' : f.channel === 'mfn' ? ' (seller-fulfilled)' : '';
  const window = f.windowDays && f.metric === 'late_shipment_rate' ? `, ${f.windowDays} days` : '';
  return `${name}${channel}${window}`;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1).replace(/\.?0+$/, '')} %`;

function settingsFor(settings: AlertSettings, metric: string) {
  const own = settings.metrics[metric] ?? {};
  return {
    marginShare: own.marginShare ?? settings.marginShare,
    trendHorizonDays: own.trendHorizonDays ?? settings.trendHorizonDays,
  };
}

const utcDay = (at: Date) => Math.floor(at.getTime() / DAY_MS);

/** The newest point (history is oldest first) of a UTC day before `day`. */
function lastBefore(history: readonly TrendPoint[], day: number): TrendPoint | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    if (utcDay(history[i]!.at) < day) return history[i];
  }
  return undefined;
}

function metricConditions(m: MarketplaceFacts, settings: AlertSettings): Condition[] {
  const out: Condition[] = [];
  for (const f of m.figures) {
    if (f.rate === null) continue;
    const reportTarget = f.target;
    const published = reportTarget ? null : (PUBLISHED_TARGETS[f.metric] ?? null);
    const target = reportTarget ?? published;
    const base: ConditionDetails = {
      metric: f.metric,
      channel: f.channel,
      windowDays: f.windowDays,
      value: f.rate,
      target: target ? { ...target, published: !reportTarget } : null,
      numerator: f.numerator,
      denominator: f.denominator,
      allowanceUsed: target ? allowanceUsed(f.rate, target.value, target.condition) : null,
      headroom: headroom({ numerator: f.numerator, denominator: f.denominator, target }),
      windowFrom: f.window.from,
      windowTo: f.window.to,
    };
    const subject = figureSubject(f);
    const name = figureName(f);
    const breached = target ? isBreached(f.rate, target.value, target.condition) === true : false;
    if (breached || f.status?.toUpperCase() === 'BAD') {
      out.push({
        rule: 'metric_breach',
        marketplaceId: m.marketplaceId,
        subject,
        severity: DEACTIVATING_METRICS.has(f.metric) ? 'critical' : 'warning',
        title: target
          ? `${name} is ${pct(f.rate)}, past its target of ${pct(target.value)}`
          : `${name} is marked bad by Amazon`,
        details: base,
      });
      // Past the target, the early warnings have done their work: one alert speaks for the metric.
      continue;
    }
    if (!target) continue;
    const own = settingsFor(settings, f.metric);
    const used = base.allowanceUsed;
    // Confirmed by the day before, where there is one: a figure that crosses the margin for one day and falls back
    // the next (a handful of invoices in a 7-day window) is noise, not a warning.
    const history = m.history.get(subject) ?? [];
    const previous = lastBefore(history, utcDay(m.capturedAt));
    const previousUsed = previous ? allowanceUsed(previous.rate, target.value, target.condition) : null;
    const confirmed = !previous || (previousUsed !== null && previousUsed >= own.marginShare);
    if (used !== null && used !== undefined && used >= own.marginShare && confirmed) {
      out.push({
        rule: 'metric_margin',
        marketplaceId: m.marketplaceId,
        subject,
        severity: 'warning',
        title: `${name} is ${pct(f.rate)}: ${Math.round(used * 100)} % of the way to its target of ${pct(target.value)}`,
        details: base,
      });
    }
    const trend = projectCrossing(history, target);
    if (trend.kind === 'crossing') {
      const daysAhead = (trend.projectedAt.getTime() - m.capturedAt.getTime()) / DAY_MS;
      if (daysAhead <= own.trendHorizonDays) {
        out.push({
          rule: 'metric_trend',
          marketplaceId: m.marketplaceId,
          subject,
          severity: 'warning',
          title: `${name} is heading for its target of ${pct(target.value)}: projected to cross it on ${trend.projectedAt.toISOString().slice(0, 10)}`,
          details: {
            ...base,
            projectedBreachAt: trend.projectedAt.toISOString(),
            slopePerDay: trend.slopePerDay,
            confidence: trend.confidence,
          },
        });
      }
    }
  }
  return out;
}

function statusConditions(m: MarketplaceFacts, settings: AlertSettings): Condition[] {
  const out: Condition[] = [];
  const status = m.accountStatus?.toUpperCase() ?? null;
  if (status && status !== 'NORMAL') {
    const suspended = SUSPENDED_STATUSES.has(status);
    out.push({
      rule: 'account_status',
      marketplaceId: m.marketplaceId,
      subject: '',
      severity: suspended ? 'critical' : 'warning',
      title: suspended
        ? `The account is ${status.toLowerCase()} in this marketplace`
        : `The account status is ${status.replace(/_/g, ' ').toLowerCase()}`,
      details: { status },
    });
  }
  const band = m.ahr.band;
  const warned = m.ahr.status?.toUpperCase() === 'WARNED';
  if (warned || band === 'at_risk' || band === 'critical') {
    out.push({
      rule: 'rating',
      marketplaceId: m.marketplaceId,
      subject: '',
      severity: band === 'critical' ? 'critical' : 'warning',
      title:
        m.ahr.score !== null
          ? `Account Health Rating ${m.ahr.score}${band ? ` (${band.replace('_', ' ')})` : ''}`
          : `Account Health Rating is ${m.ahr.status?.toLowerCase() ?? band}`,
      details: { status: m.ahr.status, score: m.ahr.score, band, ...scoreFrom(m) },
    });
  }
  const score = m.ahr.score;
  const best = m.recentBestScore;
  if (score !== null && best !== null) {
    const fell = best - score > settings.scoreDropPoints;
    const bandNow = ahrBandOf(null, score);
    const bandBefore = ahrBandOf(null, best);
    const lowerBand =
      bandNow !== null && bandBefore !== null && BAND_ORDER.indexOf(bandNow) < BAND_ORDER.indexOf(bandBefore);
    if (fell || lowerBand) {
      out.push({
        rule: 'score_drop',
        marketplaceId: m.marketplaceId,
        subject: '',
        severity: 'warning',
        title: `Account Health Rating fell from ${best} to ${score}${lowerBand ? `, into ${bandNow!.replace('_', ' ')}` : ''}`,
        details: { score, previousScore: best, band: bandNow, previousBand: bandBefore, ...scoreFrom(m) },
      });
    }
  }
  return out;
}

/** Says so in the alert when the score is Data Kiosk's (the report had none). */
function scoreFrom(m: MarketplaceFacts): { scoreSource?: 'data_kiosk'; scoreAt?: string } {
  return m.ahr.scoreSource === 'data_kiosk' && m.ahr.scoreAt
    ? { scoreSource: 'data_kiosk', scoreAt: m.ahr.scoreAt.toISOString() }
    : {};
}

const POLICY_WORDS: Record<string, string> = {
  document_requests: 'Amazon asked for documents',
};

function policyConditions(m: MarketplaceFacts): Condition[] {
  const out: Condition[] = [];
  for (const [category, p] of Object.entries(m.policies)) {
    if (!p.count || p.count <= 0) continue;
    out.push({
      rule: 'policy',
      marketplaceId: m.marketplaceId,
      subject: category,
      severity: 'warning',
      title:
        POLICY_WORDS[category] ??
        `${p.count} ${category.replace(/_/g, ' ')}`.replace(/ violations$/, ' violation(s)'),
      details: { category, count: p.count, status: p.status },
    });
  }
  for (const w of m.warningStates) {
    out.push({
      rule: 'warning_state',
      marketplaceId: m.marketplaceId,
      subject: w.type,
      severity: 'warning',
      title: `Amazon shows a warning: ${w.type.replace(/_/g, ' ').toLowerCase()}`,
      details: { type: w.type, status: w.status },
    });
  }
  return out;
}

/** The conditions one marketplace's newest report shows. */
export function reportConditions(m: MarketplaceFacts, settings: AlertSettings = DEFAULT_ALERT_SETTINGS) {
  return [...metricConditions(m, settings), ...statusConditions(m, settings), ...policyConditions(m)];
}

/** The conditions of the account itself: its data and its authorization. */
export function monitoringConditions(
  a: AccountFacts,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
): Condition[] {
  const out: Condition[] = [];
  if (a.connectionState === 'needs_reauthorization') {
    out.push({
      rule: 'reauthorization',
      marketplaceId: '',
      subject: '',
      severity: 'critical',
      title: 'Amazon no longer accepts the authorization: reconnect the account to keep it monitored',
      details: {},
    });
  }
  const renewal = renewalCondition(a, settings);
  if (renewal) out.push(renewal);
  if (a.connectionState !== 'disconnected') {
    const since = a.lastGoodPollAt ?? a.createdAt;
    const limit = settings.staleAfterCycles * a.pollIntervalMs;
    if (a.now.getTime() - since.getTime() > limit) {
      out.push({
        rule: 'stale_data',
        marketplaceId: '',
        subject: '',
        severity: 'warning',
        title: a.lastGoodPollAt
          ? `No good poll since ${a.lastGoodPollAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`
          : 'No good poll yet',
        details: { lastGoodPollAt: a.lastGoodPollAt?.toISOString() ?? null, staleAfterMs: limit },
      });
    }
  }
  return out;
}

/** Amazon asks sellers to authorize an app again every 365 days (SP-API docs, "Renew Authorizations"). */
const AUTHORIZATION_DAYS = 365;
/** The last days before the renewal falls due raise a warning, not a notice. */
const RENEWAL_WARNING_DAYS = 7;

/**
 * When the authorization must next be renewed: the first 365-day anniversary of `authorizedAt` after the last
 * good poll, since a poll that succeeded after an anniversary shows the seller renewed by then. A renewal the
 * account does not record (one whose authorization time did not move) is thus counted from the anniversary.
 */
export function renewalDue(authorizedAt: Date, lastGoodPollAt: Date | null): Date {
  const period = AUTHORIZATION_DAYS * DAY_MS;
  const since = Math.max(lastGoodPollAt?.getTime() ?? 0, authorizedAt.getTime());
  const periods = Math.floor((since - authorizedAt.getTime()) / period) + 1;
  return new Date(authorizedAt.getTime() + periods * period);
}

function renewalCondition(a: AccountFacts, settings: AlertSettings): Condition | null {
  // A refused authorization has its own alert, and a disconnected account none to renew.
  if (a.connectionState === 'needs_reauthorization' || a.connectionState === 'disconnected') return null;
  const renewBy = renewalDue(a.authorizedAt, a.lastGoodPollAt);
  const daysLeft = (renewBy.getTime() - a.now.getTime()) / DAY_MS;
  if (daysLeft > settings.renewalWarningDays) return null;
  const day = renewBy.toISOString().slice(0, 10);
  return {
    rule: 'authorization_renewal',
    marketplaceId: '',
    // The renewal due on that day: a new authorization moves the day, which resolves this one.
    subject: day,
    severity: daysLeft <= RENEWAL_WARNING_DAYS ? 'warning' : 'info',
    title: `Renew the Amazon authorization by ${day}: sellers must authorize the app again every year`,
    details: { authorizedAt: a.authorizedAt.toISOString(), renewBy: renewBy.toISOString() },
  };
}

export function severityRank(s: Severity): number {
  return SEVERITY_ORDER.indexOf(s);
}
