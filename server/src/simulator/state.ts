// The simulator's whole state: virtual clock, accounts, LWA grants, reports, Data Kiosk queries, faults, counters
// and usage limits. Tests in the same process drive it directly; the /_sim control API is a thin layer over it.

import { z } from 'zod';
import { Counters } from './counters.ts';
import { DataKioskStore } from './data-kiosk-store.ts';
import type { QueryResult, QueryRows, QueryView } from './data-kiosk-store.ts';
import type { CountersSnapshot } from './counters.ts';
import { DEMO_ACCOUNTS } from './demo-accounts.ts';
import type { DemoAccount } from './demo-accounts.ts';
import { FaultBook, faultSpecSchema } from './faults.ts';
import type { ActiveFault, FaultSpec, ReportFaults } from './faults.ts';
import { newAccessToken, newAuthorizationCode, refreshTokenFor, sellerIdFromCounter } from './ids.ts';
import { marketplaceInfo } from './marketplaces.ts';
import { SPAPI_REGIONS, isSpApiRegion } from '../spapi/marketplaces.ts';
import { dialectForSeller, generateSellerPerformanceReport, isDialectName } from './performance-report.ts';
import type { DialectName, SellerPerformanceDocument } from './performance-report.ts';
import { ReportStore } from './report-store.ts';
import type { ReportView } from './report-store.ts';
import { isScenarioName, SCENARIO_NAMES } from './scenarios.ts';
import {
  accountHealthQuery,
  checkQuery,
  MAX_DOCUMENT_LINES,
  sellerAnalyticsRowStream,
} from './seller-analytics.ts';
import type { Granularity, QueryCheck } from './seller-analytics.ts';
import { UsageLimiter } from './usage-plans.ts';

const DAY_MS = 86_400_000;
export const ACCESS_TOKEN_TTL_S = 3600;
const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;

interface StateOptions {
  clientId: string;
  clientSecret: string;
  /** The app a consent URL must name (`application_id`). */
  applicationId: string;
  /** A draft app is authorized only by a consent URL with `version=beta`, as Amazon's are. */
  appDraft: boolean;
  rateScale: number;
  burstScale: number;
  reportProcessingMs: number;
  /** Wall-clock ms a Data Kiosk query takes IN_QUEUE -> IN_PROGRESS -> DONE; default reportProcessingMs. */
  dataKioskProcessingMs?: number;
  accounts: 'demo' | 'none';
  now: () => Date;
  wallNowMs?: () => number;
}

export const addAccountSchema = z.object({
  sellerId: z
    .string()
    .regex(/^A[0-9A-Z]{8,20}$/, 'a seller id is A followed by 8 to 20 upper-case letters or digits')
    .optional(),
  name: z.string().min(1).max(200).optional(),
  /** getAccount's registered business name; null: an individual seller without one. Default: a new one. */
  businessName: z.string().min(1).max(200).nullable().optional(),
  region: z.enum(SPAPI_REGIONS),
  marketplaceIds: z.array(z.string()).min(1).max(25),
  scenario: z.enum(SCENARIO_NAMES),
  refreshToken: z.string().min(10).optional(),
  dialect: z.string().optional(),
  reportMarketplaces: z.enum(['all', 'first', 'one-at-a-time']).optional(),
  /** false: the seller has not granted the analytics rights Data Kiosk's Seller Analytics needs. Default true. */
  analyticsAccess: z.boolean().optional(),
});

export type AddAccountInput = z.input<typeof addAccountSchema>;

export interface AccountView extends DemoAccount {
  dialect: DialectName;
  revoked: boolean;
  analyticsAccess: boolean;
  scenarioStartedAt: string;
  virtualDay: number;
  /** Set for a benchmark: every Seller Analytics query of the seller answers this many periods (lines). */
  documentLines?: number;
}

export interface StateSnapshot {
  now: string;
  clockOffsetMs: number;
  accounts: AccountView[];
  counters: CountersSnapshot;
  faults: ActiveFault[];
  reports: number;
  dataKioskQueries: number;
}

