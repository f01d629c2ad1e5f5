import { CAUSE_GUIDANCE } from './causes.ts';
import type { CaseRow } from './cases.repository.ts';
import {
  PLACEHOLDER,
  STATUS_TRANSITIONS,
  type CaseDocument,
  type CaseEvidenceItem,
  type CaseFacts,
  type CaseSections,
  type ChecklistItem,
  type NoticeExtract,
} from './model.ts';
import { MARKETPLACES } from '../spapi/marketplaces.ts';

// Case rows as the API gives them.

type SummaryRow = Pick<
  CaseRow,
  | 'id'
  | 'account_id'
  | 'marketplace_id'
  | 'alert_id'
  | 'origin'
  | 'status'
  | 'title'
  | 'sections'
  | 'checklist'
  | 'response_deadline_at'
  | 'opened_at'
  | 'updated_at'
  | 'closed_at'
  | 'reinstatement_confirmed_at'
>;

function placeholdersLeft(sections: Record<string, unknown>): number {
  let n = 0;
  for (const text of Object.values(sections))
    if (typeof text === 'string') n += (text.match(PLACEHOLDER) ?? []).length;
  return n;
}

export function caseSummary(row: SummaryRow, accountName: string) {
  const checklist = row.checklist as ChecklistItem[];
  return {
    id: row.id,
    accountId: row.account_id,
    accountName,
    marketplaceId: row.marketplace_id,
    marketplaceName: MARKETPLACES[row.marketplace_id]?.name ?? null,
    alertId: row.alert_id,
    origin: row.origin,
    status: row.status,
    title: row.title,
    deadlineAt: row.response_deadline_at?.toISOString() ?? null,
    openedAt: row.opened_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    reinstatementConfirmedAt: row.reinstatement_confirmed_at?.toISOString() ?? null,
    placeholdersLeft: placeholdersLeft(row.sections),
    progress: { done: checklist.filter((i) => i.done).length, total: checklist.length },
  };
}

export function caseDocument(row: CaseRow, evidence: CaseEvidenceItem[]): CaseDocument {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    origin: row.origin,
    openedAt: row.opened_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    deadlineAt: row.response_deadline_at?.toISOString() ?? null,
    reinstatementConfirmedAt: row.reinstatement_confirmed_at?.toISOString() ?? null,
    facts: row.facts as unknown as CaseFacts,
    sections: row.sections as CaseSections,
    checklist: row.checklist as ChecklistItem[],
    notice: row.notice_text,
    noticeExtract: row.notice_extract as NoticeExtract | null,
    evidence,
  };
}

export function caseDetail(
  row: CaseRow,
  accountName: string,
  events: ReadonlyArray<{
    id: string;
    type: string;
    at: Date;
    user_email: string | null;
    details: Record<string, unknown>;
  }>,
  evidence: CaseEvidenceItem[],
) {
  const facts = row.facts as unknown as CaseFacts;
  return {
    ...caseSummary(row, accountName),
    statusDates: row.status_dates,
    nextStatuses: [...STATUS_TRANSITIONS[row.status]],
    deadlineSource: row.deadline_source,
    facts: facts as unknown as Record<string, unknown>,
    sections: row.sections as CaseSections,
    checklist: row.checklist as ChecklistItem[],
    notice: row.notice_text,
    noticeExtract: row.notice_extract,
    guidance: (facts.causes ?? []).map((c) => CAUSE_GUIDANCE[c] as unknown as Record<string, unknown>),
    evidence: evidence as unknown as Array<Record<string, unknown>>,
    events: events.map((e) => ({
      id: String(e.id),
      type: e.type,
      at: e.at.toISOString(),
      user: e.user_email,
      details: e.details,
    })),
  };
}
