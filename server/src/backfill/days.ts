// Calendar days as `YYYY-MM-DD` strings in UTC: what Data Kiosk's startDate/endDate take and what a job stores.

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === value;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  const n = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  return Math.max(0, n);
}

/** The same day `months` calendar months earlier, the day of month clamped (2026-03-31 -> 2026-02-28). */
export function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return dayOf(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, lastDay))));
}

/** The first day Data Kiosk still serves on `today` (its clock): two years back, to the calendar day. */
export function earliestServedDay(today: string): string {
  return monthsBefore(today, 24);
}

export interface Chunk {
  marketplaceId: string;
  startDay: string;
  endDay: string;
  days: number;
}

/**
 * The Data Kiosk queries of a job: for each marketplace in turn, the range cut into chunks of `chunkDays`,
 * newest first (the recent past, what a user looks at first, lands first). The same inputs always give the same
 * chunks, so a resumed job's `chunk_index` means what it meant.
 */
export function planChunks(job: {
  marketplaceIds: readonly string[];
  fromDay: string;
  toDay: string;
  chunkDays: number;
}): Chunk[] {
  const chunks: Chunk[] = [];
  const size = Math.max(1, Math.floor(job.chunkDays));
  for (const marketplaceId of job.marketplaceIds) {
    for (let end = job.toDay; end >= job.fromDay;) {
      const earliest = addDays(end, -(size - 1));
      const start = earliest < job.fromDay ? job.fromDay : earliest;
      chunks.push({ marketplaceId, startDay: start, endDay: end, days: daysBetween(start, end) });
      end = addDays(start, -1);
    }
  }
  return chunks;
}
