// Figures and dates as the dashboard writes them (web/src/lib/format.ts), for messages that leave the app:
// rates stored as fractions shown as percentages, counts with thousands separators, days in UTC.

const NBSP = '\u00a0';
const counts = new Intl.NumberFormat('en-US');

/** 0.008249 → "0.82 %", 0.9595 → "95.95 %": up to two decimals, the space unbreakable as on the dashboard. */
export function percent(fraction: number | null | undefined, none = '–'): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return none;
  const value = Math.round(fraction * 10_000) / 100;
  return `${value.toFixed(2).replace(/\.?0+$/, '')}${NBSP}%`;
}

/** 0.82 → "82 %": a share of something (an allowance), in whole percent. */
export function share(fraction: number): string {
  return `${Math.round(fraction * 100)}${NBSP}%`;
}

/** 1200 → "1,200". */
export function count(value: number | null | undefined, none = '–'): string {
  return value === null || value === undefined || !Number.isFinite(value) ? none : counts.format(value);
}

/** The difference of two rates in percentage points: "0.25 percentage points", "1 percentage point". */
export function points(a: number, b: number): string {
  const value = Math.round(Math.abs(a - b) * 10_000) / 100;
  const text = value.toFixed(2).replace(/\.?0+$/, '');
  return `${text} percentage ${value === 1 ? 'point' : 'points'}`;
}

/** 1 → "1st", 3 → "3rd", 12 → "12th", 1002 → "1,002nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${count(n)}${suffix}`;
}

/** "1 alert", "3 alerts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

const days = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const clock = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

function validDate(iso: unknown): Date | null {
  if (typeof iso !== 'string' || iso === '') return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 Dec 2026", the UTC day (a projected breach is a day, not a moment). */
export function dayUtc(iso: unknown, none = '–'): string {
  const date = validDate(iso);
  return date ? days.format(date) : none;
}

/** "3 Dec 2026, 06:10 UTC". */
export function clockUtc(iso: unknown, none = '–'): string {
  const date = validDate(iso);
  return date ? `${clock.format(date)} UTC` : none;
}

/**
 * Amazon's metric window as the days it covers, "21 Sept – 19 Nov 2026": its bounds are whole UTC days, as on the
 * dashboard.
 */
export function windowRange(from: unknown, to: unknown): string | null {
  const a = validDate(from);
  const b = validDate(to);
  if (!a || !b) return null;
  return days.formatRange(a, b);
}

/** A YYYY-MM-DD local date as "Thursday 3 December 2026" (the date itself, no zone arithmetic). */
export function longDate(localDate: string): string {
  const date = validDate(`${localDate}T12:00:00Z`);
  if (!date) return localDate;
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

/** "SUSPENDED" or "at_risk" → "suspended", "at risk". */
export function words(code: string): string {
  return code.replace(/_/g, ' ').toLowerCase();
}

/** Control characters (a line break in an account name) never reach a header or a one-line label. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

/** Cuts `text` to at most `max` characters, ending in "…" when it had to. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Wraps one paragraph to `width` columns: the first line starts with `lead`, the others with `indent`. A word longer
 * than the line (a URL) stands alone on its line rather than being broken, so it stays clickable.
 */
export function wrap(text: string, width = 72, indent = '', lead = ''): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (word === '') continue;
    const candidate = line === '' ? word : `${line} ${word}`;
    const limit = width - (out.length === 0 ? lead : indent).length;
    if (candidate.length <= limit || line === '') line = candidate;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out.map((l, i) => (i === 0 ? lead : indent) + l).join('\n');
}

/** "Label: value", wrapped to 72 columns with the continuation indented. */
export function textFact(label: string, value: string): string {
  return wrap(`${label}: ${value}`, 72, '  ');
}
