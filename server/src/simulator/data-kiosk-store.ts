// Data Kiosk queries and their documents for every selling partner, the way the report store keeps reports: a
// query's status is derived from wall-clock time since it was created whenever it is read (no timers), and its
// document is generated once, the first time the query is seen past processing. Queries and documents are kept
// 30 virtual days (the @resultRetention of the Seller Analytics fields). A document made of a row stream (the
// benchmarks' very large ones) is kept as the stream's recipe and written anew at every download.

import { Readable, pipeline } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import type { DocumentFaultType, ReportFaults } from './faults.ts';
import { newReportDocumentId } from './ids.ts';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

export const QUERY_STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'] as const;
export type QueryStatus = (typeof QUERY_STATUSES)[number];

const RETENTION_MS = 30 * 86_400_000;

/** The `Query` object of the Data Kiosk API 2023-11-15. */
export interface QueryView {
  queryId: string;
  query: string;
  createdTime: string;
  processingStatus: QueryStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  dataDocumentId?: string;
  errorDocumentId?: string;
}

/** What a query produces when it runs: the JSON Lines rows (none: DONE without a document), or an error. */
export type QueryRows = { rows: unknown[] } | { error: string };

/** Or the rows as a generator made again for each download, for documents too large to keep in memory. */
export type QueryResult = QueryRows | { rowStream: () => Iterable<unknown> };

interface StoredDocument {
  documentId: string;
  sellerId: string;
  queryId: string;
  /** The document's bytes, or (a row stream) a new stream of them for each download. */
  bytes: Buffer | (() => Readable);
  /** Served gzipped with `Content-Encoding: gzip`, as the model says a compressed document is. */
  contentEncodingGzip: boolean;
}

type Outcome = 'RUN' | 'FATAL' | 'CANCELLED' | 'STUCK_IN_QUEUE' | 'STUCK_IN_PROGRESS';

interface QueryRecord {
  seq: number;
  queryId: string;
  sellerId: string;
  region: SpApiRegion;
  query: string;
  createdVirtualMs: number;
  createdWallMs: number;
  outcome: Outcome;
  documentFault: DocumentFaultType | undefined;
  /** Runs the query; called once, when processing ends. */
  run: () => QueryResult;
  cancelled?: { virtualMs: number; started: boolean };
  finished?: { status: 'DONE' | 'FATAL' | 'CANCELLED'; dataDocumentId?: string; errorDocumentId?: string };
}

interface CreateQueryInput {
  sellerId: string;
  region: SpApiRegion;
  query: string;
  faults: ReportFaults;
  run: () => QueryResult;
}

export interface QueryFilter {
  processingStatuses?: ReadonlySet<string>;
  createdSinceMs: number;
  createdUntilMs: number;
  pageSize: number;
  /** Only queries created before the query with this sequence number (pagination). */
  beforeSeq?: number;
}

interface QueryStoreClock {
  virtualNowMs(): number;
  wallNowMs(): number;
}

const INTERNAL_ERROR = 'An internal error occurred while processing the query. Please try again.';

export class DataKioskStore {
  private readonly queries = new Map<string, QueryRecord>();
  private readonly bySeller = new Map<string, QueryRecord[]>();
  private readonly documents = new Map<string, StoredDocument>();
  private seq = 0;

  constructor(
    private readonly clock: QueryStoreClock,
    private readonly processingMs: number,
  ) {}

  create(input: CreateQueryInput): QueryView {
    this.expire(input.sellerId);
    this.seq += 1;
    const fault = input.faults.outcome;
    const outcome: Outcome =
      fault?.type === 'fatal'
        ? 'FATAL'
        : fault?.type === 'cancelled'
          ? 'CANCELLED'
          : fault?.type === 'stuck'
            ? fault.stage === 'IN_QUEUE'
              ? 'STUCK_IN_QUEUE'
              : 'STUCK_IN_PROGRESS'
            : 'RUN';
    const record: QueryRecord = {
      seq: this.seq,
      queryId: queryIdFromCounter(this.seq),
      sellerId: input.sellerId,
      region: input.region,
      query: input.query,
      createdVirtualMs: this.clock.virtualNowMs(),
      createdWallMs: this.clock.wallNowMs(),
      outcome,
      documentFault: input.faults.document?.type as DocumentFaultType | undefined,
      run: input.run,
    };
    this.queries.set(record.queryId, record);
    let list = this.bySeller.get(input.sellerId);
    if (!list) {
      list = [];
      this.bySeller.set(input.sellerId, list);
    }
    list.push(record);
    return this.view(record);
  }

