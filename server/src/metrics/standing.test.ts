import { describe, expect, it } from 'vitest';
import { isBreached, marketplaceStanding, worstStanding } from './standing.ts';

describe('isBreached', () => {
  it('reads LESS_THAN as "must stay under": the target itself is a breach', () => {
    expect(isBreached(0.0099, 0.01, 'LESS_THAN')).toBe(false);
    expect(isBreached(0.01, 0.01, 'LESS_THAN')).toBe(true);
    expect(isBreached(0.02, 0.01, 'LESS_THAN')).toBe(true);
  });

  it('reads GREATER_THAN as "must stay over"', () => {
    expect(isBreached(0.96, 0.95, 'GREATER_THAN')).toBe(false);
    expect(isBreached(0.95, 0.95, 'GREATER_THAN')).toBe(true);
  });

  it('does not guess when something is missing or unknown', () => {
    expect(isBreached(null, 0.01, 'LESS_THAN')).toBeNull();
    expect(isBreached(0.5, null, 'LESS_THAN')).toBeNull();
    expect(isBreached(0.5, 0.01, 'ABOUT')).toBeNull();
  });
});

describe('marketplaceStanding', () => {
  const fine = { accountStatus: 'NORMAL', ahrBand: 'healthy', hasData: true, figures: [] };

  it('puts a deactivated account first, even without figures', () => {
    expect(marketplaceStanding({ ...fine, accountStatus: 'DEACTIVATED', hasData: false })).toBe('suspended');
  });

  it('is at risk on Amazon status, rating band, a breached target or a BAD verdict', () => {
    expect(marketplaceStanding({ ...fine, accountStatus: 'AT_RISK' })).toBe('at_risk');
    expect(marketplaceStanding({ ...fine, ahrBand: 'critical' })).toBe('at_risk');
    expect(marketplaceStanding({ ...fine, figures: [{ status: 'GOOD', breached: true }] })).toBe('at_risk');
    expect(marketplaceStanding({ ...fine, figures: [{ status: 'BAD', breached: null }] })).toBe('at_risk');
    expect(marketplaceStanding({ ...fine, accountStatus: 'SOMETHING_NEW' })).toBe('at_risk');
  });

  it('is fine only with data and nothing wrong, unknown without data', () => {
    expect(marketplaceStanding({ ...fine, figures: [{ status: 'GOOD', breached: false }] })).toBe('fine');
    expect(marketplaceStanding({ ...fine, accountStatus: null, hasData: false })).toBe('unknown');
  });

  it('takes the worst of several marketplaces', () => {
    expect(worstStanding(['fine', 'at_risk', 'unknown'])).toBe('at_risk');
    expect(worstStanding(['fine', 'suspended'])).toBe('suspended');
    expect(worstStanding([])).toBe('unknown');
  });
});
