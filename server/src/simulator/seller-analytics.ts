// Data Kiosk's Seller Analytics dataset (analytics_sellerAnalytics_2025_03_31) as far as Good Standing reads it:
// the query is checked against the part of Amazon's schema the simulator models, and answered, like any GraphQL
// server would, in exactly the shape of its selection. The account-health figures of a day are the figures of
// the seller performance report generated that day (docs/data-kiosk.md, "The simulator").

import type { OdrCounts, MarketplaceFigures } from './figures.ts';
import type { GqlField, GqlValue } from './graphql.ts';
import { GraphQLParseError, parseGraphQL } from './graphql.ts';
import { marketplaceInfo } from './marketplaces.ts';
import { roundRate } from './performance-report.ts';
import type { MarketplaceHistory, ScenarioName } from './scenarios.ts';
import { marketplaceHistory } from './scenarios.ts';

export const SELLER_ANALYTICS_DATASET = 'analytics_sellerAnalytics_2025_03_31';
const VIEW = 'sellerAnalyticsView';
const ROOT_TYPE = 'Analytics_sellerAnalytics_2025_03_31';
export const GRANULARITIES = ['DAY', 'WEEK', 'MONTH'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const DAY_MS = 86_400_000;

/** The AccountHealth fields of the schema, in its order, with their GraphQL type. */
const ACCOUNT_HEALTH_FIELDS = [
  ['accountHealthOrderCount', 'Int'],
  ['accountHealthNegativeFeedbackOrderCount', 'Int'],
  ['accountHealthAtozClaimOrderCount', 'Int'],
  ['accountHealthChargebackClaimOrderCount', 'Int'],
  ['accountHealthLateShipmentOrderCount', 'Int'],
  ['accountHealthPreFulfillmentCancelOrderCount', 'Int'],
  ['accountHealthValidTrackingDefectPackageCount', 'Int'],
  ['accountHealthPackageCount', 'Int'],
  ['accountHealthPackageUnits', 'Int'],
  ['accountHealthOnTimeDeliveryDefectPackageUnits', 'Int'],
  ['accountHealthOnTimeDeliveryDefectPackageCount', 'Int'],
  ['accountHealthOrderDefectRate', 'Float'],
  ['accountHealthNegativeFeedbackRate', 'Float'],
  ['accountHealthAtozGuaranteeClaimRate', 'Float'],
  ['accountHealthChargebackClaimRate', 'Float'],
  ['accountHealthLateShipmentRate', 'Float'],
  ['accountHealthPreFulfillmentCancelRate', 'Float'],
  ['accountHealthValidTrackingRate', 'Float'],
  ['accountHealthOnTimeDeliveryRate', 'Float'],
  ['accountHealthRatingScore', 'Int'],
  ['accountHealthTotalOrderDefects', 'Int'],
  ['regionResolvedDefectsUnitT120Days', 'Int'],
  ['regionIncorrectLabelDefectRateT120Days', 'Float'],
  ['regionLabelMissingDefectRateT120Days', 'Float'],
  ['regionInaccurateProductDefectRateT120Days', 'Float'],
  ['regionUnexpectedProductDefectRateT120Days', 'Float'],
  ['regionOtherDefectsProductRelatedDefectRateT120Days', 'Float'],
  ['regionDistinctCountDefectTypeT120Days', 'Int'],
] as const;

export type AccountHealthField = (typeof ACCOUNT_HEALTH_FIELDS)[number][0];

/** The account-health fields the simulator fills (the region-wide product-defect snapshots stay null). */
export const SIMULATED_ACCOUNT_HEALTH_FIELDS: readonly AccountHealthField[] = ACCOUNT_HEALTH_FIELDS.map(
  ([name]) => name,
).filter((name) => name.startsWith('accountHealth'));

interface FieldDef {
  type: string;
  list?: boolean;
}

const SCALARS = new Set(['Date', 'String', 'Int', 'Float']);
/** Metric groups and attributes the simulator does not model: answered null ("not yet available") whatever
 * is selected inside them. */
const UNMODELED = new Set([
  'Sales',
  'Traffic',
  'Promotion',
  'Lending',
  'Search',
  'Reviews',
  'Defects',
  'Returns',
  'SellerAttributes',
]);
const GROUP_BY_FIELDS = [
  'asin',
  'productTitle',
  'msku',
  'brand',
  'brandCode',
  'parentAsin',
  'fulfilmentChannel',
  'productGroup',
  'marketplaceId',
  'encryptedMerchantCustomerId',
] as const;
const GROUPINGS = new Set(['marketplaceId', 'fulfilmentChannel']);

const TYPES: Readonly<Record<string, Readonly<Record<string, FieldDef>>>> = {
  SellerAnalyticsView: {
    startDate: { type: 'Date' },
    endDate: { type: 'Date' },
    totals: { type: 'SellerAnalyticsViewMetrics' },
    metrics: { type: 'SellerAnalyticsViewGroupedBy', list: true },
    sellerAttributes: { type: 'SellerAttributes' },
  },
  SellerAnalyticsViewGroupedBy: {
    groupByKey: { type: 'GroupByAttributes' },
    metrics: { type: 'SellerAnalyticsViewMetrics' },
  },
  GroupByAttributes: Object.fromEntries(GROUP_BY_FIELDS.map((name) => [name, { type: 'String' }])),
  SellerAnalyticsViewMetrics: {
    sales: { type: 'Sales' },
    traffic: { type: 'Traffic' },
    promotion: { type: 'Promotion' },
    accountHealth: { type: 'AccountHealth' },
    lending: { type: 'Lending' },
    search: { type: 'Search' },
    reviews: { type: 'Reviews' },
    defects: { type: 'Defects' },
    returns: { type: 'Returns' },
  },
  AccountHealth: Object.fromEntries(
    ACCOUNT_HEALTH_FIELDS.map(([name, type]) => [name, { type: `${type}WithBenchmarking` }]),
  ),
  FloatWithBenchmarking: {
    value: { type: 'Float' },
    timeRangeBenchmarking: { type: 'TimeRangeBenchmarking' },
  },
  IntWithBenchmarking: { value: { type: 'Int' }, timeRangeBenchmarking: { type: 'TimeRangeBenchmarking' } },
  TimeRangeBenchmarking: {
    weekOverWeek: { type: 'Float' },
    monthOverMonth: { type: 'Float' },
    yearOverYear: { type: 'Float' },
  },
};

export interface SellerAnalyticsQuery {
  startDate: string;
  endDate: string;
  aggregateBy: Granularity;
  marketplaceIds: string[];
  currencyCode?: string;
  /** The `sellerAnalyticsView` field, its selection checked against the schema. */
  view: GqlField;
}

/**
 * What createQuery learns from the text. `request`: refused with 400 InvalidInput (the text cannot be parsed, or
 * names a dataset the simulator does not serve, as the model's example does); `processing`: accepted, and the
 * query ends FATAL with this message in its error document.
 */
export type QueryCheck =
  | { ok: true; query: SellerAnalyticsQuery }
  | { ok: false; stage: 'request'; details: string }
  | { ok: false; stage: 'processing'; message: string };

class QueryProblem extends Error {}

/** Parses a Data Kiosk query and checks it against the Seller Analytics schema. */
export function checkQuery(text: string): QueryCheck {
  let operation;
  try {
    operation = parseGraphQL(text);
  } catch (error) {
    if (!(error instanceof GraphQLParseError)) throw error;
    return error.kind === 'syntax'
      ? { ok: false, stage: 'request', details: `Invalid Syntax : ${error.message}` }
      : { ok: false, stage: 'processing', message: error.message };
  }
  const unknown = operation.selections.find((f) => f.name !== SELLER_ANALYTICS_DATASET);
  if (unknown) return { ok: false, stage: 'request', details: `Query '${unknown.name}' is not supported.` };
  try {
    if (operation.selections.length > 1) throw new QueryProblem('A query may select its dataset only once.');
    const root = operation.selections[0] as GqlField;
    const path = [root.key];
    noArguments(root, path, 'Query');
    const views = requireSelection(root, path, ROOT_TYPE);
    const foreign = views.find((f) => f.name !== VIEW && f.name !== '__typename');
    if (foreign) throw undefinedField(foreign, [...path, foreign.key], ROOT_TYPE);
    const viewFields = views.filter((f) => f.name === VIEW);
    if (viewFields.length !== 1) {
      throw new QueryProblem(`A query must select ${VIEW} exactly once; each query gives one document.`);
    }
    const view = viewFields[0] as GqlField;
    const viewPath = [...path, view.key];
    const args = viewArguments(view, viewPath);
    checkSelection(requireSelection(view, viewPath, 'SellerAnalyticsView'), 'SellerAnalyticsView', viewPath);
    return { ok: true, query: { ...args, view } };
  } catch (error) {
    if (error instanceof QueryProblem) return { ok: false, stage: 'processing', message: error.message };
    throw error;
  }
}

function validation(kind: string, path: string[], message: string): QueryProblem {
  return new QueryProblem(`Validation error (${kind}@[${path.join('/')}]) : ${message}`);
}

function undefinedField(field: GqlField, path: string[], type: string): QueryProblem {
  return validation('FieldUndefined', path, `Field '${field.name}' in type '${type}' is undefined`);
}

function noArguments(field: GqlField, path: string[], type: string): void {
  const arg = field.args[0];
  if (arg) {
    throw validation(
      'UnknownArgument',
      path,
      `Unknown field argument '${arg.name}' on '${type}.${field.name}'`,
    );
  }
}

function requireSelection(field: GqlField, path: string[], type: string): GqlField[] {
  if (!field.selections) {
    throw validation(
      'SubselectionRequired',
      path,
      `Subselection required for type '${type}' of field '${field.name}'`,
    );
  }
  return field.selections;
}

function checkSelection(fields: GqlField[], type: string, path: string[]): void {
  const defs = TYPES[type] ?? {};
  for (const field of fields) {
    const fieldPath = [...path, field.key];
    if (field.name === '__typename') {
      if (field.selections)
        throw validation(
          'SubselectionNotAllowed',
          fieldPath,
          "Subselection not allowed on leaf type 'String' of field '__typename'",
        );
      continue;
    }
    const def = defs[field.name];
    if (!def) throw undefinedField(field, fieldPath, type);
    noArguments(field, fieldPath, type);
    if (SCALARS.has(def.type)) {
      if (field.selections) {
        throw validation(
          'SubselectionNotAllowed',
          fieldPath,
          `Subselection not allowed on leaf type '${def.type}' of field '${field.name}'`,
        );
      }
      if (type === 'GroupByAttributes' && !GROUPINGS.has(field.name)) {
        throw new QueryProblem(
          `The simulator does not model the catalog: groupByKey.${field.name} is not supported ` +
            '(group by marketplaceId and fulfilmentChannel).',
        );
      }
      continue;
    }
    const selections = requireSelection(field, fieldPath, def.type);
    if (!UNMODELED.has(def.type)) checkSelection(selections, def.type, fieldPath);
  }
}

const ARGUMENTS = ['startDate', 'endDate', 'aggregateBy', 'currencyCode', 'marketplaceId'] as const;
const REQUIRED = ['startDate', 'endDate', 'aggregateBy', 'marketplaceId'] as const;

function viewArguments(view: GqlField, path: string[]): Omit<SellerAnalyticsQuery, 'view'> {
  const given = new Map<string, GqlValue>();
  for (const { name, value } of view.args) {
    if (!(ARGUMENTS as readonly string[]).includes(name)) {
      const hint = name === 'marketplaceIds' ? " (the argument is 'marketplaceId', a list)" : '';
      throw validation('UnknownArgument', path, `Unknown field argument '${name}'${hint}`);
    }
    if (given.has(name))
      throw validation('DuplicateArgumentNames', path, `There can be only one argument named '${name}'`);
    given.set(name, value);
  }
  for (const name of REQUIRED) {
    const value = given.get(name);
    if (!value || value.kind === 'null')
      throw validation('MissingFieldArgument', path, `Missing field argument '${name}'`);
  }
  const date = (name: 'startDate' | 'endDate'): string => {
    const value = given.get(name) as GqlValue;
    if (value.kind !== 'string' || !isCalendarDate(value.value)) throw wrongType(path, name, value, 'Date');
    return value.value;
  };
  const granularity = given.get('aggregateBy') as GqlValue;
  // An enum is written bare (aggregateBy: DAY); a quoted "DAY" is tolerated.
  const aggregateBy = granularity.kind === 'enum' || granularity.kind === 'string' ? granularity.value : '';
  if (!(GRANULARITIES as readonly string[]).includes(aggregateBy)) {
    throw wrongType(path, 'aggregateBy', granularity, 'DateGranularity');
  }
  const marketplaces = given.get('marketplaceId') as GqlValue;
  const list = marketplaces.kind === 'list' ? marketplaces.values : [marketplaces];
  const marketplaceIds = list.map((v) => {
    if (v.kind !== 'string' || v.value.trim() === '')
      throw wrongType(path, 'marketplaceId', marketplaces, '[String!]!');
    return v.value.trim();
  });
  if (marketplaceIds.length === 0) throw wrongType(path, 'marketplaceId', marketplaces, '[String!]!');
  const currency = given.get('currencyCode');
  if (currency && currency.kind !== 'string' && currency.kind !== 'null') {
    throw wrongType(path, 'currencyCode', currency, 'String');
  }
  return {
    startDate: date('startDate'),
    endDate: date('endDate'),
    aggregateBy: aggregateBy as Granularity,
    marketplaceIds: [...new Set(marketplaceIds)],
    ...(currency?.kind === 'string' ? { currencyCode: currency.value } : {}),
  };
}

function wrongType(path: string[], name: string, value: GqlValue, type: string): QueryProblem {
  return validation(
    'WrongType',
    path,
    `argument '${name}' with value '${show(value)}' is not a valid '${type}'`,
  );
}

function show(value: GqlValue): string {
  switch (value.kind) {
    case 'string':
      return JSON.stringify(value.value);
    case 'number':
      return value.raw;
    case 'boolean':
      return String(value.value);
    case 'null':
      return 'null';
    case 'enum':
      return value.value;
    case 'list':
      return `[${value.values.map(show).join(', ')}]`;
    case 'object':
      return `{${Object.entries(value.fields)
        .map(([k, v]) => `${k}: ${show(v)}`)
        .join(', ')}}`;
  }
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return formatDate(Date.parse(`${text}T00:00:00Z`)) === text;
}

export function formatDate(ms: number): string {
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 10);
}

