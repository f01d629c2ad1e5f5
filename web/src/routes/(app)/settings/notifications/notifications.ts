// The notification API's answers (server/src/notifications/), typed here until the server's schemas are exported
// through api-types.ts; then these become re-exports of those.

export type Severity = 'critical' | 'warning' | 'info';

/** The most severe first, as the checkboxes and the minimum-severity choice list them. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface Recipient {
  email: string;
  severities: Severity[];
}

export interface EffectiveRecipient extends Recipient {
  /** `admins`: nobody is listed, so every admin receives critical alerts and warnings. */
  source: 'settings' | 'admins' | 'account';
}

export interface MetricAlertSettings {
  marginShare?: number;
  trendHorizonDays?: number;
}

export interface AlertSettings {
  marginShare: number;
  trendHorizonDays: number;
  trendWindowDays: number;
  scoreDropPoints: number;
  staleAfterCycles: number;
  /** Not set: no renewal warning is configured. */
  renewalWarningDays?: number;
  metrics: Record<string, MetricAlertSettings>;
}

export interface NotificationSettings {
  recipients: Recipient[];
  groupWindowSeconds: number;
  /** 0: reminders are off. */
  reminderHours: number;
  alerts: AlertSettings;
  effectiveRecipients: EffectiveRecipient[];
  mail: { smtpConfigured: boolean; from: string; publicUrl: string | null };
}

/** What `PUT /api/notifications/settings` takes. */
export type SettingsChange = Pick<
  NotificationSettings,
  'recipients' | 'groupWindowSeconds' | 'reminderHours' | 'alerts'
>;

export function settingsChange(settings: NotificationSettings): SettingsChange {
  const { recipients, groupWindowSeconds, reminderHours, alerts } = settings;
  return { recipients, groupWindowSeconds, reminderHours, alerts };
}

export interface AccountNotifications {
  /** Added to the global recipients, for this account's alerts only. */
  recipients: Recipient[];
  /** The account's own values; whatever is missing follows the global settings. */
  alerts: Partial<AlertSettings>;
  /** What the rules use for this account. */
  effectiveAlerts: AlertSettings;
}

export type EndpointKind = 'webhook' | 'slack';

export interface Endpoint {
  id: string;
  kind: EndpointKind;
  name: string;
  /** Null: every account. */
  accountId: string | null;
  accountName: string | null;
  /** The address with its secret part left out, "https://hooks.slack.com/…/Xy9". */
  urlHint: string;
  minSeverity: Severity;
  enabled: boolean;
  createdAt: string;
}

export interface CreatedEndpoint {
  endpoint: Endpoint;
  /** Webhooks only, and only in this answer: the server keeps it sealed and never shows it again. */
  signingSecret: string | null;
}

/** The header a webhook receiver checks against the signing secret. */
export const SIGNATURE_HEADER = 'Good-Standing-Signature';

export const ENDPOINT_KIND: Record<EndpointKind, string> = { webhook: 'Webhook', slack: 'Slack' };

export const SEVERITY_FLOOR: Record<Severity, string> = {
  critical: 'Critical only',
  warning: 'Warnings and critical',
  info: 'Everything, info included',
};

/** An alert threshold as the form shows it: the stored value and the one typed differ for the margin only. */
export interface Threshold {
  key: Exclude<keyof AlertSettings, 'metrics'>;
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  /** May be left empty even in the global settings. */
  optional?: boolean;
  /** Why the default is what it is, in a line. */
  reason: string;
  /** Stored → typed (the margin is stored as a share and typed as a percentage). */
  shown: (stored: number) => number;
  /** Typed → stored. */
  stored: (shown: number) => number;
}

const same = (x: number) => x;

export const THRESHOLDS: readonly Threshold[] = [
  {
    key: 'marginShare',
    label: 'Early warning at',
    unit: '% of the allowance',
    min: 50,
    max: 95,
    step: 1,
    reason:
      'A metric that has used this much of the room between its ideal and its target, two days running, warns (75 %: a few orders’ worth left).',
    shown: (share) => Math.round(share * 100),
    stored: (percent) => percent / 100,
  },
  {
    key: 'trendHorizonDays',
    label: 'Trend horizon',
    unit: 'days',
    min: 1,
    max: 90,
    step: 1,
    reason:
      'A trend projected to cross its target this soon warns: two weeks is what it takes to fix most causes (a carrier, a listing, a supplier).',
    shown: same,
    stored: same,
  },
  {
    key: 'trendWindowDays',
    label: 'Trend fitted over',
    unit: 'days',
    min: 7,
    max: 90,
    step: 1,
    reason:
      'The history the trend line is fitted to: a month follows real changes without chasing one bad day.',
    shown: same,
    stored: same,
  },
  {
    key: 'scoreDropPoints',
    label: 'Rating drop',
    unit: 'points',
    min: 1,
    max: 1000,
    step: 1,
    reason:
      'A fall of the Account Health Rating by more than this from its best of the last 30 days warns: more than a day’s wobble.',
    shown: same,
    stored: same,
  },
  {
    key: 'staleAfterCycles',
    label: 'Data stale after',
    unit: 'polling cycles',
    min: 1,
    max: 50,
    step: 1,
    reason:
      'One missed poll can be a retry in flight and two a slow report from Amazon; three is worth a message.',
    shown: same,
    stored: same,
  },
  {
    key: 'renewalWarningDays',
    label: 'Renewal warning',
    unit: 'days before',
    min: 1,
    max: 90,
    step: 1,
    optional: true,
    reason:
      'An account’s authorization to Good Standing expires after a year: warn this long before it must be renewed in Seller Central.',
    shown: same,
    stored: same,
  },
];

/** "critical, warning" → "Critical and warnings". */
export function severityWords(severities: readonly Severity[]): string {
  const words = SEVERITIES.filter((s) => severities.includes(s)).map(
    (s) => ({ critical: 'critical', warning: 'warnings', info: 'info' })[s],
  );
  if (words.length === 0) return 'nothing';
  const text = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export type ThresholdKey = Threshold['key'];
export type ThresholdTexts = Record<ThresholdKey, string>;

/** The thresholds as the form's fields hold them; '' where a value is not set (an account following the global). */
export function thresholdTexts(alerts: Partial<AlertSettings>): ThresholdTexts {
  return Object.fromEntries(
    THRESHOLDS.map((t) => {
      const stored = alerts[t.key];
      return [t.key, typeof stored === 'number' ? String(t.shown(stored)) : ''];
    }),
  ) as ThresholdTexts;
}

/** The fields' values to store; an empty field is left out. */
export function storedThresholds(texts: ThresholdTexts): Partial<Omit<AlertSettings, 'metrics'>> {
  const out: Partial<Record<ThresholdKey, number>> = {};
  for (const t of THRESHOLDS) {
    const text = texts[t.key].trim();
    if (text !== '') out[t.key] = t.stored(Number(text));
  }
  return out;
}

/** "75 % of the allowance", "14 days"; "not set" for an optional threshold left empty. */
export function thresholdValue(t: Threshold, stored: number | undefined): string {
  if (stored === undefined) return 'not set';
  return `${t.shown(stored)}${t.unit.startsWith('%') ? '\u00a0' : ' '}${t.unit}`;
}
