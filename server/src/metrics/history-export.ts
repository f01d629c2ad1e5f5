import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import {
  historyPage,
  storedMetricNames,
  type HistoryCursor,
  type HistoryPageRow,
  type HistoryRange,
} from './history-export.repository.ts';

// An account's whole history as a file: one row per snapshot, marketplace and figure, as CSV (RFC 4180) or a JSON
// array, written page by page as Postgres gives it (keyset pages of the snapshots' identity index): never the whole
// history in memory, and a client that goes away stops the reading. The dashboard's export links, the API
// (`GET /api/accounts/:id/history.csv|.json`) and `pnpm cli history:export` all write it from here.

export type HistoryFormat = 'csv' | 'json';

/** The columns, in order: the CSV header and the JSON keys. */
export const HISTORY_COLUMNS = [
  'captured_at',
  'marketplace_id',
  'source',
  'granularity',
  'metric',
  'channel',
  'window_days',
  'window_from',
  'window_to',
  'value',
  'numerator',
  'denominator',
  'status',
  'target_value',
  'target_condition',
] as const;

export type HistoryColumn = (typeof HISTORY_COLUMNS)[number];

/** One row of the export. Instants are ISO 8601 (UTC); `value` is the rate (a fraction) or the rating's score. */
export interface HistoryRow {
  captured_at: string;
  marketplace_id: string;
  source: string;
  granularity: string;
  metric: string;
  channel: string;
  window_days: number | null;
  window_from: string | null;
  window_to: string | null;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string | null;
  target_value: number | null;
  target_condition: string | null;
}

/** Rows about the snapshot itself rather than a figure of it: Amazon's account status, and the rating. */
export const ACCOUNT_STATUS_METRIC = 'account_status';
export const AHR_SCORE_METRIC = 'ahr_score';
const SNAPSHOT_METRICS: readonly string[] = [ACCOUNT_STATUS_METRIC, AHR_SCORE_METRIC];

/** Our stable names for Amazon's rate metrics (reports/types.ts RateMetricName); an account may have more. */
const RATE_METRICS: readonly string[] = [
  'order_defect_rate',
  'late_shipment_rate',
  'pre_fulfillment_cancellation_rate',
  'valid_tracking_rate',
  'on_time_delivery_rate',
  'unit_on_time_delivery_rate',
  'invoice_defect_rate',
];

/** Snapshots per page: a few thousand rows, a few hundred kilobytes of text. */
const SNAPSHOTS_PER_PAGE = 500;
const DAY_MS = 86_400_000;

export interface HistoryExportRequest {
  accountId: string;
  /** First UTC day, `YYYY-MM-DD`, included; absent: the beginning. */
  from?: string;
  /** Last UTC day, included; absent: no end. */
  to?: string;
  /** Metric names as asked (comma-separated); absent or empty: every metric. */
  metrics?: string;
  marketplaceIds?: readonly string[];
}