function parseDate(text: string): number {
  return Date.parse(`${text}T00:00:00Z`);
}

// ---- the answer

/** The seller as Data Kiosk sees it when a query runs. */
export interface AnalyticsAccount {
  sellerId: string;
  scenario: ScenarioName;
  /** UTC midnight of the scenario's day 0. */
  scenarioStartMs: number;
  /** The marketplaces the seller sells in. */
  marketplaceIds: readonly string[];
}

export type RowStreamResult =
  { ok: true; rows: () => Generator<Record<string, unknown>> } | { ok: false; message: string };

/** The counts behind one group's account-health figures; null where the group has nothing to count. */
interface HealthCounts {
  score: number | null;
  orders: number | null;
  defects: number | null;
  negativeFeedback: number | null;
  claims: number | null;
  chargebacks: number | null;
  lateOrders: number | null;
  late: number | null;
  cancelOrders: number | null;
  cancelled: number | null;
  packages: number | null;
  validTracking: number | null;
  otdPackages: number | null;
  onTime: number | null;
  units: number | null;
  unitsOnTime: number | null;
}

type Channel = 'FBA' | 'FBM';

interface Cell {
  marketplaceId: string;
  channel: Channel;
  counts: HealthCounts;
}

const NO_ODR = { orders: null, defects: null, negativeFeedback: null, claims: null, chargebacks: null };
const NO_SHIPPING = {
  lateOrders: null,
  late: null,
  cancelOrders: null,
  cancelled: null,
  packages: null,
  validTracking: null,
  otdPackages: null,
  onTime: null,
  units: null,
  unitsOnTime: null,
};

