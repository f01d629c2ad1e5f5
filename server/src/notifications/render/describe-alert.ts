import { figureName } from '../../alerts/rules.ts';
import { headroom as countHeadroom } from '../../metrics/headroom.ts';
import { allowanceUsed, isBreached, lowerIsBetter } from '../../metrics/standing.ts';
import {
  clockUtc,
  count,
  dayUtc,
  oneLine,
  ordinal,
  percent,
  plural,
  points,
  share,
  truncate,
  windowRange,
  words,
} from './format.ts';
import type { AlertMessage, Severity } from './model.ts';

// One alert in words, the same for every channel: email (HTML and text) and Slack lay these facts out, each its
// own way, so a seller reads the same sentences wherever the alert reaches them.

export type Prefix = 'Critical' | 'Warning' | 'Info' | 'Resolved' | 'Reminder';
export type Tone = Severity | 'resolved';

export interface Fact {
  label: string;
  text: string;
  /** A link to show with it (the account's page). */
  url?: string;
}

export interface FigureView {
  name: string;
  value: string;
  /** "target under 1 %", or null when there is none. */
  target: string | null;
  /** "Amazon's published target: the report gave none". */
  targetNote: string | null;
  /** "Order defect rate (FBA): 0.82 % — target under 1 %". */
  line: string;
  /** The headroom, or how far past the target, in a sentence. */
  margin: string | null;
}

export interface AlertView {
  prefix: Prefix;
  tone: Tone;
  /** "■ Critical", "✓ Resolved": a symbol and a word beside the colour. */
  badge: string;
  /** "New alert, opened 3 Dec 2026, 06:12 UTC." */
  happened: string;
  /** "Acme EU, Amazon.de". */
  place: string;
  figure: FigureView | null;
  /** Everything else worth knowing, in reading order. */
  facts: Fact[];
  /** The links to act on; a resolved alert has no case to start. */
  actions: Array<{ label: string; url: string; primary: boolean }>;
}

const SEVERITY_WORDS: Record<Severity, Prefix> = { critical: 'Critical', warning: 'Warning', info: 'Info' };
export const SYMBOLS: Record<Tone, string> = { critical: '■', warning: '▲', info: '●', resolved: '✓' };
const TONE_WORDS: Record<Tone, string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
  resolved: 'Resolved',
};

export function prefixOf(m: AlertMessage): Prefix {
  if (m.kind === 'resolved') return 'Resolved';
  if (m.kind === 'reminder') return 'Reminder';
  return SEVERITY_WORDS[m.severity];
}

export function toneOf(m: Pick<AlertMessage, 'kind' | 'severity'>): Tone {
  return m.kind === 'resolved' ? 'resolved' : m.severity;
}

const TARGET_WORDS: Record<string, string> = {
  LESS_THAN: 'under',
  LESS_THAN_OR_EQUAL: 'at most',
  GREATER_THAN: 'above',
  GREATER_THAN_OR_EQUAL: 'at least',
};

/** { 0.01, LESS_THAN } → "under 1 %", { 0.95, GREATER_THAN } → "above 95 %". */
export function targetPhrase(target: { value: number; condition: string }): string {
  const wordsFor = TARGET_WORDS[target.condition.toUpperCase()] ?? words(target.condition);
  return `${wordsFor} ${percent(target.value)}`;
}

interface Nouns {
  /** What the denominator counts. */
  unit: [string, string];
  /** One event that counts against the target. */
  bad: [string, string];
  /** What the numerator counts, after "9 of 1,200 orders". */
  counted: string;
}

