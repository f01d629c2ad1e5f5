// A projected breach is a day, the same for everyone: read in UTC, as the alert rule computed it.

const short = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "14 Dec": compact enough for a cell of the overview (the projection is at most a few weeks ahead). */
export function breachDay(iso: string): string {
  return short.format(new Date(iso));
}
