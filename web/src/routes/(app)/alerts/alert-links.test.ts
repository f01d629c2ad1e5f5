import { describe, expect, it } from 'vitest';
import { alertsHref, apiQuery, parseAlertsQuery, PAGE_SIZE } from './alert-links';

const ACCOUNT = '42ef8eaf-5577-466a-898e-b55060fd6781';

describe('the inbox address', () => {
  it('reads the filters it knows and drops the rest', () => {
    expect(
      parseAlertsQuery(
        new URLSearchParams(`state=resolved&severity=loud&account=${ACCOUNT}&rule=policy&page=x`),
      ),
    ).toEqual({ state: 'resolved', severity: null, account: ACCOUNT, rule: 'policy', page: 1 });
    expect(parseAlertsQuery(new URLSearchParams('account=nope&page=3')).account).toBeNull();
  });

  it('asks the API for unresolved alerts by default', () => {
    const query = parseAlertsQuery(new URLSearchParams(''));
    expect(apiQuery(query)).toBe(`state=open%2Cacknowledged&page=1&pageSize=${PAGE_SIZE}`);
  });

  it('leaves defaults out and goes back to the first page when a filter changes', () => {
    const query = parseAlertsQuery(new URLSearchParams('severity=critical&page=4'));
    expect(alertsHref(query, {})).toBe('/alerts?severity=critical');
    expect(alertsHref(query, { page: 5 })).toBe('/alerts?severity=critical&page=5');
    expect(alertsHref(query, { severity: null })).toBe('/alerts');
  });
});