  get(sellerId: string, queryId: string): QueryView | undefined {
    const record = this.own(sellerId, queryId);
    return record ? this.view(record) : undefined;
  }

  /** Cancels a query that is IN_QUEUE or IN_PROGRESS; a CANCELLED one stays so; otherwise says why not. */
  cancel(sellerId: string, queryId: string): 'cancelled' | 'not-found' | 'DONE' | 'FATAL' {
    const record = this.own(sellerId, queryId);
    if (!record) return 'not-found';
    const status = this.view(record).processingStatus;
    if (status === 'DONE' || status === 'FATAL') return status;
    if (status !== 'CANCELLED') {
      record.cancelled = { virtualMs: this.clock.virtualNowMs(), started: status === 'IN_PROGRESS' };
      record.finished = { status: 'CANCELLED' };
    }
    return 'cancelled';
  }

  /** Newest first; `nextSeq` is set when more queries match beyond this page. */
  list(sellerId: string, filter: QueryFilter): { queries: QueryView[]; nextSeq?: number } {
    this.expire(sellerId);
    const list = this.bySeller.get(sellerId) ?? [];
    const queries: QueryView[] = [];
    let lastSeq: number | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const record = list[i];
      if (!record) continue;
      if (filter.beforeSeq !== undefined && record.seq >= filter.beforeSeq) continue;
      if (record.createdVirtualMs > filter.createdUntilMs) continue;
      if (record.createdVirtualMs < filter.createdSinceMs) break;
      const view = this.view(record);
      if (filter.processingStatuses && !filter.processingStatuses.has(view.processingStatus)) continue;
      if (queries.length === filter.pageSize) return { queries, nextSeq: lastSeq };
      queries.push(view);
      lastSeq = record.seq;
    }
    return { queries };
  }

  document(documentId: string): StoredDocument | undefined {
    return this.documents.get(documentId);
  }

  /** The seller's document, if the query behind it is still kept. */
  documentFor(sellerId: string, documentId: string): StoredDocument | undefined {
    const document = this.documents.get(documentId);
    if (!document || document.sellerId !== sellerId) return undefined;
    return this.own(sellerId, document.queryId) ? document : undefined;
  }

  count(): number {
    return this.queries.size;
  }

  clear(): void {
    this.queries.clear();
    this.bySeller.clear();
    this.documents.clear();
  }

  private own(sellerId: string, queryId: string): QueryRecord | undefined {
    const record = this.queries.get(queryId);
    if (!record || record.sellerId !== sellerId || this.isExpired(record)) return undefined;
    return record;
  }

  private view(record: QueryRecord): QueryView {
    const base = {
      queryId: record.queryId,
      query: record.query,
      createdTime: isoTime(record.createdVirtualMs),
    };
    const queueMs = this.processingMs / 3;
    const startTime = isoTime(record.createdVirtualMs + queueMs);
    if (record.cancelled) {
      return {
        ...base,
        processingStatus: 'CANCELLED',
        ...(record.cancelled.started ? { processingStartTime: startTime } : {}),
        processingEndTime: isoTime(record.cancelled.virtualMs),
      };
    }
    const elapsed = this.clock.wallNowMs() - record.createdWallMs;
    if (record.outcome === 'STUCK_IN_QUEUE' || elapsed < queueMs)
      return { ...base, processingStatus: 'IN_QUEUE' };
    if (record.outcome === 'STUCK_IN_PROGRESS' || elapsed < this.processingMs) {
      return { ...base, processingStatus: 'IN_PROGRESS', processingStartTime: startTime };
    }
    const finished = record.finished ?? this.finish(record);
    return {
      ...base,
      processingStatus: finished.status,
      processingStartTime: startTime,
      processingEndTime: isoTime(record.createdVirtualMs + this.processingMs),
      ...(finished.dataDocumentId ? { dataDocumentId: finished.dataDocumentId } : {}),
      ...(finished.errorDocumentId ? { errorDocumentId: finished.errorDocumentId } : {}),
    };
  }

  private finish(record: QueryRecord): NonNullable<QueryRecord['finished']> {
    let finished: NonNullable<QueryRecord['finished']>;
    if (record.outcome === 'CANCELLED') {
      finished = { status: 'CANCELLED' };
    } else {
      const result: QueryResult = record.outcome === 'FATAL' ? { error: INTERNAL_ERROR } : record.run();
      if ('error' in result) {
        const body = `${JSON.stringify({ errors: [{ message: result.error }] })}\n`;
        finished = { status: 'FATAL', errorDocumentId: this.store(record, body, false) };
      } else if ('rowStream' in result) {
        const first = result.rowStream()[Symbol.iterator]();
        const empty = first.next().done === true;
        first.return?.();
        finished = empty
          ? { status: 'DONE' }
          : { status: 'DONE', dataDocumentId: this.storeStream(record, result.rowStream) };
      } else if (result.rows.length === 0) {
        // Amazon's way of saying there is no data for the query: DONE, and no document at all.
        finished = { status: 'DONE' };
      } else {
        finished = {
          status: 'DONE',
          dataDocumentId: this.store(record, jsonLines(result.rows, record.documentFault), true),
        };
      }
    }
    record.finished = finished;
    return finished;
  }

  private store(record: QueryRecord, text: string, faultable: boolean): string {
    const documentId = newReportDocumentId(record.region);
    const encoded = faultable && record.documentFault === 'content-encoding';
    this.documents.set(documentId, {
      documentId,
      sellerId: record.sellerId,
      queryId: record.queryId,
      bytes: encoded ? gzipSync(text) : Buffer.from(text, 'utf8'),
      contentEncodingGzip: encoded,
    });
    return documentId;
  }

  private storeStream(record: QueryRecord, rows: () => Iterable<unknown>): string {
    const documentId = newReportDocumentId(record.region);
    const encoded = record.documentFault === 'content-encoding';
    const fault = record.documentFault;
    this.documents.set(documentId, {
      documentId,
      sellerId: record.sellerId,
      queryId: record.queryId,
      bytes: () => {
        const text = Readable.from(jsonLinesChunks(rows(), fault), { objectMode: false });
        return encoded ? pipeline(text, createGzip(), () => undefined) : text;
      },
      contentEncodingGzip: encoded,
    });
    return documentId;
  }

  private isExpired(record: QueryRecord): boolean {
    return record.createdVirtualMs < this.clock.virtualNowMs() - RETENTION_MS;
  }

  /** Drops the seller's queries older than 30 days; they are the oldest, so only the front is looked at. */
  private expire(sellerId: string): void {
    const list = this.bySeller.get(sellerId);
    if (!list) return;
    let dropped = 0;
    while (dropped < list.length && this.isExpired(list[dropped] as QueryRecord)) {
      const record = list[dropped] as QueryRecord;
      this.queries.delete(record.queryId);
      for (const id of [record.finished?.dataDocumentId, record.finished?.errorDocumentId]) {
        if (id) this.documents.delete(id);
      }
      dropped += 1;
    }
    if (dropped > 0) list.splice(0, dropped);
  }
}

