// GET_V2_SELLER_PERFORMANCE_REPORT document -> ParsedReport. Tolerant by design (docs/report-formats.md §(b)):
// the only things that throw are a document that is not a seller performance report at all and one that names no
// marketplace; anything odd inside one costs the odd figure (null, never 0) and leaves a note. Pure: no I/O, no
// clock.
import { ahrBandOf } from './ahr-band.ts';
import { decodeReportDocument } from './decode-report-document.ts';
import {
  addNote,
  collectUnknownKeys,
  describeValue,
  isObject,
  readCountWithStatus,
  readNumber,
  readString,
  readWindow,
  type JsonObject,
  type ParseContext,
} from './lenient-values.ts';
import {
  KEY_ALIASES,
  ORDER_DEFECT_RATE,
  POLICY_CATEGORIES,
  RATE_SPECS,
  toSnakeCase,
  type RateSpec,
} from './metric-keys.ts';
import { ReportFormatError } from './report-format-error.ts';
import type {
  CountWithStatus,
  FulfillmentChannel,
  MarketplaceHealth,
  ParsedReport,
  PolicyCategory,
  PolicyMetric,
  RateMetric,
  RateMetricName,
} from './types.ts';

export { ReportFormatError } from './report-format-error.ts';
export { decodeReportDocument } from './decode-report-document.ts';

/** Prefix of the note left when a bug in this parser (not the document) breaks a section. */
export const INTERNAL_ERROR_NOTE = 'internal error while reading this section';

const RATE_COMMON_KEYS = [
  'reportingDateRange',
  'status',
  'targetValue',
  'targetCondition',
  'rate',
  'fulfillmentType',
];
const POLICY_KEYS = new Set([
  'defectsCount',
  'status',
  'targetValue',
  'targetCondition',
  'reportingDateRange',
]);
const AHR_KEYS = new Set(['ahrStatus', 'accountHealthRatingStatus', 'ahrScore', 'reportingDateRange']);
const WARNING_KEYS = new Set(['warningType', 'status']);
const POLICY_WARNING_KEYS = new Set(['warningsCount', 'reportingDateRange']);
const ACCOUNT_STATUS_KEYS = new Set(['marketplaceId', 'status']);
const CHANNELS = new Set(['afn', 'mfn']);

const knownRateKeys = new Map<RateSpec, ReadonlySet<string>>();
function rateKeysOf(spec: RateSpec): ReadonlySet<string> {
  let keys = knownRateKeys.get(spec);
  if (keys === undefined) {
    const numerator = 'field' in spec.numerator ? [spec.numerator.field] : [];
    keys = new Set([...RATE_COMMON_KEYS, spec.denominator, ...numerator, ...spec.parts]);
    knownRateKeys.set(spec, keys);
  }
  return keys;
}

function isRateShaped(value: unknown): value is JsonObject {
  return isObject(value) && 'rate' in value && 'targetValue' in value;
}

function isPolicyShaped(value: unknown): value is JsonObject {
  return isObject(value) && 'defectsCount' in value;
}

/** The object a section should be, or null (with a note unless the section is simply absent). */
function expectObject(ctx: ParseContext, path: string, value: unknown): JsonObject | null {
  if (isObject(value)) return value;
  if (value !== undefined)
    addNote(ctx, path, `expected an object, got ${describeValue(value)}; not reported`);
  return null;
}