function odrPart(c: OdrCounts) {
  return {
    orders: c.orderCount,
    defects: c.orderWithDefects,
    negativeFeedback: c.negativeFeedback,
    claims: c.claims,
    chargebacks: c.chargebacks,
  };
}

function shippingPart(s: NonNullable<MarketplaceFigures['shipping']>) {
  return {
    lateOrders: s.lateShipment30.denominator,
    late: s.lateShipment30.numerator,
    cancelOrders: s.preFulfillmentCancellation.denominator,
    cancelled: s.preFulfillmentCancellation.numerator,
    packages: s.validTracking.denominator,
    validTracking: s.validTracking.numerator,
    otdPackages: s.onTimeDelivery.denominator,
    onTime: s.onTimeDelivery.numerator,
    units: s.unitOnTimeDelivery?.denominator ?? null,
    unitsOnTime: s.unitOnTimeDelivery?.numerator ?? null,
  };
}

/** The report's figures of one marketplace and day as Data Kiosk cells: one per fulfilment channel. */
function cellsOf(marketplaceId: string, f: MarketplaceFigures): Cell[] {
  const score = f.ahr.score;
  const cells: Cell[] = [];
  if (f.odr.afn)
    cells.push({ marketplaceId, channel: 'FBA', counts: { score, ...odrPart(f.odr.afn), ...NO_SHIPPING } });
  if (f.odr.mfn || f.shipping) {
    cells.push({
      marketplaceId,
      channel: 'FBM',
      counts: {
        score,
        ...(f.odr.mfn ? odrPart(f.odr.mfn) : NO_ODR),
        ...(f.shipping ? shippingPart(f.shipping) : NO_SHIPPING),
      },
    });
  }
  return cells;
}

