// The shape of a reinstatement case, shared by its parts: the facts taken from the stored snapshots, the causes
// they show, the sections the seller writes (pre-filled with drafts), the checklists, the notice pasted in and
// what was read from it. Pure types and constants; the API schemas (cases.schemas.ts) mirror them.

export const CASE_STATUSES = [
  'draft',
  'ready',
  'submitted',
  'more_info_requested',
  'reinstated',
  'denied',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Where each status may go next. A decision (`reinstated`, `denied`) closes the case; `denied` may be appealed again. */
export const STATUS_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  draft: ['ready'],
  ready: ['draft', 'submitted'],
  submitted: ['more_info_requested', 'reinstated', 'denied'],
  more_info_requested: ['submitted', 'reinstated', 'denied'],
  reinstated: [],
  denied: [],
};
export const CLOSING_STATUSES: ReadonlySet<CaseStatus> = new Set(['reinstated', 'denied']);

export type CaseOrigin = 'suspension' | 'alert' | 'manual';

/** Every cause the stored data can show, each with its own section of the plan of action. */
export const CAUSES = [
  'order_defects',
  'late_shipment',
  'cancellations',
  'valid_tracking',
  'on_time_delivery',
  'invoice_defects',
  'intellectual_property',
  'authenticity',
  'condition',
  'safety',
  'restricted_products',
  'review_manipulation',
  'listing_policy',
  'other',
] as const;
export type CauseId = (typeof CAUSES)[number];

export interface CaseTarget {
  value: number;
  /** `LESS_THAN` or `GREATER_THAN` (Amazon's spelling); another condition is kept as given. */
  condition: string;
}

/** One rate figure of the marketplace at the time the case opened, as the report gave it. */
export interface CaseFigure {
  /** Our metric name (`order_defect_rate`, `late_shipment_rate`, ...). */
  metric: string;
  /** `afn`, `mfn` or `all`. */
  channel: string;
  /** The figure's window length in days, when the report gave one. */
  windowDays: number | null;
  /** A fraction (0.012 is 1.2 %). */
  rate: number | null;
  /** The count behind the rate (orders with defects, late shipments, ...). */
  numerator: number | null;
  /** What the rate is taken over (orders, shipments, invoices). */
  denominator: number | null;
  status: string | null;
  /** The report's own target, else Amazon's published one; null when neither is known. */
  target: CaseTarget | null;
  /** On the wrong side of its target, or marked `BAD` by Amazon. */
  breached: boolean;
  /** Sub-counts as Amazon spells them: `claims`, `chargebacks`, `negativeFeedback`, `orderWithDefects`, ... */
  parts: Record<string, number | null>;
  window: { from: string | null; to: string | null };
  /** The same figure's rate 30 and 60 days before the case's capture time (nearest stored day), when stored. */
  earlier: { days30: number | null; days60: number | null };
}

/** One policy-compliance category with violations (count above zero) or a status other than `GOOD`. */
export interface CasePolicy {
  /** Our category name (`received_intellectual_property_complaints`, ...). */
  category: string;
  count: number | null;
  status: string | null;
  window: { from: string | null; to: string | null };
}

/** A point of the trend chart: the day's rate of one figure. */
export interface CaseTrendPoint {
  at: string;
  rate: number;
}

export interface CaseTrend {
  metric: string;
  channel: string;
  target: CaseTarget | null;
  points: CaseTrendPoint[];
}

/** The alert a case was started from, as it was then. */
export interface CaseAlertContext {
  id: string;
  rule: string;
  subject: string;
  severity: string;
  title: string;
  openedAt: string;
  details: Record<string, unknown>;
}

/**
 * What Amazon's data said when the case opened: copied from the stored snapshots into the case, so the case keeps
 * the figures it was written from even as new reports arrive. Nothing here is invented: a figure the data does not
 * hold is null.
 */
