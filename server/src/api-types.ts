import type { z } from 'zod';
import type { HealthBody } from './health/health.schemas.ts';
import type { Account } from './accounts/accounts.schemas.ts';
import type { PollRun, RefreshAccepted, RefreshManyAccepted } from './poller/poller.schemas.ts';
import type { ConnectOutcome as ConnectOutcomeType, StartConsentResponse } from './oauth/oauth.schemas.ts';
import type {
  ApiTokenCreated,
  ApiTokenListed,
  Invited as InvitedSchema,
  SessionInfo,
  User as UserSchema,
  UserListed,
} from './auth/auth.schemas.ts';
import type {
  Board as BoardSchema,
  OverviewAccount as OverviewAccountSchema,
  OverviewVersion as OverviewVersionSchema,
  Overview as OverviewSchema,
  Series as SeriesSchema,
  StatusChange as StatusChangeSchema,
  Violations as ViolationsSchema,
  WarningStateItem,
} from './metrics/metrics.schemas.ts';
import type {
  Alert as AlertSchema,
  AlertEvent as AlertEventSchema,
  AlertList as AlertListSchema,
  AlertWithEvents as AlertWithEventsSchema,
  Mute as MuteSchema,
  RuleInfo as RuleInfoSchema,
} from './alerts/alerts.schemas.ts';
import type {
  CaseDetail as CaseDetailSchema,
  CaseSummary as CaseSummarySchema,
  OpenedCase as OpenedCaseSchema,
  SectionRevision as SectionRevisionSchema,
} from './cases/cases.schemas.ts';
import type { CaseEvidenceItem, CaseFacts, CauseGuidance, NoticeExtract } from './cases/model.ts';
import type {
  BackfillJob as BackfillJobSchema,
  BackfillQueued as BackfillQueuedSchema,
  BackfillState as BackfillStateSchema,
} from './backfill/backfill.schemas.ts';

// The API's answers as TypeScript types, inferred from the same zod schemas the routes validate and document
// with. The dashboard imports these (types only), so a change to a schema is a type error in web/, not a
// silent mismatch. This module imports schemas only, nothing that runs.

export type Health = z.infer<typeof HealthBody>;
export type SellerAccount = z.infer<typeof Account>;
export type PollRunInfo = z.infer<typeof PollRun>;
export type RefreshQueued = z.infer<typeof RefreshAccepted>;
export type RefreshManyQueued = z.infer<typeof RefreshManyAccepted>;
export type Overview = z.infer<typeof OverviewSchema>;
export type OverviewAccount = z.infer<typeof OverviewAccountSchema>;
export type Board = z.infer<typeof BoardSchema>;
export type BoardRow = Board['rows'][number];
export type BoardFigure = NonNullable<BoardRow['figures'][number]>;
export type OverviewVersion = z.infer<typeof OverviewVersionSchema>;
export type Series = z.infer<typeof SeriesSchema>;
export type StatusChange = z.infer<typeof StatusChangeSchema>;
export type Violations = z.infer<typeof ViolationsSchema>;
export type WarningState = z.infer<typeof WarningStateItem>;
export type ConsentStarted = z.infer<typeof StartConsentResponse>;
/** How a connection through Amazon's consent page ended: `?outcome=` of /settings/accounts/connect-result. */
export type ConnectOutcome = ConnectOutcomeType;
export type User = z.infer<typeof UserSchema>;
/** `demo`: the server signed the demo admin in by itself. */
export type Session = z.infer<typeof SessionInfo>;
export type ManagedUser = z.infer<typeof UserListed>;
export type Invited = z.infer<typeof InvitedSchema>;
export type ApiToken = z.infer<typeof ApiTokenListed>;
/** Its `token` is shown once: the server keeps only its hash. */
export type CreatedToken = z.infer<typeof ApiTokenCreated>;
export type Alert = z.infer<typeof AlertSchema>;
export type AlertEvent = z.infer<typeof AlertEventSchema>;
export type AlertList = z.infer<typeof AlertListSchema>;
export type AlertWithEvents = z.infer<typeof AlertWithEventsSchema>;
/** A rule muted for an account: `until` null means until someone unmutes it. */
export type Mute = z.infer<typeof MuteSchema>;
export type RuleInfo = z.infer<typeof RuleInfoSchema>;

export type {
  CaseEvidenceItem,
  CaseFacts,
  CaseFigure,
  CasePolicy,
  CaseStatus,
  CaseTrend,
  CauseGuidance,
  CauseId,
  ChecklistItem,
  NoticeExtract,
  SectionKey,
} from './cases/model.ts';
export type CaseSummary = z.infer<typeof CaseSummarySchema>;
/** A case as GET /api/cases/:id gives it, its documents typed by cases/model.ts. */
export type CaseDetail = Omit<
  z.infer<typeof CaseDetailSchema>,
  'facts' | 'noticeExtract' | 'guidance' | 'evidence'
> & {
  facts: CaseFacts;
  noticeExtract: NoticeExtract | null;
  guidance: CauseGuidance[];
  evidence: CaseEvidenceItem[];
};
export type OpenedCase = Omit<z.infer<typeof OpenedCaseSchema>, 'case'> & { case: CaseSummary };
export type SectionRevision = z.infer<typeof SectionRevisionSchema>;
export type BackfillJob = z.infer<typeof BackfillJobSchema>;
export type BackfillState = z.infer<typeof BackfillStateSchema>;
export type BackfillQueued = z.infer<typeof BackfillQueuedSchema>;
