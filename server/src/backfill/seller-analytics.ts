import { ahrBandOf } from '../reports/ahr-band.ts';
import type { AhrBand } from '../reports/types.ts';

// The Seller Analytics dataset (version 2025_03_31) as the backfill asks for it and reads it back: the GraphQL
// query of one marketplace over a range of days aggregated by DAY, and each line of the JSON Lines result turned
// into one day's rating and figures under the product's metric names (docs/data-kiosk.md "Field mapping").

export const DATASET = 'analytics_sellerAnalytics_2025_03_31';

const RATE_FIELDS = [
  'accountHealthRatingScore',
  'accountHealthOrderDefectRate',
  'accountHealthNegativeFeedbackRate',
  'accountHealthAtozGuaranteeClaimRate',
  'accountHealthChargebackClaimRate',
  'accountHealthLateShipmentRate',
  'accountHealthPreFulfillmentCancelRate',
  'accountHealthValidTrackingRate',
  'accountHealthOnTimeDeliveryRate',
] as const;

const COUNT_FIELDS = [
  'accountHealthOrderCount',
  'accountHealthNegativeFeedbackOrderCount',
  'accountHealthAtozClaimOrderCount',
  'accountHealthChargebackClaimOrderCount',
  'accountHealthLateShipmentOrderCount',
  'accountHealthPreFulfillmentCancelOrderCount',
  'accountHealthValidTrackingDefectPackageCount',
  'accountHealthPackageCount',
  'accountHealthPackageUnits',
  'accountHealthOnTimeDeliveryDefectPackageCount',
  'accountHealthOnTimeDeliveryDefectPackageUnits',
  'accountHealthTotalOrderDefects',
] as const;

export const ACCOUNT_HEALTH_FIELDS = [...RATE_FIELDS, ...COUNT_FIELDS] as const;
export type AccountHealthField = (typeof ACCOUNT_HEALTH_FIELDS)[number];

/** The ODR figures asked again per fulfilment channel: Amazon judges the ODR of each channel apart. */
const ODR_FIELDS = [
  'accountHealthOrderDefectRate',
  'accountHealthTotalOrderDefects',
  'accountHealthOrderCount',
  'accountHealthNegativeFeedbackOrderCount',
  'accountHealthAtozClaimOrderCount',
  'accountHealthChargebackClaimOrderCount',
] as const satisfies readonly AccountHealthField[];

/**
 * The query of one chunk: one marketplace, `startDate`..`endDate` inclusive, one row per day; every account-health
 * figure of the marketplace (`totals`), and the ODR figures again per fulfilment channel (`metrics` grouped by
 * `fulfilmentChannel`). Only each figure's `value` is asked for (the benchmarks are not stored). Amazon's limit is
 * 8,000 characters after whitespace is removed; this is about 1,900.
 */
export function sellerAnalyticsQuery(range: {
  marketplaceId: string;
  startDay: string;
  endDay: string;
}): string {
  const values = (fields: readonly string[]) => fields.map((f) => `${f} { value }`).join(' ');
  return (
    `query { ${DATASET} { sellerAnalyticsView(startDate: ${JSON.stringify(range.startDay)} ` +
    `endDate: ${JSON.stringify(range.endDay)} aggregateBy: DAY marketplaceId: [${JSON.stringify(range.marketplaceId)}]) ` +
    `{ startDate endDate totals { accountHealth { ${values(ACCOUNT_HEALTH_FIELDS)} } } ` +
    `metrics { groupByKey { fulfilmentChannel } metrics { accountHealth { ${values(ODR_FIELDS)} } } } } } }`
  );
}

export interface DayFigure {
  metric: string;
  /** `all` for the marketplace's figure; `afn` / `mfn` for the ODR of one fulfilment channel. */
  channel: 'all' | 'afn' | 'mfn';
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  parts: Record<string, { count: number | null; status: null }> | null;
}

/** One line of the document: one day of one marketplace. */
export interface AnalyticsDay {
  /** The UTC day, `YYYY-MM-DD`: the row's startDate. */
  day: string;
  /** The marketplace the line names, if it names one (the query asks for one marketplace at a time). */
  marketplaceId: string | null;
  score: number | null;
  band: AhrBand | null;
  figures: DayFigure[];
}

export class AnalyticsLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalyticsLineError';
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}/;

