import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

// TypeScript view of the tables created in migrations/. Kept by hand beside the migrations: a migration
// that changes a table changes its interface here in the same commit.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;
// bigserial/bigint columns are read as strings (full 64-bit precision on both engines).

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string | null;
  /** scrypt, self-describing (server/src/auth/passwords.ts); null until an invited user sets one. */
  password_hash: string | null;
  role: UserRole;
  time_zone: string | null;
  /** Local time (`HH:MM`, in `time_zone`) of the daily digest; null: no digest. */
  digest_time: ColumnType<string | null, string | null | undefined>;
  /** The local date of the last digest queued for this user. */
  digest_last_date: ColumnType<string | null, string | null | undefined>;
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
  invited_by: string | null;
}

export type UserRole = 'admin' | 'viewer';

export interface UserInvitesTable {
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  name: string;
  token_hash: string;
  scope: 'read' | 'full';
  user_id: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface SignInFailuresTable {
  id: Generated<string>;
  email: string;
  ip: string | null;
  at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
}

/** One consent flow in progress (migrations/2026_12_01_2100_oauth_states.ts). */
export interface OAuthStatesTable {
  /** SHA-256 of the state, hex: the state itself travels only in the user's browser and Amazon's redirect. */
  state_hash: string;
  session_id: string;
  user_id: string;
  region: Region;
  /** The marketplace whose Seller Central the seller was sent to, when one was named. */
  marketplace_id: string | null;
  /** The name the new account gets; null: Amazon's business name for the seller. */
  name: string | null;
  /** Set for a reconnect: the account the seller's new token is for. */
  account_id: string | null;
  redirect_uri: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: CreatedAt;
  updated_by: string | null;
}

export type ConnectionState = 'connected' | 'needs_reauthorization' | 'degraded' | 'disconnected';
export type Region = SpApiRegion;

export interface SellerAccountsTable {
  id: Generated<string>;
  seller_id: string;
  name: string;
  region: Region;
  refresh_token_encrypted: string | null;
  connection_state: ColumnType<ConnectionState, ConnectionState | undefined, ConnectionState>;
  connection_error: string | null;
  consecutive_failures: Generated<number>;
  poll_enabled: Generated<boolean>;
  next_poll_at: CreatedAt;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  /** New on every claim: only the poll holding the current token may renew, ingest or give the account back. */
  lease_token: string | null;
  last_poll_at: Timestamp | null;
  last_success_at: Timestamp | null;
  /** When the last successful poll finished, on this server's clock. */
  last_good_poll_at: Timestamp | null;
  /** The registered business name Amazon gave when the account was connected; a reconnect must match it. */
  business_name: string | null;
  /** When the seller last authorized the app (connect or reconnect); the yearly renewal counts from it. */
  authorized_at: CreatedAt;
  /** Why Amazon refused the Data Kiosk history (no analytics role), until a later backfill succeeds. */
  history_error: ColumnType<string | null, string | null | undefined, string | null>;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface AccountMarketplacesTable {
  account_id: string;
  marketplace_id: string;
  country_code: string | null;
  name: string | null;
  is_participating: Generated<boolean>;
  has_suspended_listings: Generated<boolean>;
  enabled: Generated<boolean>;
  account_status: string | null;
  status_since: Timestamp | null;
  ahr_status: string | null;
  ahr_score: number | null;
  ahr_band: string | null;
  last_report_at: Timestamp | null;
  latest_snapshot_id: string | null;
}

export interface ReportDocumentsTable {
  id: Generated<string>;
  account_id: string;
  report_type: string;
  sha256: string;
  amazon_report_id: string | null;
  amazon_document_id: string | null;
  marketplace_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** Size of the document itself, uncompressed. */
  byte_size: number;
  /** The document as downloaded, gzip-compressed; null once pruned (RAW_DOCUMENT_RETENTION_DAYS). */
  body_gzip: Buffer | null;
  pruned_at: Timestamp | null;
  parse_status: 'parsed' | 'malformed';
  parse_error: string | null;
  parse_notes: ColumnType<string[], string | undefined, string>;
  captured_at: Timestamp;
  created_at: CreatedAt;
  evaluation_pending: Generated<boolean>;
  evaluated_at: Timestamp | null;
}

export type PollTrigger = 'schedule' | 'manual' | 'cli';
export type PollStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'abandoned';

export interface PollRunsTable {
  id: Generated<string>;
  account_id: string;
  trigger: PollTrigger;
  status: PollStatus;
  phase: string | null;
  instance_id: string | null;
  queued_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  outcome: string | null;
  error_code: string | null;
  error_message: string | null;
  spapi_calls: Generated<number>;
  throttles: Generated<number>;
  bytes: Generated<number>;
  duration_ms: number | null;
  timings: ColumnType<Record<string, number>, string | undefined, string>;
  report_reused: boolean | null;
  amazon_report_id: string | null;
  report_document_id: string | null;
  snapshots_written: Generated<number>;
  step_token: string | null;
  steps: Generated<number>;
  interruptions: Generated<number>;
}

export type PendingReportState = 'waiting' | 'ingested' | 'malformed' | 'failed' | 'cancelled' | 'stuck';

/** A report asked of Amazon for a run, from the request until the run ends. */
export interface PendingReportsTable {
  id: Generated<string>;
  run_id: string;
  account_id: string;
  amazon_report_id: string;
  marketplace_ids: string[];
  reused: boolean;
  alone: Generated<boolean>;
  state: Generated<PendingReportState>;
  last_status: string | null;
  requested_at: CreatedAt;
  next_check_at: Timestamp;
  check_interval_ms: number;
  checks: Generated<number>;
  error_code: string | null;
  error_message: string | null;
  report_document_id: string | null;
  covered: Generated<string[]>;
  snapshots_written: Generated<number>;
  is_new: Generated<boolean>;
  captured_at: Timestamp | null;
}

export type SnapshotSource = 'report' | 'data_kiosk';
export type SnapshotGranularity = 'snapshot' | 'day' | 'week' | 'month';
export type Channel = 'afn' | 'mfn' | 'all';

export interface PolicyFigure {
  count: number | null;
  status: string | null;
  targetValue?: number;
  targetCondition?: string;
  windowFrom?: string;
  windowTo?: string;
}

/** One marketplace of one account at one capture: its status, rating and policy counts. */
export interface HealthSnapshotsTable {
  id: Generated<string>;
  account_id: string;
  marketplace_id: string;
  captured_at: Timestamp;
  source: SnapshotSource;
  granularity: SnapshotGranularity;
  account_status: string | null;
  ahr_status: string | null;
  ahr_score: number | null;
  ahr_band: string | null;
  policy_violation_warnings: number | null;
  policies: ColumnType<Record<string, PolicyFigure> | null, string | null, string | null>;
  report_document_id: string | null;
}

type Parts = Record<string, { count: number | null; status: string | null }>;

/** The figures of one health snapshot. */
export interface MetricSnapshotsTable {
  snapshot_id: string;
  metric: string;
  channel: Channel;
  window_days: number | null;
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string | null;
  target_value: number | null;
  target_condition: string | null;
  window_from: Timestamp | null;
  window_to: Timestamp | null;
  parts: ColumnType<Parts | null, string | null, string | null>;
}

/** The newest figure of every metric of every account and marketplace, kept by ingest. */
export interface MetricLatestTable {
  account_id: string;
  marketplace_id: string;
  metric: string;
  channel: Channel;
  window_days: number | null;
  captured_at: Timestamp;
  source: SnapshotSource;
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string | null;
  target_value: number | null;
  target_condition: string | null;
  window_from: Timestamp | null;
  window_to: Timestamp | null;
  parts: ColumnType<Parts | null, string | null, string | null>;
  snapshot_id: string | null;
}

/** The last snapshot of each UTC day per marketplace and source (migration 2026_12_03_2000_daily_snapshots). */
export interface DailySnapshotsTable {
  account_id: string;
  marketplace_id: string;
  source: SnapshotSource;
  /** The UTC day. Written as `YYYY-MM-DD`; read it as text (`day::text`): drivers turn a date into local midnight. */
  day: ColumnType<unknown, string, string>;
  snapshot_id: string;
  captured_at: Timestamp;
}

export interface AccountStatusHistoryTable {
  id: Generated<string>;
  account_id: string;
  marketplace_id: string;
  previous_status: string | null;
  status: string;
  changed_at: Timestamp;
  report_document_id: string | null;
}

export interface WarningStatesTable {
  id: Generated<string>;
  account_id: string;
  marketplace_id: string;
  warning_type: string;
  status: string | null;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  cleared_at: Timestamp | null;
}

export interface AlertsTable {
  id: Generated<string>;
  account_id: string;
  marketplace_id: ColumnType<string, string | undefined, string>;
  rule: string;
  subject: ColumnType<string, string | undefined, string>;
  severity: 'info' | 'warning' | 'critical';
  state: 'open' | 'acknowledged' | 'resolved';
  title: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  opened_at: CreatedAt;
  updated_at: CreatedAt;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resolved_at: Timestamp | null;
  condition_cleared_at: Timestamp | null;
}

export interface AlertEventsTable {
  id: Generated<string>;
  alert_id: string;
  type: string;
  at: CreatedAt;
  user_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface AlertMutesTable {
  account_id: string;
  rule: string;
  muted_until: Timestamp | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface OutboxMessagesTable {
  id: Generated<string>;
  idempotency_key: string;
  channel: 'email' | 'webhook' | 'slack';
  recipient: string;
  subject: string | null;
  body_text: string | null;
  body_html: string | null;
  payload: ColumnType<unknown, string | null | undefined, string | null>;
  status: ColumnType<
    'pending' | 'sending' | 'sent' | 'failed',
    'pending' | 'sending' | 'sent' | 'failed' | undefined,
    'pending' | 'sending' | 'sent' | 'failed'
  >;
  attempts: Generated<number>;
  next_attempt_at: CreatedAt;
  locked_until: Timestamp | null;
  last_error: string | null;
  provider_message_id: string | null;
  alert_event_id: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  kind: ColumnType<OutboxKind, OutboxKind | undefined, OutboxKind>;
  account_id: string | null;
  severity: string | null;
  groupable: Generated<boolean>;
  batch_id: string | null;
  message_id: string | null;
  endpoint_id: string | null;
  delivered_via: 'smtp' | 'outbox' | 'http' | null;
}

export type OutboxKind = 'alert' | 'reminder' | 'digest' | 'test' | 'case';

export interface NotificationEndpointsTable {
  id: Generated<string>;
  kind: 'webhook' | 'slack';
  name: string;
  account_id: string | null;
  url_sealed: string;
  signing_secret_sealed: string | null;
  min_severity: ColumnType<'info' | 'warning' | 'critical', 'info' | 'warning' | 'critical' | undefined>;
  enabled: Generated<boolean>;
  created_by: string | null;
  created_at: CreatedAt;
}

export type CaseStatus = 'draft' | 'ready' | 'submitted' | 'more_info_requested' | 'reinstated' | 'denied';

export interface ReinstatementCasesTable {
  id: Generated<string>;
  account_id: string;
  marketplace_id: ColumnType<string, string | undefined, string>;
  alert_id: string | null;
  origin: 'suspension' | 'alert' | 'manual';
  status: ColumnType<CaseStatus, CaseStatus | undefined, CaseStatus>;
  title: string;
  facts: ColumnType<Record<string, unknown>, string | undefined, string>;
  sections: ColumnType<Record<string, unknown>, string | undefined, string>;
  checklist: ColumnType<unknown[], string | undefined, string>;
  notice_text: string | null;
  /** What was read from the notice (cases/model.ts NoticeExtract). */
  notice_extract: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  response_deadline_at: Timestamp | null;
  /** `notice`: read from the pasted notice; `user`: set or confirmed by the seller (a new notice keeps it). */
  deadline_source: 'notice' | 'user' | null;
  /** The time each status was first reached: `{ "submitted": "2026-…" }`. */
  status_dates: ColumnType<Record<string, string>, string | undefined, string>;
  opened_at: CreatedAt;
  updated_at: CreatedAt;
  closed_at: Timestamp | null;
  reinstatement_confirmed_at: Timestamp | null;
  created_by: string | null;
}

export interface CaseEventsTable {
  id: Generated<string>;
  case_id: string;
  type: string;
  at: CreatedAt;
  user_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export type BackfillStatus = 'queued' | 'running' | 'done' | 'failed' | 'no_access';
export type BackfillTrigger = 'connect' | 'api' | 'cli' | 'daily' | 'demo';

/** A Data Kiosk history job (migrations/2026_12_04_0500_data_kiosk_backfill.ts, docs/data-kiosk.md). */
export interface BackfillJobsTable {
  id: Generated<string>;
  account_id: string;
  /** The one marketplace asked for; null: every enabled marketplace when the job was queued. */
  marketplace_id: string | null;
  marketplace_ids: string[];
  trigger: BackfillTrigger;
  /** `YYYY-MM-DD` in, and read as text (`from_day::text`): drivers turn a date into local midnight. */
  from_day: ColumnType<unknown, string, string>;
  to_day: ColumnType<unknown, string, string>;
  chunk_days: number;
  status: ColumnType<BackfillStatus, BackfillStatus | undefined, BackfillStatus>;
  days_total: Generated<number>;
  days_done: Generated<number>;
  lines_stored: Generated<number>;
  lines_skipped: Generated<number>;
  chunks_total: Generated<number>;
  chunk_index: Generated<number>;
  query_id: string | null;
  document_id: string | null;
  pagination_token: string | null;
  document_lines_done: Generated<number>;
  error: string | null;
  attempts: Generated<number>;
  not_before: Timestamp | null;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface CaseEvidenceTable {
  id: Generated<string>;
  case_id: string;
  file_name: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  content: Buffer;
  description: string | null;
  uploaded_by: string | null;
  uploaded_at: CreatedAt;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  oauth_states: OAuthStatesTable;
  user_invites: UserInvitesTable;
  api_tokens: ApiTokensTable;
  sign_in_failures: SignInFailuresTable;
  settings: SettingsTable;
  seller_accounts: SellerAccountsTable;
  account_marketplaces: AccountMarketplacesTable;
  report_documents: ReportDocumentsTable;
  poll_runs: PollRunsTable;
  pending_reports: PendingReportsTable;
  health_snapshots: HealthSnapshotsTable;
  metric_snapshots: MetricSnapshotsTable;
  metric_latest: MetricLatestTable;
  daily_snapshots: DailySnapshotsTable;
  account_status_history: AccountStatusHistoryTable;
  warning_states: WarningStatesTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  alert_mutes: AlertMutesTable;
  outbox_messages: OutboxMessagesTable;
  notification_endpoints: NotificationEndpointsTable;
  reinstatement_cases: ReinstatementCasesTable;
  case_events: CaseEventsTable;
  case_evidence: CaseEvidenceTable;
  backfill_jobs: BackfillJobsTable;
}

export type SellerAccountRow = Selectable<SellerAccountsTable>;
export type NewSellerAccount = Insertable<SellerAccountsTable>;
export type SellerAccountUpdate = Updateable<SellerAccountsTable>;
export type PollRunRow = Selectable<PollRunsTable>;
export type PendingReportRow = Selectable<PendingReportsTable>;
export type OAuthStateRow = Selectable<OAuthStatesTable>;
