// Reports and their documents for every selling partner. A report's status is derived from wall-clock time
// since creation whenever it is read (no timers), and its document is generated and gzipped once, the first
// time the report is seen past processing.

import { gzipSync } from 'node:zlib';
import type { DocumentFaultType, ReportFaults } from './faults.ts';
import { newReportDocumentId, reportIdFromCounter } from './ids.ts';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

export const PROCESSING_STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'] as const;
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];

const SELLER_PERFORMANCE_REPORT = 'GET_V2_SELLER_PERFORMANCE_REPORT';
const REPORT_RETENTION_MS = 90 * 86_400_000;

/** The `Report` object of the Reports API 2021-06-30. */
export interface ReportView {
  reportId: string;
  reportType: string;
  marketplaceIds: string[];
  dataStartTime: string;
  dataEndTime: string;
  createdTime: string;
  processingStatus: ProcessingStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  reportDocumentId?: string;
}

interface StoredDocument {
  documentId: string;
  sellerId: string;
  reportId: string;
  bytes: Buffer;
  compressionAlgorithm?: 'GZIP';
  /** The download also sends `Content-Encoding: gzip` (an Amazon incident, docs#3200). */
  contentEncodingGzip: boolean;
}

type Outcome = 'DONE' | 'FATAL' | 'CANCELLED' | 'STUCK_IN_QUEUE' | 'STUCK_IN_PROGRESS';

interface ReportRecord {
  seq: number;
  reportId: string;
  sellerId: string;
  region: SpApiRegion;
  reportType: string;
  marketplaceIds: string[];
  dataStartTime: string;
  dataEndTime: string;
  createdVirtualMs: number;
  createdWallMs: number;
  outcome: Outcome;
  documentFault: DocumentFaultType | undefined;
  /** Builds the document content; called once, when the report completes. */
  content: () => unknown;
  cancelledVirtualMs?: number;
  finished?: { status: 'DONE' | 'FATAL' | 'CANCELLED'; documentId?: string };
}

interface CreateReportInput {
  sellerId: string;
  region: SpApiRegion;
  reportType: string;
  marketplaceIds: string[];
  dataStartTime?: string;
  dataEndTime?: string;
  faults: ReportFaults;
  content: () => unknown;
}

export interface ReportFilter {
  reportTypes?: ReadonlySet<string>;
  processingStatuses?: ReadonlySet<string>;
  marketplaceIds?: ReadonlySet<string>;
  createdSinceMs: number;
  createdUntilMs: number;
  pageSize: number;
  /** Only reports created before the report with this sequence number (pagination). */
  beforeSeq?: number;
}

interface ReportStoreClock {
  virtualNowMs(): number;
  wallNowMs(): number;
}

const FATAL_DOCUMENT = {
  errorDetails:
    'The requested data is unavailable. Please try again later or contact Selling Partner Support.',
};

// A valid JSON document of another report's shape, for the `not-a-report` fault.
const FOREIGN_DOCUMENT = {
  reportSpecification: {
    reportType: 'GET_SALES_AND_TRAFFIC_REPORT',
    reportOptions: { dateGranularity: 'DAY' },
  },
  salesAndTrafficByDate: [],
  salesAndTrafficByAsin: [],
};

export class ReportStore {
  private readonly reports = new Map<string, ReportRecord>();
  /** Per seller, in creation order, so listing and retention never scan other sellers' reports. */
  private readonly bySeller = new Map<string, ReportRecord[]>();
  private readonly documents = new Map<string, StoredDocument>();
  private seq = 0;

  constructor(
    private readonly clock: ReportStoreClock,
    private readonly processingMs: number,
  ) {}

  create(input: CreateReportInput): ReportView {
    this.expire(input.sellerId);
    this.seq += 1;
    const createdVirtualMs = this.clock.virtualNowMs();
    const created = amazonTime(createdVirtualMs);
    const record: ReportRecord = {
      seq: this.seq,
      reportId: reportIdFromCounter(this.seq),
      sellerId: input.sellerId,
      region: input.region,
      reportType: input.reportType,
      marketplaceIds: [...input.marketplaceIds],
      dataStartTime: input.dataStartTime ?? created,
      dataEndTime: input.dataEndTime ?? created,
      createdVirtualMs,
      createdWallMs: this.clock.wallNowMs(),
      outcome: outcomeFor(input),
      documentFault: input.faults.document?.type as DocumentFaultType | undefined,
      content: input.content,
    };
    this.reports.set(record.reportId, record);
    let list = this.bySeller.get(input.sellerId);
    if (!list) {
      list = [];
      this.bySeller.set(input.sellerId, list);
    }
    list.push(record);
    return this.view(record);
  }

  get(sellerId: string, reportId: string): ReportView | undefined {
    const record = this.reports.get(reportId);
    if (!record || record.sellerId !== sellerId || this.isExpired(record)) return undefined;
    return this.view(record);
  }

  /** Cancels a report that is still IN_QUEUE; otherwise says why not. */
  cancel(sellerId: string, reportId: string): 'cancelled' | 'not-found' | ProcessingStatus {
    const record = this.reports.get(reportId);
    if (!record || record.sellerId !== sellerId || this.isExpired(record)) return 'not-found';
    const status = this.view(record).processingStatus;
    if (status !== 'IN_QUEUE') return status;
    record.cancelledVirtualMs = this.clock.virtualNowMs();
    record.finished = { status: 'CANCELLED' };
    return 'cancelled';
  }

