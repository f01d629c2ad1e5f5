// The account page's ranges. A range ends at the account's newest report, not at this server's clock: Amazon's
// clock (or a simulator's, which can run days ahead) dates the figures, so "the last 7 days" are the 7 days up to
// the newest report.

export const RANGE_DAYS = [7, 30, 90, 365, 730] as const;
export type RangeDays = (typeof RANGE_DAYS)[number];
export const DEFAULT_DAYS: RangeDays = 30;
export const DAY_MS = 86_400_000;

export const RANGE_LABELS: Record<RangeDays, string> = {
  7: '7 days',
  30: '30 days',
  90: '90 days',
  365: '1 year',
  // Data Kiosk's history goes two years back (docs/data-kiosk.md).
  730: '2 years',
};

export function parseDays(value: string | null): RangeDays {
  const days = Number(value);
  return (RANGE_DAYS as readonly number[]).includes(days) ? (days as RangeDays) : DEFAULT_DAYS;
}

/** Every report for a week or a month; one point a day (the day's last report) beyond. */
export function resolutionFor(days: RangeDays): 'report' | 'day' {
  return days <= 30 ? 'report' : 'day';
}

/** The time axis' unit for a range. */
export function unitFor(days: RangeDays): 'day' | 'week' | 'month' {
  return days <= 30 ? 'day' : days <= 90 ? 'week' : 'month';
}

/** The page's own address for a range and marketplace. */
export function pageQuery(days: RangeDays, marketplace: string | null): string {
  const query = new URLSearchParams({ days: String(days) });
  if (marketplace) query.set('marketplace', marketplace);
  return `?${query}`;
}
