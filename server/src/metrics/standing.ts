// How close to suspension a marketplace is, from Amazon's own signals: its account status, its Account Health
// Rating band, and each metric against its target. One place decides, so the overview, the alerts and the cases
// agree on what "at risk" means.

export type Standing = 'suspended' | 'at_risk' | 'fine' | 'unknown';

/** Worst first. */
export const STANDING_ORDER: readonly Standing[] = ['suspended', 'at_risk', 'unknown', 'fine'];

const SUSPENDED_STATUSES = new Set(['DEACTIVATED', 'SUSPENDED', 'BANNED']);

/**
 * Whether a rate is on the wrong side of its target: `LESS_THAN 0.01` means the rate must stay under 1 %, so
 * exactly 1 % is a breach. Null when the rate, the target or the condition is missing or not understood.
 */
export function isBreached(
  rate: number | null,
  targetValue: number | null,
  condition: string | null,
): boolean | null {
  if (rate === null || targetValue === null || condition === null) return null;
  switch (condition.toUpperCase()) {
    case 'LESS_THAN':
      return !(rate < targetValue);
    case 'LESS_THAN_OR_EQUAL':
      return !(rate <= targetValue);
    case 'GREATER_THAN':
      return !(rate > targetValue);
    case 'GREATER_THAN_OR_EQUAL':
      return !(rate >= targetValue);
    default:
      return null;
  }
}

export interface StandingInput {
  accountStatus: string | null;
  ahrBand: string | null;
  hasData: boolean;
  figures: ReadonlyArray<{ status: string | null; breached: boolean | null }>;
}

export function marketplaceStanding(m: StandingInput): Standing {
  if (m.accountStatus && SUSPENDED_STATUSES.has(m.accountStatus.toUpperCase())) return 'suspended';
  if (!m.hasData) return 'unknown';
  // An account status we do not know is not assumed to be fine.
  if (m.accountStatus && m.accountStatus.toUpperCase() !== 'NORMAL') return 'at_risk';
  if (m.ahrBand === 'at_risk' || m.ahrBand === 'critical') return 'at_risk';
  if (m.figures.some((f) => f.breached === true || f.status?.toUpperCase() === 'BAD')) return 'at_risk';
  return 'fine';
}

export function worstStanding(standings: readonly Standing[]): Standing {
  if (standings.length === 0) return 'unknown';
  return standings.reduce((worst, s) =>
    STANDING_ORDER.indexOf(s) < STANDING_ORDER.indexOf(worst) ? s : worst,
  );
}

/**
 * Amazon's published targets, for a figure whose report carries none (Seller Central's Account Health help
 * pages; docs/report-formats.md "Refresh cadence and metric windows"). A report's own target always wins.
 */
export const PUBLISHED_TARGETS: Readonly<Record<string, { value: number; condition: string }>> = {
  order_defect_rate: { value: 0.01, condition: 'LESS_THAN' },
  pre_fulfillment_cancellation_rate: { value: 0.025, condition: 'LESS_THAN' },
  late_shipment_rate: { value: 0.04, condition: 'LESS_THAN' },
  valid_tracking_rate: { value: 0.95, condition: 'GREATER_THAN' },
  on_time_delivery_rate: { value: 0.9, condition: 'GREATER_THAN' },
  invoice_defect_rate: { value: 0.05, condition: 'LESS_THAN' },
};

/**
 * The share of a metric's allowance used: 0 at the ideal, 1 at the target. The allowance runs from the ideal to
 * the target in the metric's own direction: from 0 up to a `LESS_THAN` target (an ODR of 0.75 % uses 75 % of a
 * 1 % allowance), from 100 % down to a `GREATER_THAN` one (valid tracking of 96.25 % uses 75 % of the 5 points
 * between 100 % and 95 %). Null when it cannot be told.
 */
export function allowanceUsed(
  rate: number | null,
  targetValue: number | null,
  condition: string | null,
): number | null {
  if (rate === null || targetValue === null || condition === null) return null;
  const c = condition.toUpperCase();
  if (c === 'LESS_THAN' || c === 'LESS_THAN_OR_EQUAL') return targetValue > 0 ? rate / targetValue : null;
  if (c === 'GREATER_THAN' || c === 'GREATER_THAN_OR_EQUAL') {
    return targetValue < 1 ? (1 - rate) / (1 - targetValue) : null;
  }
  return null;
}

/** From this share of its allowance on, a figure is shown as close to its target (the alerts' default margin). */
export const NEAR_TARGET_SHARE = 0.75;

/** Whether lower is better for this condition (`LESS_THAN`), or higher (`GREATER_THAN`); null if unknown. */
export function lowerIsBetter(condition: string): boolean | null {
  const c = condition.toUpperCase();
  if (c === 'LESS_THAN' || c === 'LESS_THAN_OR_EQUAL') return true;
  if (c === 'GREATER_THAN' || c === 'GREATER_THAN_OR_EQUAL') return false;
  return null;
}

/** A stored figure's own target, or null when the report gave none. */
export function storedTarget(row: {
  target_value: number | null;
  target_condition: string | null;
}): { value: number; condition: string } | null {
  return row.target_value !== null && row.target_condition !== null
    ? { value: row.target_value, condition: row.target_condition }
    : null;
}
