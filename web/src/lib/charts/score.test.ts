import { describe, expect, it } from 'vitest';
import {
  bandRange,
  scoreBand,
  scorePointsOf,
  scoreSummary,
  scoreTrendWords,
  type ApiScores,
} from './score.ts';

describe('scoreBand', () => {
  it("places a score in Amazon's bands: critical below 100, at risk from 100, healthy from 200", () => {
    expect([0, 99, 99.5, 100, 199, 200, 1000].map(scoreBand)).toEqual([
      'critical',
      'critical',
      'critical',
      'at_risk',
      'at_risk',
      'healthy',
      'healthy',
    ]);
  });

  it('places no score, and no negative one', () => {
    expect(scoreBand(null)).toBeNull();
    expect(scoreBand(-1)).toBeNull();
    expect(scoreBand(Number.NaN)).toBeNull();
  });

  it('writes each band as the points it spans', () => {
    expect(bandRange('critical')).toBe('0–99');
    expect(bandRange('at_risk')).toBe('100–199');
    expect(bandRange('healthy')).toBe('200–1,000');
  });
});

const scores: ApiScores = {
  marketplaceId: 'ATVPDKIKX0DER',
  points: {
    day: ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'],
    capturedAt: [
      '2026-11-02T23:59:59Z',
      '2026-11-03T13:00:00Z',
      '2026-11-04T23:59:59Z',
      '2026-11-05T23:59:59Z',
    ],
    score: [230, 90, 150, 90],
    band: ['healthy', null, 'at_risk', 'critical'],
    source: ['data_kiosk', 'report', 'data_kiosk', 'report'],
  },
};

describe('scorePointsOf', () => {
  it("turns the API's columns into points, a point without a band taking its score's", () => {
    const points = scorePointsOf(scores);
    expect(points.map((p) => [p.day, p.score, p.band, p.source])).toEqual([
      ['2026-11-02', 230, 'healthy', 'data_kiosk'],
      ['2026-11-03', 90, 'critical', 'report'],
      ['2026-11-04', 150, 'at_risk', 'data_kiosk'],
      ['2026-11-05', 90, 'critical', 'report'],
    ]);
    expect(scorePointsOf(undefined)).toEqual([]);
  });
});

describe('scoreSummary', () => {
  it('has the latest score, the lowest on its most recent day, the highest and the days in each band', () => {
    const summary = scoreSummary(scorePointsOf(scores))!;
    expect(summary.latest.day).toBe('2026-11-05');
    expect(summary.lowest).toMatchObject({ day: '2026-11-05', score: 90 });
    expect(summary.highest).toMatchObject({ day: '2026-11-02', score: 230 });
    expect(summary.days).toEqual({ healthy: 1, at_risk: 1, critical: 2 });
    expect(summary.kioskDays).toBe(2);
  });

  it('is null without a score', () => {
    expect(scoreSummary([])).toBeNull();
  });
});

describe('scoreTrendWords', () => {
  it('says where the score went over the days, and its low when it dipped below both ends', () => {
    expect(scoreTrendWords([880, null, 640, 812])).toBe('falling from 880 to 812 over 4 days, lowest 640');
    expect(scoreTrendWords([null, 150, 210])).toBe('rising from 150 to 210 over 3 days');
    expect(scoreTrendWords([500, 500])).toBe('steady at 500 over 2 days');
    expect(scoreTrendWords([336, 329, 334])).toBe('steady at 334 over 3 days, lowest 329');
    expect(scoreTrendWords([336, 326])).toBe('falling from 336 to 326 over 2 days');
    expect(scoreTrendWords([null, 500, null])).toBe('no score trend yet');
  });
});
