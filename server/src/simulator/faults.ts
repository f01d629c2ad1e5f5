// Injected faults. Request faults act on the next matching calls; report faults are bound to the next
// matching reports when they are created, so a test can inject a fault and then create the report it hits.
// The same outcome and document faults given `operation: "createQuery"` are bound to Data Kiosk queries instead.

import { z } from 'zod';
import { createRng } from './prng.ts';

const REQUEST_FAULT_TYPES = ['throttle', 'error', 'latency', 'timeout'] as const;
/** Faults in the document bytes. `gzip-unflagged`: gzip bytes without `compressionAlgorithm` (#1280);
 * `content-encoding`: the download also says `Content-Encoding: gzip`, so clients that honour it gunzip twice. */
export const DOCUMENT_FAULT_TYPES = [
  'truncated',
  'malformed',
  'not-a-report',
  'gzip-mismatch',
  'gzip-unflagged',
  'content-encoding',
] as const;
const OUTCOME_FAULT_TYPES = ['fatal', 'cancelled', 'stuck'] as const;

type RequestFaultType = (typeof REQUEST_FAULT_TYPES)[number];
export type DocumentFaultType = (typeof DOCUMENT_FAULT_TYPES)[number];
type OutcomeFaultType = (typeof OUTCOME_FAULT_TYPES)[number];
type FaultType = RequestFaultType | DocumentFaultType | OutcomeFaultType;

/** The document faults that make sense for a Data Kiosk JSON Lines document. */
export const QUERY_DOCUMENT_FAULT_TYPES = ['truncated', 'malformed', 'content-encoding'] as const;
/** The operation that binds an outcome or document fault to Data Kiosk queries rather than to reports. */
export const QUERY_FAULT_OPERATION = 'createQuery';

export const faultSpecSchema = z
  .object({
    type: z.enum([...REQUEST_FAULT_TYPES, ...DOCUMENT_FAULT_TYPES, ...OUTCOME_FAULT_TYPES]),
    /** An SP-API operation name, `token` (LWA) or `downloadDocument`; request faults only. Omitted: any. */
    operation: z.string().min(1).optional(),
    sellerId: z.string().min(1).optional(),
    /** How many times the fault fires. Default 1, or unlimited when only `probability` is given. */
    count: z.number().int().positive().optional(),
    /** Chance that a matching call or report is hit (seeded, so a run is repeatable). */
    probability: z.number().min(0).max(1).optional(),
    /** `error`: the HTTP status, 500 (default) or 503. */
    status: z.union([z.literal(500), z.literal(503)]).optional(),
    /** `latency`: the delay in ms (default 1000). */
    ms: z.number().int().nonnegative().max(600_000).optional(),
    /** `stuck`: the status the report (or query) never leaves (default IN_PROGRESS). */
    stage: z.enum(['IN_QUEUE', 'IN_PROGRESS']).optional(),
  })
  .refine(
    (spec) =>
      spec.operation !== QUERY_FAULT_OPERATION ||
      !isDocumentFault(spec.type) ||
      (QUERY_DOCUMENT_FAULT_TYPES as readonly string[]).includes(spec.type),
    {
      message: `Data Kiosk documents take only the ${QUERY_DOCUMENT_FAULT_TYPES.join(', ')} document faults`,
      path: ['type'],
    },
  );

export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface ActiveFault extends FaultSpec {
  id: number;
  /** Firings left; undefined means until cleared. */
  remaining: number | undefined;
  fired: number;
}

function isRequestFault(type: FaultType): type is RequestFaultType {
  return (REQUEST_FAULT_TYPES as readonly string[]).includes(type);
}
function isDocumentFault(type: FaultType): type is DocumentFaultType {
  return (DOCUMENT_FAULT_TYPES as readonly string[]).includes(type);
}
function isOutcomeFault(type: FaultType): type is OutcomeFaultType {
  return (OUTCOME_FAULT_TYPES as readonly string[]).includes(type);
}

export interface ReportFaults {
  outcome?: ActiveFault;
  document?: ActiveFault;
}

export class FaultBook {
  private faults: ActiveFault[] = [];
  private readonly rolls = new Map<number, () => number>();
  private nextId = 1;

  add(spec: FaultSpec): ActiveFault {
    const remaining = spec.count ?? (spec.probability === undefined ? 1 : undefined);
    const fault: ActiveFault = { ...spec, id: this.nextId++, remaining, fired: 0 };
    this.faults.push(fault);
    this.rolls.set(fault.id, createRng(`fault|${fault.id}|${spec.type}`));
    return fault;
  }

  clear(): number {
    const cleared = this.faults.length;
    this.faults = [];
    this.rolls.clear();
    return cleared;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The request faults that fire for this call: every latency, then at most one throttle/error/timeout. */
  takeRequestFaults(operation: string, sellerId: string | undefined): ActiveFault[] {
    if (this.faults.length === 0) return [];
    const fired: ActiveFault[] = [];
    let terminal = false;
    for (const fault of this.faults) {
      if (!isRequestFault(fault.type)) continue;
      if (fault.operation !== undefined && fault.operation !== operation) continue;
      if (fault.sellerId !== undefined && fault.sellerId !== sellerId) continue;
      const isLatency = fault.type === 'latency';
      if (!isLatency && terminal) continue;
      if (!this.fire(fault)) continue;
      fired.push(fault);
      if (!isLatency) terminal = true;
    }
    this.prune();
    return fired;
  }

  /** Binds at most one outcome fault and one document fault to a report being created. */
  takeReportFaults(sellerId: string): ReportFaults {
    return this.takeBound(sellerId, false);
  }

  /** Binds at most one outcome fault and one document fault (`operation: "createQuery"`) to a new query. */
  takeQueryFaults(sellerId: string): ReportFaults {
    return this.takeBound(sellerId, true);
  }

  private takeBound(sellerId: string, forQuery: boolean): ReportFaults {
    if (this.faults.length === 0) return {};
    const taken: ReportFaults = {};
    for (const fault of this.faults) {
      if (fault.sellerId !== undefined && fault.sellerId !== sellerId) continue;
      if ((fault.operation === QUERY_FAULT_OPERATION) !== forQuery) continue;
      const slot = isOutcomeFault(fault.type)
        ? 'outcome'
        : isDocumentFault(fault.type)
          ? 'document'
          : undefined;
      if (!slot || taken[slot]) continue;
      if (this.fire(fault)) taken[slot] = { ...fault };
    }
    this.prune();
    return taken;
  }

  private fire(fault: ActiveFault): boolean {
    if (fault.remaining !== undefined && fault.remaining <= 0) return false;
    if (fault.probability !== undefined && (this.rolls.get(fault.id)?.() ?? 0) >= fault.probability)
      return false;
    if (fault.remaining !== undefined) fault.remaining -= 1;
    fault.fired += 1;
    return true;
  }

  private prune(): void {
    this.faults = this.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
  }
}
