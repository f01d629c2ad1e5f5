// Account Health Rating label/score -> our band (docs/report-formats.md §(b)4). Amazon's label set is open: S
// documents `GREAT` and `WARNED`, the Seller Central UI has said Good / At Risk / Critical and now Healthy, others
// guess more.
import type { AhrBand } from './types.ts';

/** Every label we know, in the normalized spelling `normalizeLabel` makes (upper case, words joined by `_`). */
const AHR_LABEL_BANDS: Readonly<Record<string, AhrBand>> = {
  GREAT: 'healthy',
  GOOD: 'healthy',
  HEALTHY: 'healthy',
  WARNED: 'at_risk',
  AT_RISK: 'at_risk',
  FAIR: 'at_risk',
  AT_RISK_OF_DEACTIVATION: 'unhealthy',
  CRITICAL: 'unhealthy',
  POOR: 'unhealthy',
  UNHEALTHY: 'unhealthy',
  BAD: 'unhealthy',
};

/** The UI's wording (`At Risk`, `at-risk`) reaches the same table entry as the API's (`AT_RISK`). */
function normalizeLabel(label: string): string {
  return label
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

/** Score bands from Amazon's help pages: 0-99 unhealthy, 100-199 at risk, 200 and up healthy (new accounts
 * start at 200). A negative score is no score we can place, so it tells nothing. */
function bandOfScore(score: number): AhrBand | null {
  if (score < 0) return null;
  if (score < 100) return 'unhealthy';
  if (score < 200) return 'at_risk';
  return 'healthy';
}

/** A known label wins over the score even when they disagree: the label is Amazon's own verdict, while the score
 * thresholds are our reading of help pages and may lag behind how Amazon bands it now. */
export function ahrBandOf(label: string | null, score: number | null): AhrBand | null {
  const fromLabel = label === null ? undefined : AHR_LABEL_BANDS[normalizeLabel(label)];
  if (fromLabel !== undefined) return fromLabel;
  return score === null ? null : bandOfScore(score);
}