export interface CaseFacts {
  accountId: string;
  sellerId: string;
  accountName: string;
  marketplaceId: string;
  /** "Amazon.com", or null for an account-level case. */
  marketplaceName: string | null;
  countryCode: string | null;
  /** The capture time of the report the facts come from; null when the account has no report yet. */
  capturedAt: string | null;
  accountStatus: string | null;
  /** When the marketplace entered its current status, as far as the stored history shows. */
  statusSince: string | null;
  ahr: { status: string | null; score: number | null; band: string | null };
  /** Every rate figure of the report, breached or not (the breached ones first). */
  figures: CaseFigure[];
  policies: CasePolicy[];
  warningStates: Array<{ type: string; status: string | null }>;
  /** Up to 60 days of daily rates before the capture, for each figure a cause cites. */
  trends: CaseTrend[];
  alert: CaseAlertContext | null;
  /** The causes the data shows, in the order the plan of action takes them. */
  causes: CauseId[];
}

/** The sections the seller writes: the plan of action and the appeal. Drafts are pre-filled by draft.ts. */
export const SECTION_KEYS = [
  'root_cause',
  'corrective_actions',
  'preventive_measures',
  'implementation_timeline',
  'appeal_summary',
  'appeal_evidence',
  'appeal_commitment',
] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];
export type CaseSections = Record<SectionKey, string>;

export const SECTION_TITLES: Readonly<Record<SectionKey, string>> = {
  root_cause: 'Root cause',
  corrective_actions: 'Immediate corrective actions',
  preventive_measures: 'Preventive measures',
  implementation_timeline: 'Implementation timeline',
  appeal_summary: 'Summary',
  appeal_evidence: 'New information and evidence',
  appeal_commitment: 'Commitment to compliance',
};

/**
 * A placeholder the seller must replace: `[[what to write]]`. The export warns while any remain, and the editor
 * marks them.
 */
export const PLACEHOLDER = /\[\[([^\]\n]{1,200})\]\]/g;

export const CHECKLIST_GROUPS = ['steps', 'damage', 'moving_forward'] as const;
export type ChecklistGroup = (typeof CHECKLIST_GROUPS)[number];

export interface ChecklistItem {
  /** Stable within the case: `steps.understand`, `damage.inventory`, ... */
  id: string;
  group: ChecklistGroup;
  label: string;
  /** What to do or look at, in the product's words. */
  hint: string;
  done: boolean;
  /** The seller's own note (what they found: units held, funds, ...). */
  note: string;
  doneAt: string | null;
}

/** What was read from the notice the seller pasted in. */
export interface NoticeExtract {
  asins: string[];
  orderIds: string[];
  /** Policy names the notice cites, as written in it ("Intellectual Property Policy"). */
  policies: string[];
  /** The causes the notice points to, by our names (for a notice that names what the data does not show). */
  causes: CauseId[];
  /** Dates written in the notice, as ISO days (`2026-03-05`). */
  dates: string[];
  /** The response deadline read from the notice, or null. */
  deadline: {
    /** ISO 8601 instant. */
    at: string;
    /** How it was read: a span from the notice's date (`72 hours`, `17 days`) or a date written out. */
    basis: 'span' | 'date';
    /** The words it was read from, for the seller to check. */
    text: string;
  } | null;
  /** The notice's own date if it gives one, else the time it was pasted: the start of a span. */
  receivedAt: string;
}

/** Guidance for one cause, shown beside the plan of action; the product's own words. */
export interface CauseGuidance {
  cause: CauseId;
  title: string;
  /** Why Amazon acts on it and what Seller Performance looks for. */
  why: string;
  /** What to look at to find the root cause. */
  investigate: string[];
  /** Evidence that supports this cause's plan (invoices, carrier data, ...). */
  evidence: string[];
}

export interface CaseEvidenceItem {
  id: string;
  fileName: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  description: string | null;
  uploadedAt: string;
  /** The uploader's email, or null when the user was deleted. */
  uploadedBy: string | null;
}

/** A whole case as the export and the print view read it. */
export interface CaseDocument {
  id: string;
  title: string;
  status: CaseStatus;
  origin: CaseOrigin;
  openedAt: string;
  closedAt: string | null;
  /** The response deadline (ISO 8601), confirmed by the seller or read from the notice; null when not known. */
  deadlineAt: string | null;
  reinstatementConfirmedAt: string | null;
  facts: CaseFacts;
  sections: CaseSections;
  checklist: ChecklistItem[];
  notice: string | null;
  noticeExtract: NoticeExtract | null;
  evidence: CaseEvidenceItem[];
}
