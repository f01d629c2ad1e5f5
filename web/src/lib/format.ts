// Times as words relative to a moment both the server and the browser know (the load's own time), so the page
// reads the same before and after hydration whatever either clock's time zone.

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 hours ago", "in 20 minutes", "now"; `never` when there is no time. */
export function timeFrom(iso: string | null, nowMs: number, never = 'never'): string {
  if (iso === null) return never;
  const diff = Date.parse(iso) - nowMs;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  }
  return 'just now';
}

/** "1 Dec 2026, 09:30 CET": a clock time in the user's zone, or the browser's when they chose none. */
export function clockTime(iso: string, timeZone?: string): string {
  return clockTimeIn(timeZone)(iso);
}

// Figures: rates are stored as fractions and shown as percentages, counts with thousands separators.

const counts = new Intl.NumberFormat('en');

/** 0.008549 → "0.85 %", 0.9595 → "95.95 %", 0 → "0 %"; `none` when there is no figure. */
export function percent(fraction: number | null | undefined, none = '–'): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return none;
  const value = Math.round(fraction * 10_000) / 100;
  return `${value.toFixed(2).replace(/\.?0+$/, '')}\u00a0%`;
}

/** 12156 → "12,156"; `none` when there is no count. */
export function count(value: number | null | undefined, none = '–'): string {
  return value === null || value === undefined ? none : counts.format(value);
}

const TARGET_WORDS: Record<string, string> = {
  LESS_THAN: 'under',
  LESS_THAN_OR_EQUAL: 'at most',
  GREATER_THAN: 'over',
  GREATER_THAN_OR_EQUAL: 'at least',
};

/** { 0.01, LESS_THAN } → "under 1 %": a target in the words Amazon's rule means. */
export function targetPhrase(target: { value: number; condition: string } | null | undefined): string {
  if (!target) return 'no target';
  const words = TARGET_WORDS[target.condition.toUpperCase()] ?? target.condition.toLowerCase();
  return `${words} ${percent(target.value)}`;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `clockTime` for many figures at once: the formatter is built once per zone (a year of points would otherwise
 * build thousands of them).
 */
export function clockTimeIn(timeZone?: string): (iso: string) => string {
  const key = timeZone ?? '';
  let format = clockFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
      timeZoneName: 'short',
    });
    clockFormats.set(key, format);
  }
  const formatter = format;
  return (iso) => formatter.format(new Date(iso));
}

const utcDays = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * Amazon's metric window as the days it covers, "21 Sep – 19 Nov 2026": its bounds are whole UTC days, so they
 * are read in UTC whatever the user's zone.
 */
export function windowDays(from: string | null | undefined, to: string | null | undefined): string {
  if (!from || !to) return '–';
  return utcDays.formatRange(new Date(from), new Date(to));
}

/** 5160 → "5.2 s", 131000 → "2 min 11 s". */
export function duration(ms: number | null | undefined, none = '–'): string {
  if (ms === null || ms === undefined) return none;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1).replace(/\.0$/, '')} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A day in the user's zone, "12 Dec 2026", for many dates at once (see `clockTimeIn`). */
export function dateIn(timeZone?: string): (iso: string) => string {
  const key = timeZone ?? '';
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone });
    dateFormats.set(key, format);
  }
  const formatter = format;
  return (iso) => formatter.format(new Date(iso));
}