function readRate(
  ctx: ParseContext,
  block: JsonObject,
  spec: RateSpec | null,
  metric: RateMetricName,
  channel: FulfillmentChannel,
  source: string,
): RateMetric {
  const parts: Record<string, CountWithStatus> = {};
  let numerator: number | null = null;
  let denominator: number | null = null;
  if (spec !== null) {
    for (const name of spec.parts) {
      const part = readCountWithStatus(ctx, block[name], `${source}.${name}`);
      if (part !== null) parts[name] = part;
    }
    numerator =
      'field' in spec.numerator
        ? readNumber(ctx, block, spec.numerator.field, source)
        : (parts[spec.numerator.part]?.count ?? null);
    denominator = readNumber(ctx, block, spec.denominator, source);
    collectUnknownKeys(ctx, block, rateKeysOf(spec), source);
  } else {
    // A metric Amazon added after this parser: keep its {count,status} parts, guess no numerator.
    for (const [name, value] of Object.entries(block)) {
      if (isObject(value) && 'count' in value) {
        const part = readCountWithStatus(ctx, value, `${source}.${name}`);
        if (part !== null) parts[name] = part;
      }
    }
  }
  return {
    metric,
    channel,
    window: readWindow(ctx, block, source),
    rate: readNumber(ctx, block, 'rate', source),
    numerator,
    denominator,
    status: readString(ctx, block, 'status', source),
    targetValue: readNumber(ctx, block, 'targetValue', source),
    targetCondition: readString(ctx, block, 'targetCondition', source),
    parts,
    source,
  };
}

function readPolicy(
  ctx: ParseContext,
  block: JsonObject,
  category: PolicyCategory,
  source: string,
): PolicyMetric {
  collectUnknownKeys(ctx, block, POLICY_KEYS, source);
  return {
    category,
    count: readNumber(ctx, block, 'defectsCount', source),
    status: readString(ctx, block, 'status', source),
    targetValue: readNumber(ctx, block, 'targetValue', source),
    targetCondition: readString(ctx, block, 'targetCondition', source),
    window: readWindow(ctx, block, source),
    source,
  };
}

function readChannelRates(
  ctx: ParseContext,
  health: MarketplaceHealth,
  key: string,
  block: JsonObject,
  spec: RateSpec | null,
  metric: RateMetricName,
): void {
  for (const sub of Object.keys(block)) {
    const path = `${key}.${sub}`;
    if (!CHANNELS.has(sub)) {
      ctx.unknownKeys.push(path);
      continue;
    }
    const channelBlock = expectObject(ctx, path, block[sub]);
    if (channelBlock === null) continue;
    const declared = channelBlock['fulfillmentType'];
    if (typeof declared === 'string' && declared.toLowerCase() !== sub) {
      // S's own example has fulfillmentType "mfn" inside `afn`; the parent key is the reliable one.
      addNote(ctx, path, `fulfillmentType says ${JSON.stringify(declared)}; kept ${sub} from the parent key`);
    }
    health.rates.push(readRate(ctx, channelBlock, spec, metric, sub as FulfillmentChannel, path));
  }
}

function readOrderDefectRate(
  ctx: ParseContext,
  health: MarketplaceHealth,
  key: string,
  value: unknown,
): void {
  const odr = expectObject(ctx, key, value);
  if (odr === null) return;
  if (isRateShaped(odr) && !('afn' in odr) && !('mfn' in odr)) {
    addNote(ctx, key, 'not split into afn/mfn; read as channel all');
    health.rates.push(readRate(ctx, odr, ORDER_DEFECT_RATE, ORDER_DEFECT_RATE.metric, 'all', key));
    return;
  }
  readChannelRates(ctx, health, key, odr, ORDER_DEFECT_RATE, ORDER_DEFECT_RATE.metric);
}

function readAccountHealthRating(
  ctx: ParseContext,
  health: MarketplaceHealth,
  key: string,
  value: unknown,
): void {
  const ahr = expectObject(ctx, key, value);
  if (ahr === null) return;
  collectUnknownKeys(ctx, ahr, AHR_KEYS, key);
  const status = readString(ctx, ahr, 'ahrStatus', key);
  const aliasStatus = readString(ctx, ahr, 'accountHealthRatingStatus', key);
  if (status === null && aliasStatus !== null) {
    addNote(ctx, `${key}.accountHealthRatingStatus`, 'read as ahrStatus');
  } else if (status !== null && aliasStatus !== null && status !== aliasStatus) {
    addNote(
      ctx,
      key,
      `ahrStatus ${status} and accountHealthRatingStatus ${aliasStatus} disagree; kept ahrStatus`,
    );
  }
  health.ahrStatus = status ?? aliasStatus;
  health.ahrScore = readNumber(ctx, ahr, 'ahrScore', key);
  health.ahrBand = ahrBandOf(health.ahrStatus, health.ahrScore);
  health.ahrWindow = readWindow(ctx, ahr, key);
}

