import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, monitoringConditions, renewalDue, type AccountFacts } from './rules.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const authorizedAt = new Date('2026-01-10T12:00:00Z');
const renewBy = new Date('2027-01-10T12:00:00Z');

/** A connected account polled an hour ago, seen `daysLeft` days before its renewal falls due. */
function account(daysLeft: number, facts: Partial<AccountFacts> = {}): AccountFacts {
  const now = new Date(renewBy.getTime() - daysLeft * DAY);
  return {
    now,
    connectionState: 'connected',
    lastGoodPollAt: new Date(now.getTime() - HOUR),
    createdAt: authorizedAt,
    authorizedAt,
    pollIntervalMs: 4 * HOUR,
    ...facts,
  };
}

const renewal = (a: AccountFacts, settings = DEFAULT_ALERT_SETTINGS) =>
  monitoringConditions(a, settings).filter((c) => c.rule === 'authorization_renewal');

describe('renewalDue', () => {
  it('is 365 days after the authorization', () => {
    expect(renewalDue(authorizedAt, null)).toEqual(renewBy);
    expect(renewalDue(authorizedAt, new Date('2026-12-31T00:00:00Z'))).toEqual(renewBy);
  });

  it('moves a year on once a poll succeeds after it: the seller renewed by then', () => {
    expect(renewalDue(authorizedAt, new Date(renewBy.getTime() + HOUR))).toEqual(
      new Date(renewBy.getTime() + 365 * DAY),
    );
    expect(renewalDue(authorizedAt, new Date(renewBy.getTime() + 400 * DAY))).toEqual(
      new Date(renewBy.getTime() + 730 * DAY),
    );
  });
});

describe('monitoringConditions: authorization_renewal', () => {
  it('says nothing more than 30 days ahead', () => {
    expect(renewal(account(31))).toEqual([]);
    expect(renewal(account(200))).toEqual([]);
  });

  it('gives notice from 30 days ahead, with the date, then warns in the last 7 days', () => {
    expect(renewal(account(30))).toEqual([
      {
        rule: 'authorization_renewal',
        marketplaceId: '',
        subject: '2027-01-10',
        severity: 'info',
        title:
          'Renew the Amazon authorization by 2027-01-10: sellers must authorize the app again every year',
        details: { authorizedAt: '2026-01-10T12:00:00.000Z', renewBy: '2027-01-10T12:00:00.000Z' },
      },
    ]);
    expect(renewal(account(7.5))).toMatchObject([{ severity: 'info', subject: '2027-01-10' }]);
    expect(renewal(account(7))).toMatchObject([{ severity: 'warning', subject: '2027-01-10' }]);
    expect(renewal(account(0.5))).toMatchObject([{ severity: 'warning' }]);
  });

  it('goes on warning past the date while no poll has succeeded since', () => {
    const a = account(-2, { lastGoodPollAt: new Date(renewBy.getTime() - DAY) });
    expect(renewal(a)).toMatchObject([{ severity: 'warning', subject: '2027-01-10' }]);
  });

  it('is gone once the authorization moves, or a poll succeeds after the date', () => {
    const reauthorized = new Date(renewBy.getTime() - 10 * DAY);
    expect(renewal(account(5, { authorizedAt: reauthorized }))).toEqual([]);
    expect(renewal(account(-1, { lastGoodPollAt: new Date(renewBy.getTime() + HOUR) }))).toEqual([]);
  });

  it('follows renewalWarningDays', () => {
    expect(renewal(account(45), { ...DEFAULT_ALERT_SETTINGS, renewalWarningDays: 60 })).toMatchObject([
      { severity: 'info' },
    ]);
    expect(renewal(account(20), { ...DEFAULT_ALERT_SETTINGS, renewalWarningDays: 10 })).toEqual([]);
  });

  it('leaves a refused authorization to `reauthorization`, and a disconnected account alone', () => {
    const refused = monitoringConditions(account(3, { connectionState: 'needs_reauthorization' }));
    expect(refused.map((c) => c.rule)).toEqual(['reauthorization']);
    expect(monitoringConditions(account(3, { connectionState: 'disconnected' }))).toEqual([]);
    expect(renewal(account(3, { connectionState: 'degraded' }))).toMatchObject([{ severity: 'warning' }]);
  });
});