function addCounts(a: HealthCounts, b: HealthCounts): HealthCounts {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof HealthCounts)[]) {
    const x = a[key];
    const y = b[key];
    if (key === 'score') out.score = x === null ? y : y === null ? x : Math.min(x, y);
    else out[key] = x === null ? y : y === null ? x : x + y;
  }
  return out;
}

const rate =
  (numerator: keyof HealthCounts, denominator: keyof HealthCounts) =>
  (c: HealthCounts): number | null => {
    const n = c[numerator];
    const d = c[denominator];
    return n === null || d === null || d === 0 ? null : roundRate(n, d);
  };
const count =
  (key: keyof HealthCounts) =>
  (c: HealthCounts): number | null =>
    c[key];
const difference =
  (total: keyof HealthCounts, good: keyof HealthCounts) =>
  (c: HealthCounts): number | null => {
    const t = c[total];
    const g = c[good];
    return t === null || g === null ? null : t - g;
  };

/** How each account-health field is read from the counts (docs/data-kiosk.md lists the report windows). */
const METRICS: Readonly<Record<AccountHealthField, (c: HealthCounts) => number | null>> = {
  accountHealthOrderCount: count('orders'),
  accountHealthNegativeFeedbackOrderCount: count('negativeFeedback'),
  accountHealthAtozClaimOrderCount: count('claims'),
  accountHealthChargebackClaimOrderCount: count('chargebacks'),
  accountHealthLateShipmentOrderCount: count('late'),
  accountHealthPreFulfillmentCancelOrderCount: count('cancelled'),
  accountHealthValidTrackingDefectPackageCount: difference('packages', 'validTracking'),
  accountHealthPackageCount: count('packages'),
  accountHealthPackageUnits: count('units'),
  accountHealthOnTimeDeliveryDefectPackageUnits: difference('units', 'unitsOnTime'),
  accountHealthOnTimeDeliveryDefectPackageCount: difference('otdPackages', 'onTime'),
  accountHealthOrderDefectRate: rate('defects', 'orders'),
  accountHealthNegativeFeedbackRate: rate('negativeFeedback', 'orders'),
  accountHealthAtozGuaranteeClaimRate: rate('claims', 'orders'),
  accountHealthChargebackClaimRate: rate('chargebacks', 'orders'),
  accountHealthLateShipmentRate: rate('late', 'lateOrders'),
  accountHealthPreFulfillmentCancelRate: rate('cancelled', 'cancelOrders'),
  accountHealthValidTrackingRate: rate('validTracking', 'packages'),
  accountHealthOnTimeDeliveryRate: rate('onTime', 'otdPackages'),
  accountHealthRatingScore: count('score'),
  accountHealthTotalOrderDefects: count('defects'),
  regionResolvedDefectsUnitT120Days: () => null,
  regionIncorrectLabelDefectRateT120Days: () => null,
  regionLabelMissingDefectRateT120Days: () => null,
  regionInaccurateProductDefectRateT120Days: () => null,
  regionUnexpectedProductDefectRateT120Days: () => null,
  regionOtherDefectsProductRelatedDefectRateT120Days: () => null,
  regionDistinctCountDefectTypeT120Days: () => null,
};