function readWarningStates(ctx: ParseContext, health: MarketplaceHealth, key: string, value: unknown): void {
  let items: unknown[];
  if (Array.isArray(value)) {
    items = value;
  } else if (isObject(value) || (typeof value === 'string' && value !== '')) {
    addNote(ctx, key, `expected an array, got ${describeValue(value)}; read it as one warning`);
    items = [value];
  } else {
    addNote(ctx, key, `expected an array, got ${describeValue(value)}; not reported`);
    return;
  }
  items.forEach((item, index) => {
    const path = `${key}[${index}]`;
    if (typeof item === 'string' && item !== '') {
      health.warningStates.push({ type: item, status: null });
      return;
    }
    if (!isObject(item)) {
      addNote(ctx, path, `expected a warning, got ${describeValue(item)}; skipped`);
      return;
    }
    collectUnknownKeys(ctx, item, WARNING_KEYS, path);
    const status = readString(ctx, item, 'status', path);
    let type = readString(ctx, item, 'warningType', path);
    if (type === null) {
      // A warning without a name is still a warning; dropping it could hide a BAD status.
      addNote(ctx, path, 'has no warningType; kept as "unknown"');
      type = 'unknown';
    }
    health.warningStates.push({ type, status });
  });
}

function readPolicyViolationWarnings(
  ctx: ParseContext,
  health: MarketplaceHealth,
  key: string,
  value: unknown,
): void {
  const block = expectObject(ctx, key, value);
  if (block === null) return;
  collectUnknownKeys(ctx, block, POLICY_WARNING_KEYS, key);
  health.policyViolationWarnings = {
    count: readNumber(ctx, block, 'warningsCount', key),
    window: readWindow(ctx, block, key),
  };
}

/** `<metric>List`: the same metric over several windows (LSR 10 and 30 days). */
function readRateList(ctx: ParseContext, health: MarketplaceHealth, key: string, value: unknown): void {
  const base = key.slice(0, -'List'.length);
  const spec = RATE_SPECS[KEY_ALIASES[base] ?? base] ?? null;
  let items: unknown[] | null = null;
  if (Array.isArray(value)) items = value;
  else if (isObject(value) && (spec !== null || isRateShaped(value))) items = [value];
  if (items === null) {
    if (spec === null) ctx.unknownKeys.push(key);
    else addNote(ctx, key, `expected an array, got ${describeValue(value)}; not reported`);
    return;
  }
  if (!Array.isArray(value)) addNote(ctx, key, 'expected an array, got one object; read it as one window');
  const metric = spec?.metric ?? toSnakeCase(base);
  if (spec === null) {
    if (!items.some(isRateShaped)) {
      ctx.unknownKeys.push(key);
      return;
    }
    addNote(ctx, key, `unknown key read as the multi-window rate metric ${metric}`);
  }
  items.forEach((item, index) => {
    const path = `${key}[${index}]`;
    if (!isObject(item) || (spec === null && !isRateShaped(item))) {
      addNote(ctx, path, `expected a rate metric, got ${describeValue(item)}; skipped`);
      return;
    }
    health.rates.push(readRate(ctx, item, spec, metric, 'all', path));
  });
}

/** Amazon "periodically adds new fields": classify by shape so a new metric is tracked, not dropped. Its name is
 * the Amazon key in snake case, like the known ones, so it reads the same once a spec for it is added here. */
function readUnknownSection(ctx: ParseContext, health: MarketplaceHealth, key: string, value: unknown): void {
  const name = toSnakeCase(key);
  if (isPolicyShaped(value)) {
    addNote(ctx, key, `unknown key read as the policy metric ${name}`);
    health.policies.push(readPolicy(ctx, value, name, key));
  } else if (isRateShaped(value)) {
    addNote(ctx, key, `unknown key read as the rate metric ${name}`);
    health.rates.push(readRate(ctx, value, null, name, 'all', key));
  } else if (isObject(value) && (isRateShaped(value['afn']) || isRateShaped(value['mfn']))) {
    addNote(ctx, key, `unknown key read as the rate metric ${name} split by afn/mfn`);
    readChannelRates(ctx, health, key, value, null, name);
  } else {
    ctx.unknownKeys.push(key);
  }
}