/** One JSON object per line; `truncated` cuts the document mid-line, `malformed` breaks its last line. */
function jsonLines(rows: unknown[], fault: DocumentFaultType | undefined): string {
  const lines = rows.map((row) => JSON.stringify(row));
  if (fault === 'malformed') {
    const last = lines.length - 1;
    lines[last] = (lines[last] as string).slice(0, -2);
  }
  const text = `${lines.join('\n')}\n`;
  return fault === 'truncated' ? text.slice(0, Math.max(1, Math.floor(text.length * 0.6))) : text;
}

/** About this many characters per chunk of a streamed document. */
const STREAM_CHUNK_CHARS = 64 * 1024;

/**
 * `jsonLines` as chunks of text, written as the rows are made. Faults act on the last line, which is known only
 * once the rows end: `malformed` breaks it as `jsonLines` does, `truncated` cuts the document in it (the stream
 * cannot know where 60 % of its length is).
 */
export function* jsonLinesChunks(
  rows: Iterable<unknown>,
  fault: DocumentFaultType | undefined,
): Generator<string> {
  let chunk = '';
  let held: string | undefined;
  for (const row of rows) {
    if (held !== undefined) {
      chunk += `${held}\n`;
      if (chunk.length >= STREAM_CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    held = JSON.stringify(row);
  }
  if (held !== undefined) {
    if (fault === 'malformed') chunk += `${held.slice(0, -2)}\n`;
    else if (fault === 'truncated') chunk += held.slice(0, Math.max(1, Math.floor(held.length * 0.6)));
    else chunk += `${held}\n`;
  }
  if (chunk !== '') yield chunk;
}

/** Query ids are numeric strings, unique per selling partner as Amazon's are (the simulator's are global). */
function queryIdFromCounter(counter: number): string {
  return String(70_000_000_000 + counter * 23 + 11);
}

/** The model's examples write Data Kiosk times with milliseconds: `2023-12-11T13:47:20.677Z`. */
function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
