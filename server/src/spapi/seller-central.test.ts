import { describe, expect, it } from 'vitest';
import { MARKETPLACES } from './marketplaces.ts';
import { authorizationUri, marketplacesOf, sellerCentralFor, SELLER_CENTRAL_URLS } from './seller-central.ts';

describe('Seller Central by marketplace', () => {
  it('has a Seller Central for every marketplace the client knows, and for no other', () => {
    expect(Object.keys(SELLER_CENTRAL_URLS).sort()).toEqual(Object.keys(MARKETPLACES).sort());
    for (const url of Object.values(SELLER_CENTRAL_URLS)) expect(url).toMatch(/^https:\/\/sellercentral/);
  });

  it('sends a seller to their marketplace’s Seller Central', () => {
    expect(sellerCentralFor('na', 'A1AM78C64UM0Y8')).toEqual({
      ok: true,
      url: 'https://sellercentral.amazon.com.mx',
    });
    expect(sellerCentralFor('eu', 'A1PA6795UKMFR9')).toEqual({
      ok: true,
      url: 'https://sellercentral-europe.amazon.com',
    });
    expect(sellerCentralFor('fe', 'A1VC38T7YXB528')).toEqual({
      ok: true,
      url: 'https://sellercentral.amazon.co.jp',
    });
  });

  it("uses the region's Seller Central when no marketplace is named, except in the Far East", () => {
    expect(sellerCentralFor('na')).toEqual({ ok: true, url: 'https://sellercentral.amazon.com' });
    expect(sellerCentralFor('eu')).toEqual({ ok: true, url: 'https://sellercentral-europe.amazon.com' });
    expect(sellerCentralFor('fe')).toEqual({
      ok: false,
      reason: 'marketplace_needed',
      choices: marketplacesOf('fe'),
    });
    expect(marketplacesOf('fe').sort()).toEqual(['A19VAU5U5O7RUS', 'A1VC38T7YXB528', 'A39IBJ37TRP1C6']);
  });

  it('refuses a marketplace of another region, or one it does not know', () => {
    expect(sellerCentralFor('na', 'A1PA6795UKMFR9')).toMatchObject({ ok: false, reason: 'other_region' });
    expect(sellerCentralFor('na', 'AXXXXXXXXXXXX')).toMatchObject({
      ok: false,
      reason: 'unknown_marketplace',
    });
  });
});

describe('authorizationUri', () => {
  it("builds Amazon's consent URL, with version=beta for a draft app", () => {
    const url = new URL(
      authorizationUri({
        base: 'https://sellercentral.amazon.com',
        applicationId: 'amzn1.sp.solution.abc',
        state: 's+t/a=te',
        redirectUri: 'https://gs.example.com/api/oauth/callback',
        draft: true,
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://sellercentral.amazon.com/apps/authorize/consent');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      application_id: 'amzn1.sp.solution.abc',
      state: 's+t/a=te',
      redirect_uri: 'https://gs.example.com/api/oauth/callback',
      version: 'beta',
    });
  });

  it('leaves version=beta out for a published app, and names the region only to the simulator', () => {
    const published = new URL(
      authorizationUri({
        base: 'https://sellercentral.amazon.co.jp',
        applicationId: 'amzn1.sp.solution.abc',
        state: 'x',
        redirectUri: 'https://gs.example.com/api/oauth/callback',
        draft: false,
      }),
    );
    expect(published.searchParams.has('version')).toBe(false);
    expect(published.searchParams.has('region')).toBe(false);
    const simulated = new URL(
      authorizationUri({
        base: 'http://127.0.0.1:4010',
        applicationId: 'amzn1.sp.solution.abc',
        state: 'x',
        redirectUri: 'http://localhost:3000/api/oauth/callback',
        draft: true,
        simulatorRegion: 'fe',
      }),
    );
    expect(simulated.origin).toBe('http://127.0.0.1:4010');
    expect(simulated.searchParams.get('region')).toBe('fe');
  });
});