interface GroupKey {
  marketplaceId?: string;
  channel?: Channel;
}

interface Period {
  startMs: number;
  endMs: number;
}

/** Days of the period's rows: DAY one by one, WEEK Sunday to Saturday, MONTH calendar months, all clipped. */
function* periodsOf(startMs: number, endMs: number, granularity: Granularity): Generator<Period> {
  let from = startMs;
  while (from <= endMs) {
    let to = from;
    if (granularity === 'WEEK') to = from + (6 - new Date(from).getUTCDay()) * DAY_MS;
    if (granularity === 'MONTH') {
      const d = new Date(from);
      to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - DAY_MS;
    }
    to = Math.min(to, endMs);
    yield { startMs: from, endMs: to };
    from = to + DAY_MS;
  }
}

/** The same instant a month or a year earlier, the day of month clamped (March 31 -> February 28). */
function monthsBefore(ms: number, months: number): number {
  const d = new Date(ms);
  const target = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1);
  const t = new Date(target);
  const lastDay = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), Math.min(d.getUTCDate(), lastDay));
}

function relativeChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 1e6) / 1e6;
}

/** A cap on the synthetic documents: their first day stays a four-digit year, as a `Date` is written. */
export const MAX_DOCUMENT_LINES = 250_000;
const EARLIEST_MS = Date.UTC(1000, 0, 1);
/** Periods read from one set of marketplace histories: their memos stay bounded however long the document. */
const HISTORY_BLOCK = 1000;

