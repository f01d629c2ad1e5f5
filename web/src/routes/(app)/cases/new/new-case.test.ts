import { describe, expect, it } from 'vitest';
import { parseNewCase, suggestedMarketplace } from './new-case';

const ID = '42ef8eaf-5577-466a-898e-b55060fd6781';

describe('the address of /cases/new', () => {
  it('starts from an alert before an account', () => {
    expect(parseNewCase(new URLSearchParams(`alert=${ID}&account=${ID}`))).toEqual({
      kind: 'alert',
      alertId: ID,
    });
  });

  it('reads an account and its marketplace, when named', () => {
    expect(parseNewCase(new URLSearchParams(`account=${ID}&marketplace=ATVPDKIKX0DER`))).toEqual({
      kind: 'account',
      accountId: ID,
      marketplaceId: 'ATVPDKIKX0DER',
    });
    expect(parseNewCase(new URLSearchParams(`account=${ID}&marketplace=`))).toMatchObject({
      marketplaceId: null,
    });
  });

  it('refuses an id that cannot be one, and asks for an account when given nothing', () => {
    expect(parseNewCase(new URLSearchParams('alert=42'))).toEqual({
      kind: 'invalid',
      problem: 'There is no alert 42.',
    });
    expect(parseNewCase(new URLSearchParams('account=x')).kind).toBe('invalid');
    expect(parseNewCase(new URLSearchParams('')).kind).toBe('choose');
  });
});

describe('the marketplace offered first', () => {
  it('is the suspended one, else the one at risk, else the first', () => {
    const m = (marketplaceId: string, accountStatus: string | null) => ({ marketplaceId, accountStatus });
    expect(suggestedMarketplace([m('A', 'NORMAL'), m('B', 'AT_RISK'), m('C', 'DEACTIVATED')])).toBe('C');
    expect(suggestedMarketplace([m('A', 'NORMAL'), m('B', 'AT_RISK')])).toBe('B');
    expect(suggestedMarketplace([m('A', null), m('B', 'NORMAL')])).toBe('A');
    expect(suggestedMarketplace([])).toBeNull();
  });
});