function readSection(
  ctx: ParseContext,
  health: MarketplaceHealth,
  key: string,
  canonical: string,
  value: unknown,
): void {
  switch (canonical) {
    case 'accountHealthRating':
      return readAccountHealthRating(ctx, health, key, value);
    case 'orderDefectRate':
      return readOrderDefectRate(ctx, health, key, value);
    case 'warningStates':
      return readWarningStates(ctx, health, key, value);
    case 'policyViolationWarnings':
      return readPolicyViolationWarnings(ctx, health, key, value);
  }
  const spec = RATE_SPECS[canonical];
  if (spec !== undefined) {
    const block = expectObject(ctx, key, value);
    if (block !== null) health.rates.push(readRate(ctx, block, spec, spec.metric, 'all', key));
    return;
  }
  const category = POLICY_CATEGORIES[canonical];
  if (category !== undefined) {
    const block = expectObject(ctx, key, value);
    if (block !== null) health.policies.push(readPolicy(ctx, block, category, key));
    return;
  }
  if (key.endsWith('List')) return readRateList(ctx, health, key, value);
  readUnknownSection(ctx, health, key, value);
}

const FIGURES = ['rate', 'numerator', 'denominator', 'status', 'targetValue', 'targetCondition'] as const;

function filledFigures(rate: RateMetric): number {
  return FIGURES.filter((field) => rate[field] !== null).length;
}

function agree(a: RateMetric, b: RateMetric): boolean {
  return FIGURES.every((field) => a[field] === null || b[field] === null || a[field] === b[field]);
}

/** `lateShipmentRate` repeats one of the `lateShipmentRateList` windows; report each window once, keeping the
 * copy that carries more figures (real list entries have been seen abridged to rate and status). Copies that
 * disagree are both kept: picking one would hide a figure Amazon reported. */
function dropRepeatedWindows(rates: RateMetric[]): RateMetric[] {
  const kept: RateMetric[] = [];
  const indexByWindow = new Map<string, number>();
  for (const rate of rates) {
    if (rate.window.from === null || rate.window.to === null) {
      kept.push(rate);
      continue;
    }
    const id = `${rate.metric}|${rate.channel}|${rate.window.from}|${rate.window.to}`;
    const index = indexByWindow.get(id);
    const earlier = index === undefined ? undefined : kept[index];
    if (index === undefined || earlier === undefined || !agree(earlier, rate)) {
      if (index === undefined) indexByWindow.set(id, kept.length);
      kept.push(rate);
    } else if (filledFigures(rate) > filledFigures(earlier)) {
      kept[index] = rate;
    }
  }
  return kept;
}

function readPerformanceBlock(ctx: ParseContext, health: MarketplaceHealth, block: JsonObject): void {
  const givenAs = new Map<string, string>();
  for (const key of Object.keys(block)) {
    if (key === 'marketplaceId') continue;
    const canonical = KEY_ALIASES[key] ?? key;
    const earlier = givenAs.get(canonical);
    if (earlier !== undefined) {
      addNote(ctx, key, `repeats ${earlier}; kept ${earlier}`);
      continue;
    }
    givenAs.set(canonical, key);
    if (canonical !== key) addNote(ctx, key, `read as ${canonical}`);
    try {
      readSection(ctx, health, key, canonical, block[key]);
    } catch (error) {
      addNote(ctx, key, `${INTERNAL_ERROR_NOTE} (${(error as Error).message}); skipped`);
    }
  }
  health.rates = dropRepeatedWindows(health.rates);
}

function emptyHealth(marketplaceId: string): MarketplaceHealth {
  return {
    marketplaceId,
    accountStatus: null,
    ahrStatus: null,
    ahrScore: null,
    ahrBand: null,
    ahrWindow: { from: null, to: null },
    rates: [],
    policies: [],
    policyViolationWarnings: null,
    warningStates: [],
    unknownKeys: [],
  };
}