/**
 * Runs a checked query for a seller as of `nowMs`: the JSON Lines rows of its data document (none: DONE without
 * a document) as a generator made anew for each read, or the message of its error document. `lines` (the control
 * API's `documentLines`, for benchmarks) sets the query's startDate and Amazon's two-year limit aside: the rows
 * are then the `lines` periods ending at the query's last one (days for `aggregateBy: DAY`), however far back
 * that goes; fewer only where the shop had not opened yet, or before the year 1000.
 */
export function sellerAnalyticsRowStream(
  account: AnalyticsAccount,
  query: SellerAnalyticsQuery,
  nowMs: number,
  lines?: number,
): RowStreamResult {
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const startMs = parseDate(query.startDate);
  const endMs = parseDate(query.endDate);
  const earliest = monthsBefore(todayMs, 24);
  if (lines === undefined && startMs < earliest) {
    return {
      ok: false,
      message:
        `The start date must be no more than two years ago: startDate ${query.startDate} is before ` +
        `${formatDate(earliest)}.`,
    };
  }
  if (endMs < startMs) {
    return { ok: false, message: `endDate ${query.endDate} is before startDate ${query.startDate}.` };
  }
  const unknown = query.marketplaceIds.filter((id) => !marketplaceInfo(id));
  if (unknown.length > 0) return { ok: false, message: `Invalid marketplaceId: ${unknown.join(', ')}.` };

  // A day's figures are complete once the day is over: the history ends yesterday.
  const lastMs = Math.min(endMs, todayMs - DAY_MS);
  const firstMs =
    lines === undefined
      ? startMs
      : Math.max(EARLIEST_MS, periodsBefore(lastMs, Math.max(1, Math.floor(lines)), query.aggregateBy));
  return { ok: true, rows: () => renderRows(account, query, firstMs, lastMs) };
}

/** The first day of the `count` periods that end with the one holding `lastMs`. */
function periodsBefore(lastMs: number, count: number, granularity: Granularity): number {
  if (granularity === 'DAY') return lastMs - (count - 1) * DAY_MS;
  if (granularity === 'WEEK') {
    const sunday = lastMs - new Date(lastMs).getUTCDay() * DAY_MS;
    return sunday - (count - 1) * 7 * DAY_MS;
  }
  const d = new Date(lastMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (count - 1), 1);
}

