// Readers that never throw: a value of the wrong type becomes null ("not reported") and leaves a note, so one odd
// field costs one figure, not the whole report.
import type { CountWithStatus, ReportingWindow } from './types.ts';

export type JsonObject = Record<string, unknown>;

/** Where the parser is (for notes) and what it collects for the marketplace being read. */
export interface ParseContext {
  /** Prefix of every note, e.g. `ATVPDKIKX0DER: `. */
  readonly where: string;
  readonly notes: string[];
  readonly unknownKeys: string[];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

export function addNote(ctx: ParseContext, path: string, message: string): void {
  ctx.notes.push(`${ctx.where}${path}: ${message}`);
}

const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

export function readNumber(ctx: ParseContext, obj: JsonObject, key: string, path: string): number | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (NUMERIC_STRING.test(trimmed)) {
      addNote(ctx, `${path}.${key}`, `read the numeric string ${JSON.stringify(value)} as a number`);
      return Number(trimmed);
    }
  }
  addNote(ctx, `${path}.${key}`, `expected a number, got ${describeValue(value)}; recorded as not reported`);
  return null;
}

/** Statuses and conditions are open enums: any non-empty string is kept exactly as Amazon spelled it. */
export function readString(ctx: ParseContext, obj: JsonObject, key: string, path: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  addNote(ctx, `${path}.${key}`, `expected a string, got ${describeValue(value)}; recorded as not reported`);
  return null;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

interface ParsedInstant {
  iso: string;
  zoneAssumed: boolean;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A strict ISO 8601 reader: `Date.parse` alone would take "1" as the year 2001 and read a zone-less time in the
 * server's local zone, and would roll 30 February over into March. */
function parseIsoInstant(text: string): ParsedInstant | null {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  const date = new Date(epoch);
  if (Number.isNaN(date.getTime())) return null;
  return { iso: date.toISOString(), zoneAssumed: zone === undefined };
}

function readDate(ctx: ParseContext, obj: JsonObject, key: string, path: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    addNote(ctx, `${path}.${key}`, `expected a date, got ${describeValue(value)}; recorded as not reported`);
    return null;
  }
  const parsed = parseIsoInstant(value);
  if (parsed === null) {
    addNote(ctx, `${path}.${key}`, `unparseable date ${describeValue(value)}; recorded as not reported`);
    return null;
  }
  if (parsed.zoneAssumed)
    addNote(ctx, `${path}.${key}`, `date ${JSON.stringify(value)} has no zone; read as UTC`);
  return parsed.iso;
}

const WINDOW_KEYS = new Set(['reportingDateFrom', 'reportingDateTo', 'dateOffset']);
const NO_WINDOW: ReportingWindow = Object.freeze({ from: null, to: null });

/** `reportingDateRange` of a block; `dateOffset` is window metadata we do not need. From > To is kept as given. */
export function readWindow(ctx: ParseContext, block: JsonObject, path: string): ReportingWindow {
  const range = block['reportingDateRange'];
  if (range === undefined || range === null) return { ...NO_WINDOW };
  const rangePath = `${path}.reportingDateRange`;
  if (!isObject(range)) {
    addNote(ctx, rangePath, `expected an object, got ${describeValue(range)}; window not reported`);
    return { ...NO_WINDOW };
  }
  collectUnknownKeys(ctx, range, WINDOW_KEYS, rangePath);
  return {
    from: readDate(ctx, range, 'reportingDateFrom', rangePath),
    to: readDate(ctx, range, 'reportingDateTo', rangePath),
  };
}

/** `{count, status}` sub-blocks. A bare number is read as the count. */
export function readCountWithStatus(ctx: ParseContext, value: unknown, path: string): CountWithStatus | null {
  if (isObject(value)) {
    collectUnknownKeys(ctx, value, COUNT_KEYS, path);
    return { count: readNumber(ctx, value, 'count', path), status: readString(ctx, value, 'status', path) };
  }
  if (typeof value === 'number' || typeof value === 'string') {
    const count = readNumber(ctx, { count: value }, 'count', path);
    if (count !== null) {
      addNote(ctx, path, 'expected {count, status}, got a bare number; read it as the count');
      return { count, status: null };
    }
    return null;
  }
  if (value !== undefined && value !== null) {
    addNote(ctx, path, `expected {count, status}, got ${describeValue(value)}; not reported`);
  }
  return null;
}

const COUNT_KEYS = new Set(['count', 'status']);

export function collectUnknownKeys(
  ctx: ParseContext,
  obj: JsonObject,
  known: ReadonlySet<string>,
  path: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) ctx.unknownKeys.push(`${path}.${key}`);
  }
}