export type TokenGrant =
  | { ok: true; accessToken: string; refreshToken?: string; sellerId?: string }
  | { ok: false; error: 'invalid_grant' | 'invalid_client'; description: string };

type AccessCheck =
  { ok: true; sellerId: string | undefined } | { ok: false; reason: 'missing' | 'expired' | 'invalid' };

interface AccountRecord {
  account: DemoAccount & { dialect: DialectName };
  /** UTC midnight of the virtual day the scenario started: its day 0. */
  scenarioStartMs: number;
  /** Whether Data Kiosk's Seller Analytics answers this seller (the analytics_sales_and_traffic_view_pa right). */
  analyticsAccess: boolean;
  /** The benchmarks' large documents: every Seller Analytics query answers this many periods (`setDocumentLines`). */
  documentLines?: number;
}

/** The arguments of the control API's Data Kiosk look-up when no query text is given. */
export interface DataKioskRowsRequest {
  startDate: string;
  endDate: string;
  marketplaceIds?: string[];
  aggregateBy?: Granularity;
  byChannel?: boolean;
}

export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SimulatorState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly applicationId: string;
  readonly appDraft: boolean;
  readonly limiter: UsageLimiter;
  private readonly faultBook = new FaultBook();
  private readonly requestCounters = new Counters();
  private readonly store: ReportStore;
  private readonly queryStore: DataKioskStore;
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly refreshTokens = new Map<string, { sellerId: string; revoked: boolean }>();
  private readonly accessTokens = new Map<string, { sellerId: string | undefined; expiresAtMs: number }>();
  private readonly authorizationCodes = new Map<
    string,
    { sellerId: string; expiresAtMs: number; redirectUri: string | undefined }
  >();
  private offsetMs = 0;
  private addedCounter = 0;
  private issuedSinceSweep = 0;

  constructor(private readonly options: StateOptions) {
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.applicationId = options.applicationId;
    this.appDraft = options.appDraft;
    const wallNowMs = options.wallNowMs ?? (() => performance.now());
    this.limiter = new UsageLimiter(options.rateScale, options.burstScale, wallNowMs);
    this.store = new ReportStore(
      { virtualNowMs: () => this.now().getTime(), wallNowMs },
      options.reportProcessingMs,
    );
    this.queryStore = new DataKioskStore(
      { virtualNowMs: () => this.now().getTime(), wallNowMs },
      options.dataKioskProcessingMs ?? options.reportProcessingMs,
    );
    this.loadDemoAccounts();
  }

  // ---- clock

  now(): Date {
    return new Date(this.options.now().getTime() + this.offsetMs);
  }

  advanceClock(by: { days?: number; hours?: number; minutes?: number }): Date {
    const ms = ((by.days ?? 0) * 24 * 60 + (by.hours ?? 0) * 60 + (by.minutes ?? 0)) * 60_000;
    if (!Number.isFinite(ms) || ms < 0) throw new SimulatorError(400, 'The clock only moves forward');
    this.offsetMs += ms;
    return this.now();
  }

  /** Days since the account's scenario started, counted in whole UTC days of the virtual calendar. */
  virtualDay(sellerId: string, at: Date = this.now()): number {
    const record = this.requireAccount(sellerId);
    return Math.floor((startOfUtcDay(at.getTime()) - record.scenarioStartMs) / DAY_MS);
  }

  // ---- accounts

  addAccount(input: AddAccountInput): DemoAccount {
    const parsed = addAccountSchema.safeParse(input);
    if (!parsed.success) throw new SimulatorError(400, z.prettifyError(parsed.error));
    const spec = parsed.data;
    for (const id of spec.marketplaceIds) {
      const marketplace = marketplaceInfo(id);
      if (!marketplace) throw new SimulatorError(400, `Unknown marketplace ${id}`);
      if (marketplace.region !== spec.region) {
        throw new SimulatorError(400, `Marketplace ${id} is not in region ${spec.region}`);
      }
    }
    if (spec.dialect !== undefined && !isDialectName(spec.dialect)) {
      throw new SimulatorError(400, `Unknown dialect ${spec.dialect}`);
    }
    this.addedCounter += 1;
    const sellerId = spec.sellerId ?? this.freeSellerId();
    if (this.accounts.has(sellerId)) throw new SimulatorError(409, `Seller ${sellerId} already exists`);
    const refreshToken = spec.refreshToken ?? refreshTokenFor(`${sellerId}|${this.addedCounter}`);
    if (this.refreshTokens.has(refreshToken))
      throw new SimulatorError(409, 'That refresh token is already in use');
    return this.register({
      sellerId,
      name: spec.name ?? `Simulated Seller ${this.addedCounter}`,
      businessName:
        spec.businessName === undefined ? `Simulated Business ${this.addedCounter} LLC` : spec.businessName,
      region: spec.region,
      refreshToken,
      marketplaceIds: [...spec.marketplaceIds],
      scenario: spec.scenario,
      dialect:
        spec.dialect !== undefined && isDialectName(spec.dialect) ? spec.dialect : dialectForSeller(sellerId),
      ...(spec.reportMarketplaces ? { reportMarketplaces: spec.reportMarketplaces } : {}),
      ...(spec.analyticsAccess === false ? { analyticsAccess: false } : {}),
    });
  }

  getAccount(sellerId: string): DemoAccount | undefined {
    const record = this.accounts.get(sellerId);
    return record ? { ...record.account, marketplaceIds: [...record.account.marketplaceIds] } : undefined;
  }

  listAccounts(): AccountView[] {
    const authorized = new Set<string>();
    for (const grant of this.refreshTokens.values()) if (!grant.revoked) authorized.add(grant.sellerId);
    return [...this.accounts.values()].map((record) => this.accountView(record, authorized));
  }

  /** Switches the account to another scenario, whose day 0 is today. */
  /** Plays `scenario` from today, or from `startDay` days into it (the demo opens mid-story). */
  setScenario(sellerId: string, scenario: string, startDay = 0): DemoAccount {
    if (!isScenarioName(scenario)) throw new SimulatorError(400, `Unknown scenario ${scenario}`);
    if (!Number.isInteger(startDay) || startDay < 0)
      throw new SimulatorError(400, 'startDay is a whole day, 0 or more');
    const record = this.requireAccount(sellerId);
    record.account.scenario = scenario;
    record.scenarioStartMs = startOfUtcDay(this.now().getTime()) - startDay * DAY_MS;
    return this.getAccount(sellerId) as DemoAccount;
  }

  /** Grants or withdraws the analytics rights: without them createQuery answers 403 Unauthorized. */
  setAnalyticsAccess(sellerId: string, access: boolean): void {
    this.requireAccount(sellerId).analyticsAccess = access;
  }

  /**
   * For benchmarks: every Seller Analytics query of the seller created from now on answers `lines` periods ending
   * at its last day, its startDate and the two-year limit set aside, written as it is downloaded
   * (`sellerAnalyticsRowStream`); null goes back to answering the query as asked.
   */
  setDocumentLines(sellerId: string, lines: number | null): void {
    if (lines !== null && !(Number.isInteger(lines) && lines >= 1 && lines <= MAX_DOCUMENT_LINES)) {
      throw new SimulatorError(400, `documentLines is a whole number from 1 to ${MAX_DOCUMENT_LINES}`);
    }
    const record = this.requireAccount(sellerId);
    if (lines === null) delete record.documentLines;
    else record.documentLines = lines;
  }

  hasAnalyticsAccess(sellerId: string): boolean {
    return this.accounts.get(sellerId)?.analyticsAccess ?? false;
  }

  /** The seller removed the app's authorization: every refresh and access token of theirs stops working. */
  revoke(sellerId: string): void {
    this.requireAccount(sellerId);
    for (const grant of this.refreshTokens.values()) if (grant.sellerId === sellerId) grant.revoked = true;
    for (const [token, access] of this.accessTokens)
      if (access.sellerId === sellerId) this.accessTokens.delete(token);
  }

  /**
   * What the seller's browser brings back from Seller Central's consent page: a code that lives five minutes
   * and, when the consent named a redirect URI, is exchanged only with that same URI (RFC 6749 §4.1.3).
   */
  issueAuthorizationCode(sellerId: string, redirectUri?: string): string {
    this.requireAccount(sellerId);
    const code = newAuthorizationCode();
    this.authorizationCodes.set(code, {
      sellerId,
      expiresAtMs: this.now().getTime() + AUTHORIZATION_CODE_TTL_MS,
      redirectUri,
    });
    return code;
  }

  /** The document a report created now would contain, for tests that compare what was served. */
  currentDocument(
    sellerId: string,
    marketplaceIds?: string[],
    at: Date = this.now(),
  ): SellerPerformanceDocument {
    const { account } = this.requireAccount(sellerId);
    const ids = marketplaceIds ?? account.marketplaceIds;
    return generateSellerPerformanceReport(
      account.scenario,
      sellerId,
      ids,
      this.virtualDay(sellerId, at),
      at,
      account.dialect,
    );
  }

  // ---- LWA

  checkClient(clientId: string | undefined, clientSecret: string | undefined): boolean {
    return clientId === this.clientId && clientSecret === this.clientSecret;
  }

  /** The seller a refresh token belongs to, revoked or not (for counters and fault matching). */
  sellerOfRefreshToken(refreshToken: string): string | undefined {
    return this.refreshTokens.get(refreshToken)?.sellerId;
  }

  grantFromRefreshToken(refreshToken: string): TokenGrant {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.revoked || !this.accounts.has(grant.sellerId)) {
      return {
        ok: false,
        error: 'invalid_grant',
        description:
          "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission.",
      };
    }
    return {
      ok: true,
      accessToken: this.issueAccessToken(grant.sellerId),
      refreshToken,
      sellerId: grant.sellerId,
    };
  }

  /** Single use: a code is spent by its first exchange, whether that one succeeds or not. */
  grantFromAuthorizationCode(code: string, redirectUri?: string): TokenGrant {
    const issued = this.authorizationCodes.get(code);
    this.authorizationCodes.delete(code);
    if (!issued || issued.expiresAtMs < this.now().getTime() || !this.accounts.has(issued.sellerId)) {
      return {
        ok: false,
        error: 'invalid_grant',
        description: 'The request has an invalid grant parameter : code',
      };
    }
    if (issued.redirectUri !== undefined && redirectUri !== issued.redirectUri) {
      return {
        ok: false,
        error: 'invalid_grant',
        description: 'The request has an invalid grant parameter : redirect_uri',
      };
    }
    this.addedCounter += 1;
    const refreshToken = refreshTokenFor(`${issued.sellerId}|code|${this.addedCounter}`);
    this.refreshTokens.set(refreshToken, { sellerId: issued.sellerId, revoked: false });
    const record = this.requireAccount(issued.sellerId);
    record.account.refreshToken = refreshToken;
    return {
      ok: true,
      accessToken: this.issueAccessToken(issued.sellerId),
      refreshToken,
      sellerId: issued.sellerId,
    };
  }

  /** A grantless token (client_credentials); it is bound to no seller, so seller operations refuse it. */
  grantlessToken(): TokenGrant {
    return { ok: true, accessToken: this.issueAccessToken(undefined) };
  }

  checkAccessToken(token: string | undefined): AccessCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const access = this.accessTokens.get(token);
    if (!access) return { ok: false, reason: 'invalid' };
    if (access.expiresAtMs <= this.now().getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, sellerId: access.sellerId };
  }

  // ---- reports

  get reports(): ReportStore {
    return this.store;
  }

  createReport(
    sellerId: string,
    body: { reportType: string; marketplaceIds: string[]; dataStartTime?: string; dataEndTime?: string },
  ): ReportView {
    const { account } = this.requireAccount(sellerId);
    const faults: ReportFaults = this.faultBook.takeReportFaults(sellerId);
    const at = this.now();
    const day = this.virtualDay(sellerId, at);
    const { scenario, dialect } = account;
    const marketplaceIds = [...body.marketplaceIds];
    // The document answers for the first marketplace only, as some real reports have (#1998, #2567).
    const covered = account.reportMarketplaces === 'first' ? marketplaceIds.slice(0, 1) : marketplaceIds;
    return this.store.create({
      sellerId,
      region: account.region,
      reportType: body.reportType,
      marketplaceIds,
      dataStartTime: body.dataStartTime,
      dataEndTime: body.dataEndTime,
      faults,
      content: () => generateSellerPerformanceReport(scenario, sellerId, covered, day, at, dialect),
    });
  }

  // ---- Data Kiosk

  get dataKiosk(): DataKioskStore {
    return this.queryStore;
  }

  /**
   * A Data Kiosk query, checked by the caller (createQuery refuses the `request` failures). What it runs is fixed
   * now: the seller's scenario and its day 0, the marketplaces and the date, however the account changes later.
   */
  createQuery(sellerId: string, text: string, check: QueryCheck): QueryView {
    const record = this.requireAccount(sellerId);
    const run = this.queryRunner(record, check, this.now().getTime());
    return this.queryStore.create({
      sellerId,
      region: record.account.region,
      query: text,
      faults: this.faultBook.takeQueryFaults(sellerId),
      run,
    });
  }

  /**
   * What a query created now would produce: its JSON Lines rows (none: DONE without a document) or the message of
   * its error document, for tests that compare what was served. Either a query text, or the arguments of the
   * full account-health query (`accountHealthQuery`).
   */
  dataKioskRows(sellerId: string, request: string | DataKioskRowsRequest): QueryRows {
    const record = this.requireAccount(sellerId);
    const text =
      typeof request === 'string'
        ? request
        : accountHealthQuery({
            ...request,
            marketplaceIds: request.marketplaceIds ?? record.account.marketplaceIds,
          });
    const check = checkQuery(text);
    if (!check.ok && check.stage === 'request') return { error: check.details };
    const result = this.queryRunner(record, check, this.now().getTime())();
    return 'rowStream' in result ? { rows: [...result.rowStream()] } : result;
  }

  private queryRunner(record: AccountRecord, check: QueryCheck, nowMs: number): () => QueryResult {
    if (!check.ok) {
      const message = check.stage === 'processing' ? check.message : check.details;
      return () => ({ error: message });
    }
    const { scenario } = record.account;
    const lines = record.documentLines;
    const analyticsAccount = {
      sellerId: record.account.sellerId,
      scenario,
      scenarioStartMs: record.scenarioStartMs,
      marketplaceIds: [...record.account.marketplaceIds],
    };
    return () => {
      if (!isScenarioName(scenario)) return { error: `Unknown scenario ${scenario}` };
      const result = sellerAnalyticsRowStream({ ...analyticsAccount, scenario }, check.query, nowMs, lines);
      if (!result.ok) return { error: result.message };
      // A query as asked is a few hundred rows, kept as they are; a benchmark's document is made as it is read.
      return lines === undefined ? { rows: [...result.rows()] } : { rowStream: result.rows };
    };
  }

  // ---- faults and counters

  injectFault(spec: FaultSpec): ActiveFault {
    const parsed = faultSpecSchema.safeParse(spec);
    if (!parsed.success) throw new SimulatorError(400, z.prettifyError(parsed.error));
    return this.faultBook.add(parsed.data);
  }

  clearFaults(): number {
    return this.faultBook.clear();
  }

  get faults(): FaultBook {
    return this.faultBook;
  }

  /** Where the HTTP layer records requests and responses. */
  get counterBook(): Counters {
    return this.requestCounters;
  }

  counters(): CountersSnapshot {
    return this.requestCounters.snapshot();
  }

  resetCounters(): void {
    this.requestCounters.reset();
  }

  snapshot(): StateSnapshot {
    return {
      now: this.now().toISOString(),
      clockOffsetMs: this.offsetMs,
      accounts: this.listAccounts(),
      counters: this.counters(),
      faults: this.faultBook.list(),
      reports: this.store.count(),
      dataKioskQueries: this.queryStore.count(),
    };
  }

  /** Back to the state at start: clock, accounts, grants, reports, queries, faults, counters and usage buckets. */
  reset(): void {
    this.offsetMs = 0;
    this.addedCounter = 0;
    this.accounts.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.authorizationCodes.clear();
    this.store.clear();
    this.queryStore.clear();
    this.faultBook.clear();
    this.requestCounters.reset();
    this.limiter.clear();
    this.loadDemoAccounts();
  }

  // ---- internals

  private loadDemoAccounts(): void {
    if (this.options.accounts !== 'demo') return;
    for (const demo of DEMO_ACCOUNTS) {
      this.register({
        ...demo,
        marketplaceIds: [...demo.marketplaceIds],
        dialect: demo.dialect ?? dialectForSeller(demo.sellerId),
      });
    }
  }

  private register(account: DemoAccount & { dialect: DialectName }): DemoAccount {
    if (!isSpApiRegion(account.region))
      throw new SimulatorError(400, `Unknown region ${String(account.region)}`);
    // The right lives in the record (the control API can change it); the account keeps its declared fields.
    const { analyticsAccess, ...declared } = account;
    this.accounts.set(account.sellerId, {
      account: declared,
      scenarioStartMs: startOfUtcDay(this.now().getTime()),
      analyticsAccess: analyticsAccess !== false,
    });
    // The `revoked` scenario is an account whose seller has already withdrawn consent.
    this.refreshTokens.set(account.refreshToken, {
      sellerId: account.sellerId,
      revoked: account.scenario === 'revoked',
    });
    return this.getAccount(account.sellerId) as DemoAccount;
  }

  private accountView(record: AccountRecord, authorized: ReadonlySet<string>): AccountView {
    const { account } = record;
    return {
      ...account,
      marketplaceIds: [...account.marketplaceIds],
      revoked: !authorized.has(account.sellerId),
      analyticsAccess: record.analyticsAccess,
      scenarioStartedAt: new Date(record.scenarioStartMs).toISOString(),
      virtualDay: this.virtualDay(account.sellerId),
      ...(record.documentLines !== undefined ? { documentLines: record.documentLines } : {}),
    };
  }

  private requireAccount(sellerId: string): AccountRecord {
    const record = this.accounts.get(sellerId);
    if (!record) throw new SimulatorError(404, `Unknown seller ${sellerId}`);
    return record;
  }

  private freeSellerId(): string {
    let n = this.addedCounter;
    let id = sellerIdFromCounter(n);
    while (this.accounts.has(id)) id = sellerIdFromCounter(++n + 1_000_000);
    return id;
  }

  private issueAccessToken(sellerId: string | undefined): string {
    this.sweepAccessTokens();
    const token = newAccessToken();
    this.accessTokens.set(token, { sellerId, expiresAtMs: this.now().getTime() + ACCESS_TOKEN_TTL_S * 1000 });
    return token;
  }

  // Long runs issue a token per seller per hour; drop expired ones now and then so the map stays bounded.
  private sweepAccessTokens(): void {
    this.issuedSinceSweep += 1;
    if (this.issuedSinceSweep < 1000) return;
    this.issuedSinceSweep = 0;
    const now = this.now().getTime();
    for (const [token, access] of this.accessTokens)
      if (access.expiresAtMs <= now) this.accessTokens.delete(token);
  }
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
