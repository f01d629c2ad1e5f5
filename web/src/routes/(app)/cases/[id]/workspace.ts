import type { CaseFigure, CaseTrend } from '$lib/api';

// The workspace's small pieces of logic, kept out of the components so they can be tested: the deadline's
// datetime-local field in the user's time zone, placeholders' places in a text, file sizes, and the words for a
// figure's counts.

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `timeZone` at `ms`, as numbers. */
function wallClock(ms: number, timeZone: string | undefined) {
  const key = timeZone ?? '';
  let format = partsFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(key, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    // Some engines still write midnight as 24 with h23.
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC at `ms`, in minutes (east of Greenwich positive). */
export function zoneOffsetMinutes(ms: number, timeZone: string | undefined): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1_000) * 1_000) / 60_000);
}

const two = (n: number) => String(n).padStart(2, '0');

/** An instant as a datetime-local field's value in `timeZone`: "2026-03-09T10:05". */
export function localInputValue(iso: string, timeZone: string | undefined): string {
  const w = wallClock(Date.parse(iso), timeZone);
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}

/**
 * A datetime-local field's value, read in `timeZone`, as an ISO 8601 instant with that zone's offset
 * ("2026-03-09T10:05:00+01:00"); null when the value is not a date and time.
 */
export function isoFromLocalInput(local: string, timeZone: string | undefined): string | null {
  const m = LOCAL_INPUT.exec(local.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== day) return null;
  // The offset at the instant guessed with the wall clock's own offset; twice, for a change of offset between.
  let offset = zoneOffsetMinutes(wall, timeZone);
  const second_ = zoneOffsetMinutes(wall - offset * 60_000, timeZone);
  if (second_ !== offset) offset = second_;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${year}-${two(month!)}-${two(day!)}T${two(hour!)}:${two(minute!)}:${two(second!)}` +
    `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
  );
}

/** Where each `[[placeholder]]` of a text is, for the editor to select it. */
export function placeholderSpans(text: string): Array<{ label: string; start: number; end: number }> {
  return [...text.matchAll(/\[\[([^\]\n]{1,200})\]\]/g)].map((m) => ({
    label: m[1]!,
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** 512 → "512 bytes", 20480 → "20 KB", 1572864 → "1.5 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${units[unit]}`;
}

/** The first 12 hex digits of a SHA-256: enough to tell two files apart by eye. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

const counts = new Intl.NumberFormat('en');
const n = (value: number | null) => (value === null ? '–' : counts.format(value));

/** "18 of 1,200"; what is missing as a dash; null when the report gave neither count. */
export function figureCounts(figure: Pick<CaseFigure, 'numerator' | 'denominator'>): string | null {
  if (figure.numerator === null && figure.denominator === null) return null;
  return `${n(figure.numerator)} of ${n(figure.denominator)}`;
}

/** The trend chart's time unit: days for a month or less, weeks beyond. */
export function trendUnit(trend: CaseTrend): 'day' | 'week' {
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  if (!first || !last) return 'day';
  return Date.parse(last.at) - Date.parse(first.at) <= 31 * 86_400_000 ? 'day' : 'week';
}

/** "3 placeholders are still to fill in"; null when none is left. */
export function placeholdersLeftWords(left: number): string | null {
  if (left <= 0) return null;
  return left === 1 ? '1 placeholder is still to fill in' : `${left} placeholders are still to fill in`;
}

/** A text cut where its placeholders are, for a page to mark them. */
export function textSegments(text: string): Array<{ text: string; placeholder: boolean }> {
  const out: Array<{ text: string; placeholder: boolean }> = [];
  let at = 0;
  for (const span of placeholderSpans(text)) {
    if (span.start > at) out.push({ text: text.slice(at, span.start), placeholder: false });
    out.push({ text: text.slice(span.start, span.end), placeholder: true });
    at = span.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), placeholder: false });
  return out;
}
