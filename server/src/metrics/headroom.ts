import { lowerIsBetter } from './standing.ts';

// How many more bad events the current window can take before its rate crosses the target, from the report's own
// counts. For an "under" target (order defects, late shipments, cancellations) a bad event is one of the orders
// already counted turning bad: 1,200 orders with 9 defective against < 1 % can take 2 more; the third makes
// 12 / 1,200 = 1 %, which is no longer under 1 %. For an "over" target (valid tracking, on-time delivery) it is a
// new shipment without valid tracking, or delivered late, which adds to the shipments counted too.

const EPSILON = 1e-9;

export interface HeadroomInput {
  /** Bad events for an "under" target; good ones (tracked, on time) for an "over" target, as Amazon counts. */
  numerator: number | null;
  denominator: number | null;
  target: { value: number; condition: string } | null;
}

/** Events still allowed; 0 when the next one crosses; null when the counts or the target are missing or past. */
export function headroom({ numerator, denominator, target }: HeadroomInput): number | null {
  if (numerator === null || denominator === null || !target || denominator <= 0) return null;
  const lower = lowerIsBetter(target.condition);
  if (lower === null) return null;
  const strict = !target.condition.toUpperCase().endsWith('_OR_EQUAL');
  if (lower) {
    // The largest count k with k / denominator under (or at) the target.
    const limit = target.value * denominator;
    const allowed = strict ? Math.ceil(limit - EPSILON) - 1 : Math.floor(limit + EPSILON);
    return allowed >= numerator ? allowed - numerator : null;
  }
  // The most new bad shipments x with numerator / (denominator + x) over (or at) the target.
  if (target.value <= 0) return null;
  const limit = numerator / target.value - denominator;
  const allowed = strict ? Math.ceil(limit - EPSILON) - 1 : Math.floor(limit + EPSILON);
  return allowed >= 0 ? allowed : null;
}
