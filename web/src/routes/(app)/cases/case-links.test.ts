import { describe, expect, it } from 'vitest';
import {
  apiQuery,
  byUrgency,
  casesByAlert,
  casesHref,
  deadlineWords,
  newCaseHref,
  openCaseOf,
  parseCasesQuery,
  pickCase,
} from './case-links';

const ACCOUNT = '42ef8eaf-5577-466a-898e-b55060fd6781';
const ALERT = '0b6f1d2e-8c1a-4e7b-9d3f-2a5c6e7f8a9b';
const NOW = Date.parse('2026-12-04T12:00:00Z');
const HOUR = 3_600_000;

const kase = (
  id: string,
  over: Partial<{ alertId: string | null; closedAt: string | null; openedAt: string }>,
) => ({
  id,
  alertId: ALERT,
  closedAt: null,
  openedAt: '2026-12-01T00:00:00Z',
  ...over,
});

describe('the cases list address', () => {
  it('reads the state and the account it knows and drops the rest', () => {
    expect(parseCasesQuery(new URLSearchParams(`state=closed&account=${ACCOUNT}`))).toEqual({
      state: 'closed',
      account: ACCOUNT,
    });
    expect(parseCasesQuery(new URLSearchParams('state=everything&account=nope'))).toEqual({
      state: 'open',
      account: null,
    });
  });

  it('asks the API for the open cases by default, and names the account when one is chosen', () => {
    expect(apiQuery(parseCasesQuery(new URLSearchParams('')))).toBe('state=open');
    expect(apiQuery({ state: 'all', account: ACCOUNT })).toBe(`state=all&account=${ACCOUNT}`);
  });

  it('leaves the defaults out of its links', () => {
    const query = parseCasesQuery(new URLSearchParams(`account=${ACCOUNT}`));
    expect(casesHref(query)).toBe(`/cases?account=${ACCOUNT}`);
    expect(casesHref(query, { state: 'closed' })).toBe(`/cases?state=closed&account=${ACCOUNT}`);
    expect(casesHref(query, { account: null })).toBe('/cases');
  });
});

describe("an alert's case", () => {
  it('is the open one, else the newest', () => {
    const closedOld = kase('a', { closedAt: '2026-11-01T00:00:00Z', openedAt: '2026-10-01T00:00:00Z' });
    const closedNew = kase('b', { closedAt: '2026-11-20T00:00:00Z', openedAt: '2026-11-10T00:00:00Z' });
    const open = kase('c', { openedAt: '2026-11-01T00:00:00Z' });
    expect(pickCase([closedOld, open, closedNew])?.id).toBe('c');
    expect(pickCase([closedOld, closedNew])?.id).toBe('b');
    expect(pickCase([])).toBeNull();
  });

  it('is found for every alert from one list of cases, the cases without an alert left out', () => {
    const other = '9d1e3c5a-1111-4222-8333-944455556666';
    const map = casesByAlert([
      kase('a', { closedAt: '2026-11-01T00:00:00Z' }),
      kase('b', {}),
      kase('c', { alertId: other, closedAt: '2026-11-01T00:00:00Z' }),
      kase('d', { alertId: null }),
    ]);
    expect(map).toEqual({ [ALERT]: 'b', [other]: 'c' });
  });
});

describe('the open case of a marketplace', () => {
  it('is an open case of that marketplace only', () => {
    const cases = [
      { id: 'x', marketplaceId: 'ATVPDKIKX0DER', closedAt: '2026-11-01T00:00:00Z' },
      { id: 'y', marketplaceId: 'A2EUQ1WTGCTBG2', closedAt: null },
      { id: 'z', marketplaceId: '', closedAt: null },
    ];
    expect(openCaseOf(cases, 'ATVPDKIKX0DER')).toBeNull();
    expect(openCaseOf(cases, 'A2EUQ1WTGCTBG2')?.id).toBe('y');
    expect(openCaseOf(cases, '')?.id).toBe('z');
  });
});

describe('urgency', () => {
  it('puts the nearest deadline first, past ones before, and the cases without one last, oldest first', () => {
    const at = (h: number) => new Date(NOW + h * HOUR).toISOString();
    const cases = [
      { id: 'none-new', deadlineAt: null, openedAt: at(-1) },
      { id: 'later', deadlineAt: at(48), openedAt: at(-5) },
      { id: 'none-old', deadlineAt: null, openedAt: at(-10) },
      { id: 'overdue', deadlineAt: at(-2), openedAt: at(-3) },
      { id: 'soon', deadlineAt: at(3), openedAt: at(-4) },
    ];
    expect(cases.sort(byUrgency).map((c) => c.id)).toEqual([
      'overdue',
      'soon',
      'later',
      'none-old',
      'none-new',
    ]);
  });

  it('says overdue and under 24 hours in words, beside the colour', () => {
    expect(deadlineWords(new Date(NOW - 3 * HOUR).toISOString(), NOW)).toEqual({
      text: 'Overdue by 3 h',
      tone: 'critical',
      flag: 'overdue',
    });
    expect(deadlineWords(new Date(NOW + 5 * HOUR).toISOString(), NOW)).toEqual({
      text: 'Under 24 h: 5 h left',
      tone: 'critical',
      flag: 'soon',
    });
    expect(deadlineWords(new Date(NOW + 50 * HOUR).toISOString(), NOW)).toMatchObject({
      tone: 'warning',
      flag: null,
    });
    expect(deadlineWords(new Date(NOW + 10 * 24 * HOUR).toISOString(), NOW)).toEqual({
      text: '10 days left',
      tone: 'neutral',
      flag: null,
    });
  });
});

describe('the page that starts a case', () => {
  it('is asked for an alert, or an account and its marketplace', () => {
    expect(newCaseHref({ alert: ALERT })).toBe(`/cases/new?alert=${ALERT}`);
    expect(newCaseHref({ account: ACCOUNT, marketplace: 'ATVPDKIKX0DER' })).toBe(
      `/cases/new?account=${ACCOUNT}&marketplace=ATVPDKIKX0DER`,
    );
    expect(newCaseHref({ account: ACCOUNT, marketplace: null })).toBe(`/cases/new?account=${ACCOUNT}`);
  });
});