export interface HistoryQuery {
  range: HistoryRange;
  /** The status and rating rows too (every metric asked for, or one of them named). */
  snapshotRows: readonly string[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayStart(day: string, name: string): Date {
  const at = new Date(`${day}T00:00:00Z`);
  if (!DAY.test(day) || Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day) {
    throw new AppError('BAD_REQUEST', `\`${name}\` must be a date as YYYY-MM-DD (a UTC day), not ${day}`);
  }
  return at;
}

/** The names `?metrics=` accepts for this account: ours, the status and rating rows, and any other it has. */
export async function knownMetrics(db: Kysely<DB>, accountId: string): Promise<string[]> {
  const stored = await storedMetricNames(db, accountId);
  return [...new Set([...SNAPSHOT_METRICS, ...RATE_METRICS, ...stored])].sort();
}

/** Checks what was asked (400 on a bad day, a reversed range or an unknown metric) and makes it a query. */
export async function historyQuery(db: Kysely<DB>, request: HistoryExportRequest): Promise<HistoryQuery> {
  const from = request.from === undefined ? null : dayStart(request.from, 'from');
  const to = request.to === undefined ? null : dayStart(request.to, 'to');
  if (from && to && from.getTime() > to.getTime()) {
    throw new AppError('BAD_REQUEST', `\`from\` (${request.from}) is after \`to\` (${request.to})`);
  }
  const asked = [
    ...new Set(
      (request.metrics ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m.length > 0),
    ),
  ];
  let figureMetrics: string[] | null = null;
  let snapshotRows = SNAPSHOT_METRICS;
  if (asked.length > 0) {
    const known = await knownMetrics(db, request.accountId);
    const unknown = asked.filter((m) => !known.includes(m));
    if (unknown.length > 0) {
      throw new AppError(
        'BAD_REQUEST',
        `unknown ${unknown.length === 1 ? 'metric' : 'metrics'} ${unknown.map((m) => JSON.stringify(m.slice(0, 100))).join(', ')}; known metrics: ${known.join(', ')}`,
        { unknown, known },
      );
    }
    figureMetrics = asked.filter((m) => !SNAPSHOT_METRICS.includes(m));
    snapshotRows = SNAPSHOT_METRICS.filter((m) => asked.includes(m));
  }
  return {
    range: {
      accountId: request.accountId,
      from,
      until: to ? new Date(to.getTime() + DAY_MS) : null,
      marketplaceIds: request.marketplaceIds,
      figureMetrics,
    },
    snapshotRows,
  };
}

/** By code point, whatever the locale: the same order on every machine. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const finite = (n: number | null) => (n !== null && Number.isFinite(n) ? n : null);

/** The rows of one snapshot: its status and rating (when asked for and known), then its figures. */
function snapshotRows(rows: HistoryPageRow[], snapshotMetrics: readonly string[]): HistoryRow[] {
  const first = rows[0]!;
  const base = {
    captured_at: first.captured_at.toISOString(),
    marketplace_id: first.marketplace_id,
    source: first.source,
    granularity: first.granularity,
  };
  const none = {
    channel: 'all',
    window_days: null,
    window_from: null,
    window_to: null,
    numerator: null,
    denominator: null,
    target_value: null,
    target_condition: null,
  };
  const out: HistoryRow[] = [];
  if (snapshotMetrics.includes(ACCOUNT_STATUS_METRIC) && first.account_status !== null) {
    out.push({ ...base, metric: ACCOUNT_STATUS_METRIC, ...none, value: null, status: first.account_status });
  }
  if (snapshotMetrics.includes(AHR_SCORE_METRIC) && (first.ahr_score !== null || first.ahr_status !== null)) {
    out.push({
      ...base,
      metric: AHR_SCORE_METRIC,
      ...none,
      value: finite(first.ahr_score),
      status: first.ahr_status,
    });
  }
  for (const r of rows) {
    if (r.metric === null) continue;
    out.push({
      ...base,
      metric: r.metric,
      channel: r.channel!,
      window_days: r.window_days,
      window_from: iso(r.window_from),
      window_to: iso(r.window_to),
      value: finite(r.rate),
      numerator: r.numerator,
      denominator: r.denominator,
      status: r.status,
      target_value: finite(r.target_value),
      target_condition: r.target_condition,
    });
  }
  // One order for every row of the snapshot, the status and rating rows among the figures.
  return out.sort(
    (a, b) =>
      compare(a.metric, b.metric) ||
      compare(a.channel, b.channel) ||
      (a.window_days ?? -1) - (b.window_days ?? -1),
  );
}

/** The export's rows, a page of snapshots at a time. */
export async function* historyRows(db: Kysely<DB>, query: HistoryQuery): AsyncGenerator<HistoryRow[]> {
  let after: HistoryCursor | null = null;
  for (;;) {
    const page = await historyPage(db, query.range, after, SNAPSHOTS_PER_PAGE);
    if (page.length === 0) return;
    const out: HistoryRow[] = [];
    let snapshots = 0;
    let start = 0;
    for (let i = 1; i <= page.length; i++) {
      if (i < page.length && page[i]!.snapshot_id === page[start]!.snapshot_id) continue;
      out.push(...snapshotRows(page.slice(start, i), query.snapshotRows));
      snapshots += 1;
      start = i;
    }
    const last = page.at(-1)!;
    after = {
      marketplaceId: last.marketplace_id,
      capturedAt: last.captured_key,
      source: last.source,
      granularity: last.granularity,
    };
    if (out.length > 0) yield out;
    if (snapshots < SNAPSHOTS_PER_PAGE) return;
  }
}

// ---- formats ----

/**
 * Spreadsheets run a cell that starts with = + - or @ (or a tab or carriage return before one) as a formula
 * (OWASP, "CSV Injection"). Text cells that do are written with a leading apostrophe, which spreadsheets show as
 * text; numbers are written by this code, never by Amazon, and a negative number must stay a number.
 */
export function guardCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = guardCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const JSON_KEYS: string[] = [...HISTORY_COLUMNS];

export const CSV_HEADER = `${HISTORY_COLUMNS.join(',')}\r\n`;

export function csvLine(row: HistoryRow): string {
  return `${HISTORY_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}

/** The export as text chunks, one or a few per page. */
export async function* formatHistory(
  pages: AsyncIterable<HistoryRow[]>,
  format: HistoryFormat,
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield CSV_HEADER;
    for await (const rows of pages) yield rows.map(csvLine).join('');
    return;
  }
  let written = 0;
  yield '[';
  for await (const rows of pages) {
    let text = '';
    // The keys in the columns' order.
    for (const row of rows) text += `${written++ === 0 ? '\n' : ',\n'}${JSON.stringify(row, JSON_KEYS)}`;
    yield text;
  }
  yield written === 0 ? ']\n' : '\n]\n';
}

/**
 * The export's text, with its first page already read: a database that fails does so before the first byte is
 * sent, while the answer can still say so.
 */
export async function openHistoryExport(
  db: Kysely<DB>,
  query: HistoryQuery,
  format: HistoryFormat,
): Promise<AsyncGenerator<string>> {
  const pages = historyRows(db, query);
  const first = await pages.next();
  async function* all(): AsyncGenerator<HistoryRow[]> {
    if (first.done) return;
    yield first.value;
    yield* pages;
  }
  return formatHistory(all(), format);
}

/** `<seller>-history-<from>-<to>.<format>`: `start` without a first day, today's date without a last one. */
export function historyFileName(
  sellerId: string,
  request: { from?: string; to?: string },
  format: HistoryFormat,
  now = new Date(),
): string {
  const seller = sellerId.replace(/[^A-Za-z0-9_-]/g, '_') || 'account';
  return `${seller}-history-${request.from ?? 'start'}-${request.to ?? now.toISOString().slice(0, 10)}.${format}`;
}
