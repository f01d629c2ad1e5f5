import type { Board, BoardFigure } from '$lib/api';
import { percent, targetPhrase } from './format';

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

const SIGNS: Record<string, string> = {
  LESS_THAN: '<',
  LESS_THAN_OR_EQUAL: '≤',
  GREATER_THAN: '>',
  GREATER_THAN_OR_EQUAL: '≥',
};

/** "< 1 %" */
export function targetText(target: { value: number; condition: string } | null): string {
  if (!target) return 'no target';
  return `${SIGNS[target.condition.toUpperCase()] ?? target.condition} ${percent(target.value)}`;
}

/** "target: under 1 %", for assistive technology. */
export function targetWords(target: { value: number; condition: string } | null): string {
  return target ? `target ${targetPhrase(target)}` : 'no target known';
}

export const TONES: Record<BoardFigure['tone'], { sign: string; words: string }> = {
  good: { sign: '✓', words: 'within target' },
  near: { sign: '▲', words: 'close to target' },
  breached: { sign: '✕', words: 'past target' },
  unknown: { sign: '·', words: 'no verdict' },
};