// The numerator counts bad events for an "under" target and good ones for an "over" target (metrics/headroom.ts).
const NOUNS: Record<string, Nouns> = {
  order_defect_rate: {
    unit: ['order', 'orders'],
    bad: ['order with a defect', 'orders with a defect'],
    counted: 'had a defect',
  },
  late_shipment_rate: {
    unit: ['order', 'orders'],
    bad: ['late shipment', 'late shipments'],
    counted: 'shipped late',
  },
  pre_fulfillment_cancellation_rate: {
    unit: ['order', 'orders'],
    bad: ['order cancelled before shipping', 'orders cancelled before shipping'],
    counted: 'cancelled by the seller before shipping',
  },
  invoice_defect_rate: {
    unit: ['order', 'orders'],
    bad: ['order with an invoice defect', 'orders with an invoice defect'],
    counted: 'had an invoice defect',
  },
  valid_tracking_rate: {
    unit: ['shipment', 'shipments'],
    bad: ['shipment without valid tracking', 'shipments without valid tracking'],
    counted: 'had valid tracking',
  },
  on_time_delivery_rate: {
    unit: ['shipment', 'shipments'],
    bad: ['late delivery', 'late deliveries'],
    counted: 'arrived on time',
  },
  unit_on_time_delivery_rate: {
    unit: ['unit', 'units'],
    bad: ['unit delivered late', 'units delivered late'],
    counted: 'arrived on time',
  },
};

