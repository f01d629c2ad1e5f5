import { describe, expect, it } from 'vitest';
import { allowanceUsed, isBreached, marketplaceStanding, worstStanding } from './standing.ts';

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

describe('allowanceUsed', () => {
  it('runs from 0 up to a LESS_THAN target', () => {
    expect(allowanceUsed(0.0075, 0.01, 'LESS_THAN')).toBeCloseTo(0.75, 10);
    expect(allowanceUsed(0, 0.01, 'LESS_THAN')).toBe(0);
    expect(allowanceUsed(0.02, 0.01, 'LESS_THAN')).toBeCloseTo(2, 10);
  });

  it('runs from 100 % down to a GREATER_THAN target, never a share of the target itself', () => {
    expect(allowanceUsed(0.9625, 0.95, 'GREATER_THAN')).toBeCloseTo(0.75, 10);
    expect(allowanceUsed(0.925, 0.9, 'GREATER_THAN')).toBeCloseTo(0.75, 10);
    expect(allowanceUsed(1, 0.95, 'GREATER_THAN')).toBe(0);
  });

  it('does not guess', () => {
    expect(allowanceUsed(null, 0.01, 'LESS_THAN')).toBeNull();
    expect(allowanceUsed(0.5, 0, 'LESS_THAN')).toBeNull();
    expect(allowanceUsed(0.5, 1, 'GREATER_THAN')).toBeNull();
    expect(allowanceUsed(0.5, 0.1, 'EQUALS')).toBeNull();
  });
});