/** A figure as Amazon sends it: `{ value, timeRangeBenchmarking }`; a bare number is taken too. Null: not yet known. */
function valueOf(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  if (raw !== null && typeof raw === 'object' && 'value' in raw)
    return valueOf((raw as { value: unknown }).value);
  return null;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The row's `accountHealth` for the whole marketplace: in `totals` (or, in a row without, at the top). */
function totalsOf(row: Record<string, unknown>): Record<string, unknown> | undefined {
  return record(record(row.totals)?.accountHealth) ?? record(row.accountHealth);
}

/** Amazon's names of the fulfilment channels (the simulator's `FBA`/`FBM`; `AFN`/`MFN` as the reports say). */
const CHANNELS: Readonly<Record<string, 'afn' | 'mfn'>> = { FBA: 'afn', AFN: 'afn', FBM: 'mfn', MFN: 'mfn' };

/** The `accountHealth` of each fulfilment channel, from the `metrics` entries grouped by it. */
function channelsOf(row: Record<string, unknown>): Array<['afn' | 'mfn', Record<string, unknown>]> {
  const entries = Array.isArray(row.metrics) ? (row.metrics as unknown[]) : [];
  const found: Array<['afn' | 'mfn', Record<string, unknown>]> = [];
  for (const entry of entries) {
    const key = record(record(entry)?.groupByKey)?.fulfilmentChannel;
    const channel = typeof key === 'string' ? CHANNELS[key.toUpperCase()] : undefined;
    const health = record(record(record(entry)?.metrics)?.accountHealth);
    if (channel && health && !found.some(([c]) => c === channel)) found.push([channel, health]);
  }
  return found;
}

const difference = (a: number | null, b: number | null) =>
  a === null || b === null ? null : Math.max(0, a - b);

/** Reads one JSON line of a Seller Analytics document; throws AnalyticsLineError for one it cannot read. */
export function parseAnalyticsLine(line: string): AnalyticsDay {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new AnalyticsLineError(`not JSON: ${line.slice(0, 80)}`);
  }
  const row = record(parsed);
  // Amazon's documents may wrap the row in the query's own field names.
  const view = row && (record(row.sellerAnalyticsView) ?? row);
  const start = view?.startDate;
  if (!view || typeof start !== 'string' || !DAY.test(start)) {
    throw new AnalyticsLineError(`no startDate: ${line.slice(0, 80)}`);
  }
  const health = totalsOf(view) ?? {};
  const v = (field: AccountHealthField) => valueOf(health[field]);
  const marketplace = view.marketplaceId ?? record(view.marketplace)?.id;

  const figures: DayFigure[] = [];
  const add = (figure: DayFigure) => {
    const parts = figure.parts ? Object.values(figure.parts).some((p) => p.count !== null) : false;
    if (figure.rate !== null || figure.numerator !== null || figure.denominator !== null || parts) {
      figures.push(figure);
    }
  };
  const odr = (channel: DayFigure['channel'], of: Record<string, unknown>): DayFigure => {
    const w = (field: AccountHealthField) => valueOf(of[field]);
    return {
      metric: 'order_defect_rate',
      channel,
      rate: w('accountHealthOrderDefectRate'),
      numerator: w('accountHealthTotalOrderDefects'),
      denominator: w('accountHealthOrderCount'),
      parts: {
        orderWithDefects: { count: w('accountHealthTotalOrderDefects'), status: null },
        negativeFeedback: { count: w('accountHealthNegativeFeedbackOrderCount'), status: null },
        claims: { count: w('accountHealthAtozClaimOrderCount'), status: null },
        chargebacks: { count: w('accountHealthChargebackClaimOrderCount'), status: null },
      },
    };
  };
  // Amazon judges each fulfilment channel's ODR apart, and the report gives them apart: the marketplace's
  // combined figure is kept only when the document has no channels, so the charts continue the report's lines.
  const channels = channelsOf(view);
  if (channels.length === 0) add(odr('all', health));
  for (const [channel, of] of channels) add(odr(channel, of));
  // Data Kiosk gives no count of the orders late shipment and cancellation are rates of (they are not the
  // order count of the ODR: another window, seller-fulfilled only): the denominator stays unknown.
  add({
    metric: 'late_shipment_rate',
    channel: 'all',
    rate: v('accountHealthLateShipmentRate'),
    numerator: v('accountHealthLateShipmentOrderCount'),
    denominator: null,
    parts: null,
  });
  add({
    metric: 'pre_fulfillment_cancellation_rate',
    channel: 'all',
    rate: v('accountHealthPreFulfillmentCancelRate'),
    numerator: v('accountHealthPreFulfillmentCancelOrderCount'),
    denominator: null,
    parts: null,
  });
  // Amazon counts the packages without valid tracking; the product's figure counts the good ones.
  add({
    metric: 'valid_tracking_rate',
    channel: 'all',
    rate: v('accountHealthValidTrackingRate'),
    numerator: difference(v('accountHealthPackageCount'), v('accountHealthValidTrackingDefectPackageCount')),
    denominator: v('accountHealthPackageCount'),
    parts: null,
  });
  // On-time delivery is over the packages with valid tracking, a count Data Kiosk does not give: the late
  // packages are kept as a part, the rate as Amazon sends it.
  add({
    metric: 'on_time_delivery_rate',
    channel: 'all',
    rate: v('accountHealthOnTimeDeliveryRate'),
    numerator: null,
    denominator: null,
    parts: { lateDeliveries: { count: v('accountHealthOnTimeDeliveryDefectPackageCount'), status: null } },
  });

  const score = v('accountHealthRatingScore');
  return {
    day: start.slice(0, 10),
    marketplaceId: typeof marketplace === 'string' ? marketplace : null,
    score,
    band: ahrBandOf(null, score),
    figures,
  };
}

/** The instant a day's figures are stored at: the end of the UTC day, as Amazon's reporting windows end. */
export function dayCapturedAt(day: string): Date {
  return new Date(`${day}T23:59:59.000Z`);
}
