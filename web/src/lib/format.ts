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
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}
