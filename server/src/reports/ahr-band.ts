// Account Health Rating score/label -> its band, named as Seller Central names them: Healthy, At risk, Critical
// (docs/report-formats.md §(b)4). The score is Amazon's finer verdict; the label set is open (`GREAT`, `WARNED`,
// Good / At Risk / Critical in the UI...) and `WARNED` only says "not GREAT", so the label decides only when there
// is no score.
import type { AhrBand } from './types.ts';

/** Every label we know, in the normalized spelling `normalizeLabel` makes (upper case, words joined by `_`). */
const AHR_LABEL_BANDS: Readonly<Record<string, AhrBand>> = {
  GREAT: 'healthy',
  GOOD: 'healthy',
  HEALTHY: 'healthy',
  WARNED: 'at_risk',
  AT_RISK: 'at_risk',
  FAIR: 'at_risk',
  AT_RISK_OF_DEACTIVATION: 'critical',
  CRITICAL: 'critical',
  POOR: 'critical',
  UNHEALTHY: 'critical',
  BAD: 'critical',
};

/** The UI's wording (`At Risk`, `at-risk`) reaches the same table entry as the API's (`AT_RISK`). */
function normalizeLabel(label: string): string {
  return label
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

/** Score bands from Amazon's help pages: 0-99 critical, 100-199 at risk, 200 and up healthy (new accounts start
 * at 200). A negative score is no score we can place, so it tells nothing. */
function bandOfScore(score: number): AhrBand | null {
  if (score < 0) return null;
  if (score < 100) return 'critical';
  if (score < 200) return 'at_risk';
  return 'healthy';
}

/** The score's band when there is a score we can place; otherwise the band of a label we know. A `WARNED`
 * account scored 40 is critical, not at risk. */
export function ahrBandOf(label: string | null, score: number | null): AhrBand | null {
  const fromScore = score === null ? null : bandOfScore(score);
  if (fromScore !== null) return fromScore;
  return (label === null ? undefined : AHR_LABEL_BANDS[normalizeLabel(label)]) ?? null;
}
