import { z } from 'zod';
import { CASE_STATUSES, CHECKLIST_GROUPS, SECTION_KEYS } from './model.ts';

// The cases API's shapes. The nested documents (facts, notice extract, guidance) are described by the types in
// model.ts, which api-types.ts gives the dashboard; here they are checked as objects.

export const CaseStatus = z.enum(CASE_STATUSES);
export const SectionKey = z.enum(SECTION_KEYS);
const Uuid = z.uuid();

export const CaseParams = z.object({ id: Uuid });
export const ChecklistParams = z.object({ id: Uuid, itemId: z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/) });
export const SectionParams = z.object({ id: Uuid, section: SectionKey });

export const CasesQuery = z.object({
  state: z.enum(['open', 'closed', 'all']).default('open'),
  account: Uuid.optional(),
  alert: Uuid.optional().describe('The case started from (or linked to) this alert'),
});

export const OpenCaseBody = z
  .object({
    accountId: Uuid.optional(),
    marketplaceId: z.string().max(40).optional(),
    alertId: Uuid.optional(),
  })
  .strict()
  .refine((b) => b.accountId !== undefined || b.alertId !== undefined, {
    message: 'name the account (accountId) or the alert (alertId)',
  });

const Progress = z.object({ done: z.number().int(), total: z.number().int() });

export const CaseSummary = z
  .object({
    id: Uuid,
    accountId: Uuid,
    accountName: z.string(),
    marketplaceId: z.string(),
    marketplaceName: z.string().nullable(),
    alertId: Uuid.nullable(),
    origin: z.enum(['suspension', 'alert', 'manual']),
    status: CaseStatus,
    title: z.string(),
    deadlineAt: z.string().nullable(),
    openedAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
    reinstatementConfirmedAt: z.string().nullable(),
    placeholdersLeft: z.number().int().describe('[[…]] still to fill in the plan of action and the appeal'),
    progress: Progress.describe('Checklist items done, of all'),
  })
  .describe('CaseSummary');

export const OpenedCase = z.object({ created: z.boolean(), case: CaseSummary });

const ChecklistItem = z.object({
  id: z.string(),
  group: z.enum(CHECKLIST_GROUPS),
  label: z.string(),
  hint: z.string(),
  done: z.boolean(),
  note: z.string(),
  doneAt: z.string().nullable(),
});

export const CaseEventBody = z.object({
  id: z.string(),
  type: z
    .string()
    .describe(
      'opened, alert_linked, suspension_seen, section_edited, checklist_item, notice_saved, deadline_set, ' +
        'status_changed, note, evidence_added, evidence_deleted, reinstatement_confirmed',
    ),
  at: z.string(),
  user: z.string().nullable().describe('Who did it (email); null for the app itself'),
  details: z.record(z.string(), z.unknown()),
});

const Obj = z.record(z.string(), z.unknown());

export const CaseDetail = CaseSummary.extend({
  statusDates: z.record(z.string(), z.string()),
  nextStatuses: z.array(CaseStatus),
  deadlineSource: z.enum(['notice', 'user']).nullable(),
  facts: Obj.describe('CaseFacts (cases/model.ts)'),
  sections: z.record(SectionKey, z.string()),
  checklist: z.array(ChecklistItem),
  notice: z.string().nullable(),
  noticeExtract: Obj.nullable().describe('NoticeExtract (cases/model.ts)'),
  guidance: z.array(Obj).describe('CauseGuidance for each cause of the case'),
  evidence: z.array(Obj).describe('CaseEvidenceItem'),
  events: z.array(CaseEventBody),
}).describe('Case');

export const SectionsBody = z
  .object({ sections: z.partialRecord(SectionKey, z.string().max(50_000)) })
  .strict();
export const ChecklistBody = z
  .object({ done: z.boolean().optional(), note: z.string().max(5_000).optional() })
  .strict();
export const NoticeBody = z.object({ text: z.string().min(1).max(100_000) }).strict();
export const DeadlineBody = z.object({ at: z.iso.datetime({ offset: true }).nullable() }).strict();
export const StatusBody = z.object({ status: CaseStatus, note: z.string().max(5_000).optional() }).strict();
export const NoteBody = z.object({ text: z.string().trim().min(1).max(20_000) }).strict();

export const SectionRevision = z.object({
  at: z.string(),
  user: z.string().nullable(),
  before: z.string(),
  after: z.string(),
});