function nounsFor(metric: string, lower: boolean): Nouns {
  return (
    NOUNS[metric] ??
    (lower
      ? {
          unit: ['order', 'orders'],
          bad: ['order counted against it', 'orders counted against it'],
          counted: 'counted against it',
        }
      : {
          unit: ['order', 'orders'],
          bad: ['order not counted for it', 'orders not counted for it'],
          counted: 'counted for it',
        })
  );
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function targetOf(
  details: Record<string, unknown>,
): { value: number; condition: string; published: boolean } | null {
  const t = details.target;
  if (!t || typeof t !== 'object') return null;
  const { value, condition, published } = t as Record<string, unknown>;
  const v = num(value);
  const c = str(condition);
  return v === null || c === null ? null : { value: v, condition: c, published: published === true };
}

const EPSILON = 1e-9;

/** How many bad events the current counts hold beyond what the target allows (fixed denominator). */
function excessOver(numerator: number, denominator: number, target: { value: number; condition: string }) {
  const lower = lowerIsBetter(target.condition);
  if (lower === null || denominator <= 0) return null;
  const strict = !target.condition.toUpperCase().endsWith('_OR_EQUAL');
  const limit = (lower ? target.value : 1 - target.value) * denominator;
  const allowed = strict ? Math.ceil(limit - EPSILON) - 1 : Math.floor(limit + EPSILON);
  const bad = lower ? numerator : denominator - numerator;
  return bad - Math.max(0, allowed);
}

/** "Can take 2 more orders with a defect before the target; the 3rd breaches it." */
export function headroomSentence(h: number, bad: [string, string]): string {
  if (h <= 0) return `One more ${bad[0]} breaches the target.`;
  return `Can take ${count(h)} more ${h === 1 ? bad[0] : bad[1]} before the target; the ${ordinal(h + 1)} breaches it.`;
}

function figureView(m: AlertMessage): { figure: FigureView; facts: Fact[] } | null {
  const d = m.details;
  const metric = str(d.metric);
  const value = num(d.value);
  if (metric === null) return null;
  const name = figureName({
    metric,
    channel: str(d.channel) ?? '',
    windowDays: num(d.windowDays),
  });
  const target = targetOf(d);
  const lower = target ? (lowerIsBetter(target.condition) ?? true) : true;
  const nouns = nounsFor(metric, lower);
  const numerator = num(d.numerator);
  const denominator = num(d.denominator);
  const resolved = m.kind === 'resolved';

  const valueText = percent(value);
  const targetText = target ? `target ${targetPhrase(target)}` : null;
  const targetNote = target?.published ? "Amazon's published target: the report gave none" : null;
  const line =
    `${name}: ${valueText}${targetText ? ` — ${targetText}` : ' (no target known)'}` +
    (targetNote ? ` (${targetNote})` : '');

  let margin: string | null = null;
  const facts: Fact[] = [];
  const breached =
    target && value !== null ? isBreached(value, target.value, target.condition) === true : false;
  if (target && value !== null && !resolved) {
    if (breached) {
      const excess =
        numerator !== null && denominator !== null ? excessOver(numerator, denominator, target) : null;
      margin =
        `Past the target by ${points(value, target.value)}` +
        (excess !== null && excess > 0
          ? `: ${plural(excess, nouns.bad[0], nouns.bad[1])} more than it allows.`
          : '.');
    } else {
      const h =
        num(d.headroom) ??
        countHeadroom({
          numerator,
          denominator,
          target: { value: target.value, condition: target.condition },
        });
      if (h !== null) margin = headroomSentence(h, nouns.bad);
      const used = num(d.allowanceUsed) ?? allowanceUsed(value, target.value, target.condition);
      if (used !== null) {
        facts.push({
          label: 'Allowance used',
          text: `${share(used)} of the room between ${percent(lower ? 0 : 1)} and the target`,
        });
      }
    }
  }
  const projected = str(d.projectedBreachAt);
  if (projected && !resolved && !breached) {
    facts.push({
      label: 'Projected to cross the target',
      text: `${dayUtc(projected)}, at the current trend`,
    });
  }
  if (numerator !== null && denominator !== null) {
    facts.push({
      label: 'Counts',
      text: `${count(numerator)} of ${plural(denominator, nouns.unit[0], nouns.unit[1])} ${nouns.counted}`,
    });
  }
  const range = windowRange(d.windowFrom, d.windowTo);
  const windowDays = num(d.windowDays);
  if (range || windowDays) {
    facts.push({
      label: 'Reporting window',
      text: range
        ? `${range}${windowDays ? ` (${plural(windowDays, 'day')})` : ''}`
        : `the last ${plural(windowDays!, 'day')}`,
    });
  }
  return { figure: { name, value: valueText, target: targetText, targetNote, line, margin }, facts };
}

/** What the rules outside the metrics record (alerts/rules.ts), each in words. */
function otherFacts(m: AlertMessage): Fact[] {
  const d = m.details;
  const facts: Fact[] = [];
  const status = str(d.status);
  const score = num(d.score);
  const band = str(d.band);
  if (m.rule === 'account_status' && status) facts.push({ label: 'Account status', text: words(status) });
  else if (status && str(d.metric) === null) facts.push({ label: 'Status', text: words(status) });
  if (score !== null || (band && m.rule !== 'account_status')) {
    const previous = num(d.previousScore);
    facts.push({
      label: 'Account Health Rating',
      text:
        (score !== null ? `${count(score)}${band ? ` (${words(band)})` : ''}` : words(band!)) +
        (previous !== null ? `, down from ${count(previous)}` : ''),
    });
  }
  const category = str(d.category);
  if (category) {
    const n = num(d.count);
    facts.push({ label: 'Policy category', text: `${words(category)}${n !== null ? `: ${count(n)}` : ''}` });
  }
  const type = str(d.type);
  if (type) facts.push({ label: 'Warning from Amazon', text: words(type) });
  if (m.rule === 'stale_data') {
    const last = str(d.lastGoodPollAt);
    facts.push({ label: 'Last good poll', text: last ? clockUtc(last) : 'none yet' });
  }
  return facts;
}

export function happenedText(m: AlertMessage): string {
  switch (m.kind) {
    case 'opened':
      return `New alert, opened ${clockUtc(m.openedAt)}.`;
    case 'escalated':
      return `Got worse: now ${m.severity}. Open since ${clockUtc(m.openedAt)}.`;
    case 'resolved':
      return `Resolved: the report captured ${clockUtc(m.at)} no longer shows it. It was open since ${clockUtc(m.openedAt)}.`;
    case 'reminder':
      return `Still unacknowledged since ${clockUtc(m.openedAt)}.`;
  }
}

const HEADINGS: Record<AlertMessage['kind'], string> = {
  opened: 'New alert',
  escalated: 'Alert got worse',
  resolved: 'Alert resolved',
  reminder: 'Reminder',
};

/** "New alert: Acme EU, Amazon.de". */
export function headingOf(m: AlertMessage): string {
  return `${HEADINGS[m.kind]}: ${placeText(m)}`;
}

export function marketplaceText(m: Pick<AlertMessage, 'marketplaceId' | 'marketplaceName'>): string | null {
  if (m.marketplaceId === '') return null;
  return oneLine(m.marketplaceName ?? m.marketplaceId);
}

/** "Acme EU, Amazon.de", or the account alone for an account-level alert. */
export function placeText(
  m: Pick<AlertMessage, 'accountName' | 'marketplaceId' | 'marketplaceName'>,
): string {
  const marketplace = marketplaceText(m);
  const account = oneLine(m.accountName);
  return marketplace ? `${account}, ${marketplace}` : account;
}

export function describeAlert(m: AlertMessage): AlertView {
  const tone = toneOf(m);
  const figure = figureView(m);
  const marketplace = marketplaceText(m);
  const facts: Fact[] = [
    { label: 'What happened', text: happenedText(m) },
    {
      label: 'Account',
      text: `${oneLine(m.accountName)}${m.sellerId ? ` (seller ID ${oneLine(m.sellerId)})` : ''}`,
      url: m.links.account,
    },
    { label: 'Marketplace', text: marketplace ?? 'The whole account (all marketplaces)' },
    ...(figure?.facts ?? []),
    ...otherFacts(m),
    { label: 'Report captured', text: clockUtc(m.at) },
  ];
  const actions = [{ label: 'Open the alert', url: m.links.alert, primary: true }];
  // A suspension opened its case with the alert: the link (the same address) leads to that case.
  const suspension = m.rule === 'account_status' && m.severity === 'critical';
  if (m.kind !== 'resolved')
    actions.push({
      label: suspension ? 'Open the reinstatement case' : 'Start a reinstatement case',
      url: m.links.startCase,
      primary: suspension,
    });
  return {
    prefix: prefixOf(m),
    tone,
    badge: `${SYMBOLS[tone]} ${TONE_WORDS[tone]}${m.kind === 'reminder' ? ' · reminder' : ''}`,
    happened: happenedText(m),
    place: placeText(m),
    figure: figure?.figure ?? null,
    facts,
    actions,
  };
}

const SUBJECT_MAX = 119;

/** "[Critical] <title> — Acme EU, Amazon.de", under 120 characters: the title gives way first. */
export function alertSubject(m: AlertMessage): string {
  const head = `[${prefixOf(m)}] `;
  const tail = ` — ${truncate(placeText(m), 48)}`;
  const title = truncate(oneLine(m.title), SUBJECT_MAX - head.length - tail.length);
  return truncate(head + title + tail, SUBJECT_MAX);
}

/** Most severe first: critical, warning, info; then reminders of each; resolved ones last. Stable otherwise. */
export function bySeverity(ms: readonly AlertMessage[]): AlertMessage[] {
  const rank = (m: AlertMessage) =>
    m.kind === 'resolved'
      ? 9
      : ({ critical: 0, warning: 2, info: 4 } as const)[m.severity] + (m.kind === 'reminder' ? 1 : 0);
  return ms
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map((x) => x.m);
}

/** "1 critical, 2 warnings, 1 resolved", most severe first. */
export function countsPhrase(ms: readonly AlertMessage[]): string {
  const n = (pred: (m: AlertMessage) => boolean) => ms.filter(pred).length;
  const active = (s: Severity) => (m: AlertMessage) => m.kind !== 'resolved' && m.severity === s;
  const parts: string[] = [];
  const critical = n(active('critical'));
  const warning = n(active('warning'));
  const info = n(active('info'));
  const resolved = n((m) => m.kind === 'resolved');
  if (critical) parts.push(`${count(critical)} critical`);
  if (warning) parts.push(plural(warning, 'warning'));
  if (info) parts.push(`${count(info)} info`);
  if (resolved) parts.push(`${count(resolved)} resolved`);
  return parts.join(', ');
}

/** "3 alerts: 1 critical, 2 warnings — Acme EU", under 120 characters. */
export function groupedSubject(ms: readonly AlertMessage[]): string {
  const accounts = new Set(ms.map((m) => m.accountId));
  const first = ms[0]!;
  let where: string;
  if (accounts.size === 1) {
    const marketplaces = new Set(ms.map((m) => m.marketplaceId));
    where = marketplaces.size === 1 ? placeText(first) : oneLine(first.accountName);
  } else where = plural(accounts.size, 'account');
  return truncate(`${plural(ms.length, 'alert')}: ${countsPhrase(ms)} — ${truncate(where, 60)}`, SUBJECT_MAX);
}