  /** Newest first; `nextSeq` is set when more reports match beyond this page. */
  list(sellerId: string, filter: ReportFilter): { reports: ReportView[]; nextSeq?: number } {
    this.expire(sellerId);
    const list = this.bySeller.get(sellerId) ?? [];
    const reports: ReportView[] = [];
    let lastSeq: number | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const record = list[i];
      if (!record) continue;
      if (filter.beforeSeq !== undefined && record.seq >= filter.beforeSeq) continue;
      if (record.createdVirtualMs > filter.createdUntilMs) continue;
      if (record.createdVirtualMs < filter.createdSinceMs) break;
      if (filter.reportTypes && !filter.reportTypes.has(record.reportType)) continue;
      const marketplaces = filter.marketplaceIds;
      if (marketplaces && !record.marketplaceIds.some((id) => marketplaces.has(id))) continue;
      const view = this.view(record);
      if (filter.processingStatuses && !filter.processingStatuses.has(view.processingStatus)) continue;
      if (reports.length === filter.pageSize) return { reports, nextSeq: lastSeq };
      reports.push(view);
      lastSeq = record.seq;
    }
    return { reports };
  }

  document(documentId: string): StoredDocument | undefined {
    return this.documents.get(documentId);
  }

  /** The seller's document, if the report behind it is still kept. */
  documentFor(sellerId: string, documentId: string): StoredDocument | undefined {
    const document = this.documents.get(documentId);
    if (!document || document.sellerId !== sellerId) return undefined;
    const report = this.reports.get(document.reportId);
    return report && !this.isExpired(report) ? document : undefined;
  }

  count(): number {
    return this.reports.size;
  }

  clear(): void {
    this.reports.clear();
    this.bySeller.clear();
    this.documents.clear();
  }

  private view(record: ReportRecord): ReportView {
    const base = {
      reportId: record.reportId,
      reportType: record.reportType,
      marketplaceIds: [...record.marketplaceIds],
      dataStartTime: record.dataStartTime,
      dataEndTime: record.dataEndTime,
      createdTime: amazonTime(record.createdVirtualMs),
    };
    const queueMs = this.processingMs / 3;
    const startTime = amazonTime(record.createdVirtualMs + queueMs);
    if (record.cancelledVirtualMs !== undefined) {
      return {
        ...base,
        processingStatus: 'CANCELLED',
        processingEndTime: amazonTime(record.cancelledVirtualMs),
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
      processingEndTime: amazonTime(record.createdVirtualMs + this.processingMs),
      ...(finished.documentId ? { reportDocumentId: finished.documentId } : {}),
    };
  }

  private finish(record: ReportRecord): NonNullable<ReportRecord['finished']> {
    let finished: NonNullable<ReportRecord['finished']>;
    if (record.outcome === 'CANCELLED') {
      finished = { status: 'CANCELLED' };
    } else {
      const content = record.outcome === 'FATAL' ? FATAL_DOCUMENT : record.content();
      const documentId = newReportDocumentId(record.region);
      this.documents.set(documentId, encodeDocument(documentId, record, content));
      finished = { status: record.outcome === 'FATAL' ? 'FATAL' : 'DONE', documentId };
    }
    record.finished = finished;
    return finished;
  }

  private isExpired(record: ReportRecord): boolean {
    return record.createdVirtualMs < this.clock.virtualNowMs() - REPORT_RETENTION_MS;
  }

  /** Drops the seller's reports older than 90 days; they are the oldest, so only the front is looked at. */
  private expire(sellerId: string): void {
    const list = this.bySeller.get(sellerId);
    if (!list) return;
    let dropped = 0;
    while (dropped < list.length && this.isExpired(list[dropped] as ReportRecord)) {
      const record = list[dropped] as ReportRecord;
      this.reports.delete(record.reportId);
      if (record.finished?.documentId) this.documents.delete(record.finished.documentId);
      dropped += 1;
    }
    if (dropped > 0) list.splice(0, dropped);
  }
}

function outcomeFor(input: CreateReportInput): Outcome {
  const fault = input.faults.outcome;
  if (fault?.type === 'fatal') return 'FATAL';
  if (fault?.type === 'cancelled') return 'CANCELLED';
  if (fault?.type === 'stuck') return fault.stage === 'IN_QUEUE' ? 'STUCK_IN_QUEUE' : 'STUCK_IN_PROGRESS';
  // Only the seller performance report has content here; Amazon cancels reports that have no data.
  return input.reportType === SELLER_PERFORMANCE_REPORT ? 'DONE' : 'CANCELLED';
}

function encodeDocument(documentId: string, record: ReportRecord, content: unknown): StoredDocument {
  const base = {
    documentId,
    sellerId: record.sellerId,
    reportId: record.reportId,
    contentEncodingGzip: false,
  };
  const json = JSON.stringify(content);
  switch (record.documentFault) {
    case 'truncated': {
      const full = gzipSync(json);
      return {
        ...base,
        bytes: full.subarray(0, Math.floor(full.length * 0.6)),
        compressionAlgorithm: 'GZIP',
      };
    }
    case 'malformed':
      return {
        ...base,
        bytes: gzipSync(json.slice(0, Math.floor(json.length * 0.7))),
        compressionAlgorithm: 'GZIP',
      };
    case 'not-a-report':
      return { ...base, bytes: gzipSync(JSON.stringify(FOREIGN_DOCUMENT)), compressionAlgorithm: 'GZIP' };
    case 'gzip-mismatch':
      return { ...base, bytes: Buffer.from(json, 'utf8'), compressionAlgorithm: 'GZIP' };
    case 'gzip-unflagged':
      return { ...base, bytes: gzipSync(json) };
    case 'content-encoding':
      return { ...base, bytes: gzipSync(json), compressionAlgorithm: 'GZIP', contentEncodingGzip: true };
    default:
      return { ...base, bytes: gzipSync(json), compressionAlgorithm: 'GZIP' };
  }
}

/** Amazon's format for report times: `2025-06-02T10:27:03+00:00`. */
function amazonTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
