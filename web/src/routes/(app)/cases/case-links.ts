import type { CaseSummary } from '$lib/api';
// Relative, not `$lib`: the unit tests run this module without SvelteKit's aliases.
import { countdown } from '../../../lib/case-labels';

// The cases list's address and the small decisions every page that links to a case makes: which case an alert
// leads to, whether a marketplace has an open case, the order of urgency, and the deadline in words.

export const CASE_STATES = ['open', 'closed', 'all'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** What the cases list shows, all of it in the address, as the alerts inbox keeps its own. */
export interface CasesQuery {
  state: CaseState;
  account: string | null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The list's query from its address; anything it does not understand is left out rather than refused. */
export function parseCasesQuery(params: URLSearchParams): CasesQuery {
  const state = params.get('state');
  const account = params.get('account');
  return {
    state: CASE_STATES.find((s) => s === state) ?? 'open',
    account: account && UUID.test(account) ? account.toLowerCase() : null,
  };
}

/** The API's query for it. */
export function apiQuery(query: CasesQuery): string {
  const params = new URLSearchParams({ state: query.state });
  if (query.account) params.set('account', query.account);
  return params.toString();
}

/** The list's address for a query; the default (open cases of every account) is left out. */
export function casesHref(query: CasesQuery, change: Partial<CasesQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.state !== 'open') params.set('state', next.state);
  if (next.account) params.set('account', next.account);
  const search = params.toString();
  return search ? `/cases?${search}` : '/cases';
}

type Dated = Pick<CaseSummary, 'id' | 'closedAt' | 'openedAt'>;

/** Of the cases about one alert, the one to show: the open one, else the newest. */
export function pickCase<T extends Dated>(cases: readonly T[]): T | null {
  const open = cases.find((c) => c.closedAt === null);
  if (open) return open;
  let newest: T | null = null;
  for (const c of cases) if (!newest || Date.parse(c.openedAt) > Date.parse(newest.openedAt)) newest = c;
  return newest;
}

/** Each alert's case (see `pickCase`), by the alert's id, from one list of cases. */
export function casesByAlert(
  cases: ReadonlyArray<Dated & Pick<CaseSummary, 'alertId'>>,
): Record<string, string> {
  const grouped = new Map<string, Array<Dated & Pick<CaseSummary, 'alertId'>>>();
  for (const c of cases) {
    if (c.alertId === null) continue;
    grouped.set(c.alertId, [...(grouped.get(c.alertId) ?? []), c]);
  }
  const byAlert: Record<string, string> = {};
  for (const [alertId, of] of grouped) byAlert[alertId] = pickCase(of)!.id;
  return byAlert;
}

/** The open case of an account's marketplace (`''`: the account as a whole), if it has one. */
export function openCaseOf<T extends Pick<CaseSummary, 'marketplaceId' | 'closedAt'>>(
  cases: readonly T[],
  marketplaceId: string,
): T | null {
  return cases.find((c) => c.closedAt === null && c.marketplaceId === marketplaceId) ?? null;
}

/** Most urgent first: the nearest deadline (past ones first), then the cases without one, oldest first. */
export function byUrgency(
  a: Pick<CaseSummary, 'deadlineAt' | 'openedAt'>,
  b: Pick<CaseSummary, 'deadlineAt' | 'openedAt'>,
): number {
  if (a.deadlineAt !== b.deadlineAt) {
    if (a.deadlineAt === null) return 1;
    if (b.deadlineAt === null) return -1;
    const diff = Date.parse(a.deadlineAt) - Date.parse(b.deadlineAt);
    if (diff !== 0) return diff;
  }
  return Date.parse(a.openedAt) - Date.parse(b.openedAt);
}

export interface DeadlineWords {
  /** "Overdue by 3 h", "Under 24 h: 5 h 20 min left", "2 days 4 h left". */
  text: string;
  tone: 'warning' | 'critical' | 'neutral';
  /** What the colour says, in a word: `overdue`, `soon` (under 24 hours), or null. */
  flag: 'overdue' | 'soon' | null;
}

/** The response deadline in words, flagged when overdue or under 24 hours away, so colour is never alone. */
export function deadlineWords(deadlineAt: string, nowMs: number): DeadlineWords {
  const left = countdown(deadlineAt, nowMs);
  if (left.overdue) return { text: left.text, tone: 'critical', flag: 'overdue' };
  if (left.tone === 'critical') return { text: `Under 24 h: ${left.text}`, tone: 'critical', flag: 'soon' };
  return { text: left.text, tone: left.tone === 'warning' ? 'warning' : 'neutral', flag: null };
}

/** Where a marketplace's name is shown: its name, else its id, else the account as a whole. */
export function marketplaceLabel(c: Pick<CaseSummary, 'marketplaceId' | 'marketplaceName'>): string {
  return c.marketplaceName ?? (c.marketplaceId || 'All marketplaces');
}

/** The page that starts a case, from an alert or for an account's marketplace. */
export function newCaseHref(
  from: { alert: string } | { account: string; marketplace?: string | null },
): string {
  if ('alert' in from) return `/cases/new?alert=${encodeURIComponent(from.alert)}`;
  const params = new URLSearchParams({ account: from.account });
  if (from.marketplace) params.set('marketplace', from.marketplace);
  return `/cases/new?${params}`;
}
