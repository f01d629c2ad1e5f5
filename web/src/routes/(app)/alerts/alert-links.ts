/** What the inbox shows, all of it in the address: a view can be bookmarked, shared and reloaded. */
export interface AlertsQuery {
  /** Unresolved (open or acknowledged), or resolved. */
  state: 'unresolved' | 'resolved';
  severity: 'critical' | 'warning' | 'info' | null;
  account: string | null;
  rule: string | null;
  page: number;
}

export const PAGE_SIZE = 25;

const SEVERITIES = ['critical', 'warning', 'info'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RULE = /^[a-z_]{1,40}$/;

/** The inbox's query from its address; anything it does not understand is left out rather than refused. */
export function parseAlertsQuery(params: URLSearchParams): AlertsQuery {
  const severity = params.get('severity');
  const account = params.get('account');
  const rule = params.get('rule');
  const page = Number(params.get('page') ?? '1');
  return {
    state: params.get('state') === 'resolved' ? 'resolved' : 'unresolved',
    severity: SEVERITIES.find((s) => s === severity) ?? null,
    account: account && UUID.test(account) ? account : null,
    rule: rule && RULE.test(rule) ? rule : null,
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

/** The API's query for it. */
export function apiQuery(query: AlertsQuery): string {
  const params = new URLSearchParams();
  params.set('state', query.state === 'resolved' ? 'resolved' : 'open,acknowledged');
  if (query.severity) params.set('severity', query.severity);
  if (query.account) params.set('account', query.account);
  if (query.rule) params.set('rule', query.rule);
  params.set('page', String(query.page));
  params.set('pageSize', String(PAGE_SIZE));
  return params.toString();
}

/** The inbox's address for a query; defaults are left out, and changing a filter goes back to the first page. */
export function alertsHref(query: AlertsQuery, change: Partial<AlertsQuery>): string {
  const next = { ...query, page: 1, ...change };
  const params = new URLSearchParams();
  if (next.state === 'resolved') params.set('state', 'resolved');
  if (next.severity) params.set('severity', next.severity);
  if (next.account) params.set('account', next.account);
  if (next.rule) params.set('rule', next.rule);
  if (next.page > 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `/alerts?${search}` : '/alerts';
}
