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
