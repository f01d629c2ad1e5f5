import { MARKETPLACES, type SpApiRegion } from './marketplaces.ts';

// Where a seller consents: the Seller Central of their marketplace (docs/oauth.md §6), and the authorization URI
// on it (§1).

/** Seller Central by marketplace id, as docs/oauth.md §6 lists them. */
export const SELLER_CENTRAL_URLS: Readonly<Record<string, string>> = Object.freeze({
  ATVPDKIKX0DER: 'https://sellercentral.amazon.com',
  A2EUQ1WTGCTBG2: 'https://sellercentral.amazon.ca',
  A1AM78C64UM0Y8: 'https://sellercentral.amazon.com.mx',
  A2Q3Y263D00KWC: 'https://sellercentral.amazon.com.br',
  A1F83G8C2ARO7P: 'https://sellercentral-europe.amazon.com',
  A1PA6795UKMFR9: 'https://sellercentral-europe.amazon.com',
  A13V1IB3VIYZZH: 'https://sellercentral-europe.amazon.com',
  APJ6JRA9NG5V4: 'https://sellercentral-europe.amazon.com',
  A1RKKUPIHCS9HS: 'https://sellercentral-europe.amazon.com',
  A1805IZSGTT6HS: 'https://sellercentral.amazon.nl',
  A2NODRKZP88ZB9: 'https://sellercentral.amazon.se',
  A1C3SOZRARQ6R3: 'https://sellercentral.amazon.pl',
  A33AVAJ2PDY3EV: 'https://sellercentral.amazon.com.tr',
  A2VIGQ35RCS4UG: 'https://sellercentral.amazon.ae',
  A21TJRUUN4KGV: 'https://sellercentral.amazon.in',
  AMEN7PMS3EDWL: 'https://sellercentral.amazon.com.be',
  A17E79C6D8DWNP: 'https://sellercentral.amazon.sa',
  ARBP9OOSHTCHU: 'https://sellercentral.amazon.eg',
  A28R8C7NBKEWEA: 'https://sellercentral.amazon.ie',
  A1VC38T7YXB528: 'https://sellercentral.amazon.co.jp',
  A39IBJ37TRP1C6: 'https://sellercentral.amazon.com.au',
  A19VAU5U5O7RUS: 'https://sellercentral.amazon.sg',
});

/**
 * The Seller Central to send a seller of the region to when their marketplace is not known. The Far East has
 * none: Japan, Australia and Singapore each have their own.
 */
const REGION_DEFAULTS: Readonly<Record<SpApiRegion, string | undefined>> = Object.freeze({
  na: 'https://sellercentral.amazon.com',
  eu: 'https://sellercentral-europe.amazon.com',
  fe: undefined,
});

export type SellerCentralChoice =
  | { ok: true; url: string }
  | { ok: false; reason: 'marketplace_needed' | 'unknown_marketplace' | 'other_region'; choices: string[] };

/** The marketplaces of a region that have a Seller Central, for messages that ask to name one. */
export function marketplacesOf(region: SpApiRegion): string[] {
  return Object.keys(SELLER_CENTRAL_URLS).filter((id) => MARKETPLACES[id]?.region === region);
}

/** The Seller Central of the marketplace, or the region's when none is named and the region has one. */
export function sellerCentralFor(region: SpApiRegion, marketplaceId?: string): SellerCentralChoice {
  const choices = marketplacesOf(region);
  if (marketplaceId === undefined) {
    const url = REGION_DEFAULTS[region];
    return url ? { ok: true, url } : { ok: false, reason: 'marketplace_needed', choices };
  }
  const url = SELLER_CENTRAL_URLS[marketplaceId];
  if (!url) return { ok: false, reason: 'unknown_marketplace', choices };
  if (MARKETPLACES[marketplaceId]?.region !== region) return { ok: false, reason: 'other_region', choices };
  return { ok: true, url };
}

export interface AuthorizationUriInput {
  /** The Seller Central URL (docs/oauth.md §6), or the simulator's address through the transport seam. */
  base: string;
  applicationId: string;
  state: string;
  redirectUri: string;
  /** The app is still a draft: `version=beta` (docs/oauth.md §1). */
  draft: boolean;
  /** Only for the simulator, which a browser reaches by its own address and so cannot tell the region. */
  simulatorRegion?: SpApiRegion;
}

/** `<base>/apps/authorize/consent?application_id=…&state=…&redirect_uri=…[&version=beta]`. */
export function authorizationUri(input: AuthorizationUriInput): string {
  const url = new URL('/apps/authorize/consent', input.base);
  url.searchParams.set('application_id', input.applicationId);
  url.searchParams.set('state', input.state);
  url.searchParams.set('redirect_uri', input.redirectUri);
  if (input.draft) url.searchParams.set('version', 'beta');
  if (input.simulatorRegion) url.searchParams.set('region', input.simulatorRegion);
  return url.toString();
}
