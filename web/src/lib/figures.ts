import type { Board, BoardFigure } from '$lib/api';

// How the morning check writes its figures: rates stored as fractions, shown as percentages beside their target,
// and a word or sign beside every colour.

export type FigureKey = BoardFigure['key'];
export type SortKey = Board['query']['sort'];

/** The overview's key figures, in the API's order, with a short column name and the full one. */
export const FIGURES: ReadonlyArray<{ key: FigureKey; short: string; long: string }> = [
  { key: 'odr_afn', short: 'ODR FBA', long: 'Order defect rate, fulfilled by Amazon' },
  { key: 'odr_mfn', short: 'ODR seller', long: 'Order defect rate, fulfilled by the seller' },
  { key: 'lsr_10', short: 'Late 10 d', long: 'Late shipment rate, 10 days' },
  { key: 'lsr_30', short: 'Late 30 d', long: 'Late shipment rate, 30 days' },
  { key: 'cancel', short: 'Cancel', long: 'Pre-fulfilment cancellation rate' },
  { key: 'vtr', short: 'Tracking', long: 'Valid tracking rate' },
  { key: 'otdr', short: 'On time', long: 'On-time delivery rate' },
];

/** 0.0082 → "0.82 %", 0.987 → "98.7 %": two decimals under 10 %, where a tenth of a point matters. */
export function percent(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return '–';
  const value = fraction * 100;
  const digits = Math.abs(value) < 10 ? 2 : 1;
  return `${value.toFixed(digits).replace(/\.?0+$/, '')} %`;
}

const CONDITIONS: Record<string, { sign: string; words: string }> = {
  LESS_THAN: { sign: '<', words: 'under' },
  LESS_THAN_OR_EQUAL: { sign: '≤', words: 'at most' },
  GREATER_THAN: { sign: '>', words: 'over' },
  GREATER_THAN_OR_EQUAL: { sign: '≥', words: 'at least' },
};

/** "< 1 %" */
export function targetText(target: { value: number; condition: string } | null): string {
  if (!target) return 'no target';
  const c = CONDITIONS[target.condition.toUpperCase()];
  return `${c?.sign ?? target.condition} ${percent(target.value)}`;
}

/** "target: under 1 %", for assistive technology. */
export function targetWords(target: { value: number; condition: string } | null): string {
  if (!target) return 'no target known';
  const c = CONDITIONS[target.condition.toUpperCase()];
  return `target ${c?.words ?? target.condition} ${percent(target.value)}`;
}

export const TONES: Record<BoardFigure['tone'], { sign: string; words: string }> = {
  good: { sign: '✓', words: 'within target' },
  near: { sign: '▲', words: 'close to target' },
  breached: { sign: '✕', words: 'past target' },
  unknown: { sign: '·', words: 'no verdict' },
};

/** `WARNED`, `AT_RISK` → "Warned", "At risk". */
export function humanize(code: string | null): string {
  if (!code) return '–';
  const words = code.replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const POLICY_NAMES: Record<string, string> = {
  listing_policy_violations: 'listing policy',
  product_authenticity_customer_complaints: 'authenticity complaints',
  product_condition_customer_complaints: 'condition complaints',
  product_safety_customer_complaints: 'safety complaints',
  received_intellectual_property_complaints: 'IP complaints',
  restricted_product_policy_violations: 'restricted products',
  suspected_intellectual_property_violations: 'suspected IP violations',
  food_and_product_safety_issues: 'food and product safety',
  customer_product_reviews_policy_violations: 'review policy',
  other_policy_violations: 'other policy',
  document_requests: 'document requests',
};

export function policyName(category: string): string {
  return POLICY_NAMES[category] ?? humanize(category).toLowerCase();
}