/** The figures of the seller's marketplaces the query names, day by day, each day worked out once. */
function dayReader(account: AnalyticsAccount, marketplaceIds: readonly string[]) {
  const histories = new Map<string, MarketplaceHistory>();
  for (const id of marketplaceIds) {
    const marketplace = marketplaceInfo(id);
    if (marketplace && account.marketplaceIds.includes(id)) {
      histories.set(id, marketplaceHistory(account.scenario, account.sellerId, marketplace));
    }
  }
  const cellCache = new Map<number, Cell[]>();
  const cellsOn = (ms: number): Cell[] => {
    let cells = cellCache.get(ms);
    if (!cells) {
      const day = Math.round((ms - account.scenarioStartMs) / DAY_MS);
      cells = [];
      for (const [id, history] of histories) {
        if (day >= history.opensOnDay) cells.push(...cellsOf(id, history.figures(day)));
      }
      cellCache.set(ms, cells);
    }
    return cells;
  };
  const countsOn = (ms: number, key: GroupKey): HealthCounts | null => {
    let total: HealthCounts | null = null;
    for (const cell of cellsOn(ms)) {
      if (key.marketplaceId !== undefined && cell.marketplaceId !== key.marketplaceId) continue;
      if (key.channel !== undefined && cell.channel !== key.channel) continue;
      total = total ? addCounts(total, cell.counts) : cell.counts;
    }
    return total;
  };
  return { cellsOn, countsOn };
}

function* renderRows(
  account: AnalyticsAccount,
  query: SellerAnalyticsQuery,
  firstMs: number,
  lastMs: number,
): Generator<Record<string, unknown>> {
  let reader = dayReader(account, query.marketplaceIds);
  let read = 0;
  for (const period of periodsOf(firstMs, lastMs, query.aggregateBy)) {
    // A fresh reader now and then: the same figures (pure functions of the day), memos that do not grow forever.
    if (++read > HISTORY_BLOCK) {
      reader = dayReader(account, query.marketplaceIds);
      read = 1;
    }
    // A period stands at its last day: the figures Seller Central showed when it ended.
    if (reader.cellsOn(period.endMs).length === 0) continue;
    const renderer = new RowRenderer(query.aggregateBy, period, reader.countsOn, reader.cellsOn);
    yield renderer.view(query.view.selections ?? []);
  }
}

class RowRenderer {
  constructor(
    private readonly granularity: Granularity,
    private readonly period: Period,
    private readonly countsOn: (ms: number, key: GroupKey) => HealthCounts | null,
    private readonly cellsOn: (ms: number) => Cell[],
  ) {}

  view(fields: GqlField[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const sub = field.selections ?? [];
      if (field.name === '__typename') out[field.key] = 'SellerAnalyticsView';
      else if (field.name === 'startDate') out[field.key] = formatDate(this.period.startMs);
      else if (field.name === 'endDate') out[field.key] = formatDate(this.period.endMs);
      else if (field.name === 'totals') out[field.key] = this.metrics(sub, {});
      else if (field.name === 'metrics') out[field.key] = this.groups(sub);
      else out[field.key] = null;
    }
    return out;
  }

  /** One entry per value of the selected groupByKey fields (marketplaceId, fulfilmentChannel), or one for all. */
  private groups(fields: GqlField[]): Record<string, unknown>[] {
    const keyFields = fields.filter((f) => f.name === 'groupByKey').flatMap((f) => f.selections ?? []);
    const byMarketplace = keyFields.some((f) => f.name === 'marketplaceId');
    const byChannel = keyFields.some((f) => f.name === 'fulfilmentChannel');
    const keys: GroupKey[] = [];
    const seen = new Set<string>();
    for (const cell of this.cellsOn(this.period.endMs)) {
      const key: GroupKey = {
        ...(byMarketplace ? { marketplaceId: cell.marketplaceId } : {}),
        ...(byChannel ? { channel: cell.channel } : {}),
      };
      const id = `${key.marketplaceId ?? ''}|${key.channel ?? ''}`;
      if (!seen.has(id)) {
        seen.add(id);
        keys.push(key);
      }
    }
    return keys.map((key) => {
      const entry: Record<string, unknown> = {};
      for (const field of fields) {
        if (field.name === '__typename') entry[field.key] = 'SellerAnalyticsViewGroupedBy';
        else if (field.name === 'groupByKey') entry[field.key] = groupByKey(field.selections ?? [], key);
        else entry[field.key] = this.metrics(field.selections ?? [], key);
      }
      return entry;
    });
  }

