import type { OutboxChannel, OutboxKind } from './outbox';

/** The outbox's view, all of it in the address, as the alerts inbox keeps its own. */
export interface OutboxQuery {
  /** `pending` takes in the messages being sent at this moment. */
  tab: 'pending' | 'sent' | 'failed';
  channel: OutboxChannel | null;
  kind: OutboxKind | null;
  page: number;
}

export const PAGE_SIZE = 50;

export const TABS = ['pending', 'sent', 'failed'] as const;
export const CHANNELS = ['email', 'webhook', 'slack'] as const;
export const KINDS = ['alert', 'reminder', 'digest', 'test'] as const;

/** The query from the address; anything it does not understand is left out rather than refused. */
export function parseOutboxQuery(params: URLSearchParams): OutboxQuery {
  const tab = params.get('status');
  const channel = params.get('channel');
  const kind = params.get('kind');
  const page = Number(params.get('page') ?? '1');
  return {
    tab: TABS.find((t) => t === tab) ?? 'pending',
    channel: CHANNELS.find((c) => c === channel) ?? null,
    kind: KINDS.find((k) => k === kind) ?? null,
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

/** The API's query for it. */
export function apiQuery(query: OutboxQuery): string {
  const params = new URLSearchParams();
  params.set('status', query.tab === 'pending' ? 'pending,sending' : query.tab);
  if (query.channel) params.set('channel', query.channel);
  if (query.kind) params.set('kind', query.kind);
  params.set('page', String(query.page));
  params.set('pageSize', String(PAGE_SIZE));
  return params.toString();
}

/** The outbox's address for a query; defaults are left out, and changing a filter goes back to the first page. */
export function outboxHref(query: OutboxQuery, change: Partial<OutboxQuery>): string {
  const next = { ...query, page: 1, ...change };
  const params = new URLSearchParams();
  if (next.tab !== 'pending') params.set('status', next.tab);
  if (next.channel) params.set('channel', next.channel);
  if (next.kind) params.set('kind', next.kind);
  if (next.page > 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `/outbox?${search}` : '/outbox';
}
