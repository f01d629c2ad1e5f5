import { isBreached, marketplaceStanding } from '../metrics/standing.ts';
import type { MonitoringState } from './monitoring.repository.ts';

// The Prometheus series GET /metrics exposes, computed from one read of the database. Pure, so the names, labels
// and values are checked without a database. Labels stay few and bounded: an account is its seller id and region
// (a seller id alone may be connected in two regions), its name appears once, on `good_standing_account_info`.
// No alert ids, no user data.

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}

export interface SeriesDefinition {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  labelNames: readonly string[];
}

const ACCOUNT = ['account', 'region'] as const;
const MARKETPLACE = [...ACCOUNT, 'marketplace'] as const;
const FIGURE = [...MARKETPLACE, 'metric', 'channel', 'window_days'] as const;

export const SERIES = {
  accountInfo: {
    name: 'good_standing_account_info',
    help: 'Always 1: a connected seller account, with its name',
    type: 'gauge',
    labelNames: [...ACCOUNT, 'name'],
  },
  connectionState: {
    name: 'good_standing_account_connection_state',
    help: 'Always 1, for the state of the connection to Amazon: connected, degraded, needs_reauthorization, disconnected',
    type: 'gauge',
    labelNames: [...ACCOUNT, 'state'],
  },
  lastGoodPoll: {
    name: 'good_standing_last_successful_poll_timestamp_seconds',
    help: 'When the last successful poll of the account finished (this server’s clock); absent before the first',
    type: 'gauge',
    labelNames: ACCOUNT,
  },
  standing: {
    name: 'good_standing_marketplace_standing',
    help: 'Always 1, for the standing of a marketplace: suspended, at_risk, fine or unknown (as the overview says)',
    type: 'gauge',
    labelNames: [...MARKETPLACE, 'standing'],
  },
  accountStatus: {
    name: 'good_standing_account_status',
    help: "Always 1, for Amazon's account status of a marketplace (NORMAL, AT_RISK, DEACTIVATED...)",
    type: 'gauge',
    labelNames: [...MARKETPLACE, 'status'],
  },
  ahrScore: {
    name: 'good_standing_ahr_score',
    help: 'The Account Health Rating (0-1000: under 100 critical, under 200 at risk)',
    type: 'gauge',
    labelNames: MARKETPLACE,
  },
  ahrStatus: {
    name: 'good_standing_ahr_status',
    help: "Always 1, for Amazon's label of the Account Health Rating (GREAT, GOOD, FAIR, AT_RISK...)",
    type: 'gauge',
    labelNames: [...MARKETPLACE, 'status'],
  },
  lastReport: {
    name: 'good_standing_last_report_timestamp_seconds',
    help: 'Capture time of the newest report of the marketplace (Amazon’s clock)',
    type: 'gauge',
    labelNames: MARKETPLACE,
  },
  rate: {
    name: 'good_standing_metric_rate',
    help: 'The newest figure of a metric, as a fraction (0.009 is 0.9 %); window_days: its reporting window, absent when the report gives none',
    type: 'gauge',
    labelNames: FIGURE,
  },
  target: {
    name: 'good_standing_metric_target',
    help: "The figure's target from Amazon's report, as a fraction",
    type: 'gauge',
    labelNames: FIGURE,
  },
  breached: {
    name: 'good_standing_metric_breached',
    help: '1 when the newest figure is on the wrong side of its target, else 0; absent when it cannot be told',
    type: 'gauge',
    labelNames: FIGURE,
  },
  openAlerts: {
    name: 'good_standing_open_alerts',
    help: 'Unresolved alerts of the account, by severity and state (open, acknowledged)',
    type: 'gauge',
    labelNames: [...ACCOUNT, 'severity', 'state'],
  },
  polls: {
    name: 'good_standing_polls_total',
    help: 'Finished poll runs of the account, by outcome (succeeded, failed, abandoned)',
    type: 'counter',
    labelNames: [...ACCOUNT, 'status'],
  },
  throttles: {
    name: 'good_standing_poll_throttles_total',
    help: "Throttled SP-API calls (429) of the account's poll runs",
    type: 'counter',
    labelNames: ACCOUNT,
  },
  pollsInFlight: {
    name: 'good_standing_polls_in_flight',
    help: 'Poll runs not finished, by status: queued, running, waiting (for Amazon to make the report)',
    type: 'gauge',
    labelNames: ['status'],
  },
  outbox: {
    name: 'good_standing_outbox_messages',
    help: 'Notifications not sent, by status (pending, sending, failed: attempts spent) and channel',
    type: 'gauge',
    labelNames: ['status', 'channel'],
  },
  outboxOldest: {
    name: 'good_standing_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest pending notification; 0 when none is pending',
    type: 'gauge',
    labelNames: [],
  },
} as const satisfies Record<string, SeriesDefinition>;