/** A top-level list; a lone object (what XML-to-JSON converters make of one element) is read as one entry. */
function readEntryList(ctx: ParseContext, doc: JsonObject, key: string): unknown[] | null {
  const value = doc[key];
  if (value === undefined) return null;
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    addNote(ctx, key, 'expected an array, got one object; read it as one entry');
    return [value];
  }
  addNote(ctx, key, `expected an array, got ${describeValue(value)}; ignored`);
  return null;
}

function readMarketplaceId(ctx: ParseContext, entry: unknown, path: string): string | null {
  if (!isObject(entry)) {
    addNote(ctx, path, `expected an object, got ${describeValue(entry)}; skipped`);
    return null;
  }
  const id = entry['marketplaceId'];
  if (typeof id === 'string' && id !== '') return id;
  addNote(ctx, path, `marketplaceId is ${id === undefined ? 'missing' : describeValue(id)}; entry skipped`);
  return null;
}

export function parseSellerPerformanceReport(doc: unknown): ParsedReport {
  if (!isObject(doc)) {
    throw new ReportFormatError(`report document is not a JSON object (got ${describeValue(doc)})`);
  }
  if (doc['performanceMetrics'] === undefined && doc['accountStatuses'] === undefined) {
    throw new ReportFormatError('report document has neither performanceMetrics nor accountStatuses');
  }
  const notes: string[] = [];
  const top: ParseContext = { where: '', notes, unknownKeys: [] };
  const statuses = readEntryList(top, doc, 'accountStatuses');
  const metrics = readEntryList(top, doc, 'performanceMetrics');
  if (statuses === null && metrics === null) {
    throw new ReportFormatError('report document has no usable performanceMetrics or accountStatuses');
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'accountStatuses' && key !== 'performanceMetrics')
      addNote(top, key, 'unknown top-level key ignored');
  }

  const byId = new Map<string, MarketplaceHealth>();
  const healthOf = (id: string): MarketplaceHealth => {
    let health = byId.get(id);
    if (health === undefined) {
      health = emptyHealth(id);
      byId.set(id, health);
    }
    return health;
  };
  const contextOf = (health: MarketplaceHealth): ParseContext => ({
    where: `${health.marketplaceId}: `,
    notes,
    unknownKeys: health.unknownKeys,
  });

  const statusSeen = new Set<string>();
  statuses?.forEach((entry, index) => {
    const path = `accountStatuses[${index}]`;
    const id = readMarketplaceId(top, entry, path);
    if (id === null || !isObject(entry)) return;
    const health = healthOf(id);
    const ctx = contextOf(health);
    if (statusSeen.has(id)) {
      addNote(ctx, path, 'repeats an earlier accountStatuses entry; kept the first');
      return;
    }
    statusSeen.add(id);
    collectUnknownKeys(ctx, entry, ACCOUNT_STATUS_KEYS, 'accountStatuses');
    health.accountStatus = readString(ctx, entry, 'status', path);
  });

  const metricsSeen = new Set<string>();
  metrics?.forEach((entry, index) => {
    const path = `performanceMetrics[${index}]`;
    const id = readMarketplaceId(top, entry, path);
    if (id === null || !isObject(entry)) return;
    const health = healthOf(id);
    const ctx = contextOf(health);
    if (metricsSeen.has(id)) {
      addNote(ctx, path, 'repeats an earlier performanceMetrics entry; kept the first');
      return;
    }
    metricsSeen.add(id);
    readPerformanceBlock(ctx, health, entry);
  });

  if (byId.size === 0) {
    // Downstream a report with nothing in it would count as a good poll and make stale data look fresh.
    throw new ReportFormatError('report document names no marketplace');
  }
  return { marketplaces: [...byId.values()], notes };
}

/** Report document bytes (gzipped or not) -> ParsedReport. */
export function parseReportBytes(bytes: Buffer | Uint8Array | string): ParsedReport {
  return parseSellerPerformanceReport(decodeReportDocument(bytes));
}