  private metrics(fields: GqlField[], key: GroupKey): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (field.name === '__typename') out[field.key] = 'SellerAnalyticsViewMetrics';
      else if (field.name === 'accountHealth')
        out[field.key] = this.accountHealth(field.selections ?? [], key);
      else out[field.key] = null;
    }
    return out;
  }

  private accountHealth(fields: GqlField[], key: GroupKey): Record<string, unknown> | null {
    const counts = this.countsOn(this.period.endMs, key);
    if (!counts) return null;
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (field.name === '__typename') {
        out[field.key] = 'AccountHealth';
        continue;
      }
      const read = METRICS[field.name as AccountHealthField];
      const value = read(counts);
      // The schema's `value` is non-null: a figure that is not available is null as a whole.
      if (value === null) {
        out[field.key] = null;
        continue;
      }
      const metric: Record<string, unknown> = {};
      for (const part of field.selections ?? []) {
        if (part.name === 'value') metric[part.key] = value;
        else if (part.name === 'timeRangeBenchmarking')
          metric[part.key] = this.benchmark(part, key, read, value);
        else metric[part.key] = TYPES.AccountHealth?.[field.name]?.type ?? null;
      }
      out[field.key] = metric;
    }
    return out;
  }

  /** Week over week and year over year for WEEK, month over month and year over year for MONTH; null for DAY. */
  private benchmark(
    field: GqlField,
    key: GroupKey,
    read: (c: HealthCounts) => number | null,
    value: number,
  ): Record<string, unknown> | null {
    if (this.granularity === 'DAY') return null;
    const end = this.period.endMs;
    const at = (ms: number): number | null => {
      const counts = this.countsOn(ms, key);
      return counts ? read(counts) : null;
    };
    const changes: Record<string, () => number | null> = {
      weekOverWeek: () => (this.granularity === 'WEEK' ? relativeChange(value, at(end - 7 * DAY_MS)) : null),
      monthOverMonth: () =>
        this.granularity === 'MONTH' ? relativeChange(value, at(monthsBefore(end, 1))) : null,
      yearOverYear: () =>
        relativeChange(value, at(this.granularity === 'WEEK' ? end - 364 * DAY_MS : monthsBefore(end, 12))),
    };
    const out: Record<string, unknown> = {};
    for (const part of field.selections ?? []) {
      out[part.key] = part.name === '__typename' ? 'TimeRangeBenchmarking' : (changes[part.name]?.() ?? null);
    }
    return out;
  }
}

function groupByKey(fields: GqlField[], key: GroupKey): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.name === '__typename') out[field.key] = 'GroupByAttributes';
    else if (field.name === 'marketplaceId') out[field.key] = key.marketplaceId ?? null;
    else if (field.name === 'fulfilmentChannel') out[field.key] = key.channel ?? null;
    else out[field.key] = null;
  }
  return out;
}

/**
 * A query for every simulated account-health figure, grouped by marketplace (and by fulfilment channel when
 * asked), with the totals: what the control API answers with, and a sample of the query Good Standing sends.
 */
export function accountHealthQuery(options: {
  startDate: string;
  endDate: string;
  marketplaceIds: readonly string[];
  aggregateBy?: Granularity;
  byChannel?: boolean;
}): string {
  const figures = SIMULATED_ACCOUNT_HEALTH_FIELDS.map(
    (name) =>
      `          ${name} { value timeRangeBenchmarking { weekOverWeek monthOverMonth yearOverYear } }`,
  ).join('\n');
  const accountHealth = (indent: string) =>
    `${indent}accountHealth {\n${figures.replace(/^ {10}/gm, `${indent}  `)}\n${indent}}`;
  const marketplaces = options.marketplaceIds.map((id) => JSON.stringify(id)).join(', ');
  return [
    'query {',
    `  ${SELLER_ANALYTICS_DATASET} {`,
    `    ${VIEW}(startDate: "${options.startDate}", endDate: "${options.endDate}", ` +
      `aggregateBy: ${options.aggregateBy ?? 'DAY'}, marketplaceId: [${marketplaces}]) {`,
    '      startDate',
    '      endDate',
    '      totals {',
    accountHealth('        '),
    '      }',
    '      metrics {',
    `        groupByKey { marketplaceId${options.byChannel ? ' fulfilmentChannel' : ''} }`,
    '        metrics {',
    accountHealth('          '),
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
}