export type SeriesKey = keyof typeof SERIES;

const SEVERITIES = ['critical', 'warning', 'info'] as const;
const ALERT_STATES = ['open', 'acknowledged'] as const;
const POLL_OUTCOMES = ['succeeded', 'failed', 'abandoned'] as const;
const IN_FLIGHT = ['queued', 'running', 'waiting'] as const;
const OUTBOX_STATUSES = ['pending', 'sending', 'failed'] as const;
const OUTBOX_CHANNELS = ['email', 'webhook', 'slack'] as const;

/** Every series' samples. Counts of a known set (severities, outcomes, statuses) are written as 0 when none. */
export function monitoringSamples(state: MonitoringState): Record<SeriesKey, Sample[]> {
  const out = Object.fromEntries(Object.keys(SERIES).map((k) => [k, [] as Sample[]])) as Record<
    SeriesKey,
    Sample[]
  >;
  const push = (key: SeriesKey, labels: Labels, value: number | null) => {
    if (value !== null && Number.isFinite(value)) out[key].push({ labels, value });
  };

  const accounts = new Map(state.accounts.map((a) => [a.id, { account: a.sellerId, region: a.region }]));
  for (const a of state.accounts) {
    const labels = accounts.get(a.id)!;
    push('accountInfo', { ...labels, name: a.name }, 1);
    push('connectionState', { ...labels, state: a.connectionState }, 1);
    push('lastGoodPoll', labels, a.lastGoodPollAt);
  }

  const figuresOf = new Map<string, MonitoringState['figures']>();
  for (const f of state.figures) {
    const key = `${f.accountId}|${f.marketplaceId}`;
    const list = figuresOf.get(key);
    if (list) list.push(f);
    else figuresOf.set(key, [f]);
  }
  for (const m of state.marketplaces) {
    const account = accounts.get(m.accountId);
    // Marketplaces polled, and any that has data: the overview's.
    if (!account || (!m.polled && m.lastReportAt === null)) continue;
    const labels = { ...account, marketplace: m.marketplaceId };
    const figures = (figuresOf.get(`${m.accountId}|${m.marketplaceId}`) ?? []).map((f) => ({
      ...f,
      breached: isBreached(f.rate, f.targetValue, f.targetCondition),
    }));
    const standing = marketplaceStanding({
      accountStatus: m.accountStatus,
      ahrBand: m.ahrBand,
      hasData: m.lastReportAt !== null,
      figures,
    });
    push('standing', { ...labels, standing }, 1);
    if (m.accountStatus !== null) push('accountStatus', { ...labels, status: m.accountStatus }, 1);
    push('ahrScore', labels, m.ahrScore);
    if (m.ahrStatus !== null) push('ahrStatus', { ...labels, status: m.ahrStatus }, 1);
    push('lastReport', labels, m.lastReportAt);
    for (const f of figures) {
      const figure: Labels = { ...labels, metric: f.metric, channel: f.channel };
      if (f.windowDays !== null) figure.window_days = String(f.windowDays);
      push('rate', figure, f.rate);
      push('target', figure, f.targetValue);
      push('breached', figure, f.breached === null ? null : f.breached ? 1 : 0);
    }
  }

  const alertCounts = new Map(state.alerts.map((a) => [`${a.accountId}|${a.severity}|${a.state}`, a.count]));
  const pollCounts = new Map(state.polls.map((p) => [p.accountId, p]));
  for (const [id, labels] of accounts) {
    for (const severity of SEVERITIES) {
      for (const alertState of ALERT_STATES) {
        push(
          'openAlerts',
          { ...labels, severity, state: alertState },
          alertCounts.get(`${id}|${severity}|${alertState}`) ?? 0,
        );
      }
    }
    const polls = pollCounts.get(id);
    for (const status of POLL_OUTCOMES) push('polls', { ...labels, status }, polls?.[status] ?? 0);
    push('throttles', labels, polls?.throttles ?? 0);
  }

  const inFlight = new Map(state.pollsInFlight.map((p) => [p.status, p.count]));
  for (const status of IN_FLIGHT) push('pollsInFlight', { status }, inFlight.get(status) ?? 0);

  const outbox = new Map(state.outbox.map((o) => [`${o.status}|${o.channel}`, o]));
  for (const status of OUTBOX_STATUSES) {
    for (const channel of OUTBOX_CHANNELS) {
      push('outbox', { status, channel }, outbox.get(`${status}|${channel}`)?.count ?? 0);
    }
  }
  const pending = state.outbox.filter((o) => o.status === 'pending').map((o) => o.oldestAgeSeconds);
  push('outboxOldest', {}, pending.length > 0 ? Math.max(...pending) : 0);
  return out;
}
