import type { Alert } from '$lib/api';

/** The figures an alert carries, read from its free-form details: anything missing or malformed is null. */
export interface AlertFigures {
  metric: string | null;
  value: number | null;
  target: { value: number; condition: string; published: boolean } | null;
  allowanceUsed: number | null;
  headroom: number | null;
  projectedBreachAt: string | null;
  count: number | null;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);

export function alertFigures(details: Alert['details']): AlertFigures {
  const t = details.target;
  const target =
    typeof t === 'object' && t !== null && num((t as { value?: unknown }).value) !== null
      ? {
          value: (t as { value: number }).value,
          condition: str((t as { condition?: unknown }).condition) ?? '',
          published: (t as { published?: unknown }).published === true,
        }
      : null;
  return {
    metric: str(details.metric),
    value: num(details.value),
    target,
    allowanceUsed: num(details.allowanceUsed),
    headroom: num(details.headroom),
    projectedBreachAt: str(details.projectedBreachAt),
    count: num(details.count),
  };
}

/** How long a mute lasts; null: until someone unmutes it. */
export const MUTE_FOR = {
  day: { label: 'for 24 hours', ms: 86_400_000 },
  week: { label: 'for 7 days', ms: 7 * 86_400_000 },
  ever: { label: 'until unmuted', ms: null },
} as const;
