// The marketplaces the simulator knows (the client's table: server/src/spapi/marketplaces.ts), keyed as the
// Sellers API returns them.

import {
  MARKETPLACES as AMAZON_MARKETPLACES,
  SPAPI_REGIONS,
  isSpApiRegion,
  type MarketplaceInfo as AmazonMarketplaceInfo,
  type SpApiRegion,
} from '../spapi/marketplaces.ts';

/** A marketplace as the Sellers API lists it: the client's entry with its id inside. */
export interface MarketplaceInfo extends AmazonMarketplaceInfo {
  id: string;
}

const MARKETPLACES: ReadonlyMap<string, MarketplaceInfo> = new Map(
  Object.entries(AMAZON_MARKETPLACES).map(([id, m]) => [id, { id, ...m }]),
);

/** Well-known ids, so code and tests read `MARKETPLACE_IDS.US` rather than an opaque string. */
export const MARKETPLACE_IDS = {
  US: 'ATVPDKIKX0DER',
  CA: 'A2EUQ1WTGCTBG2',
  MX: 'A1AM78C64UM0Y8',
  BR: 'A2Q3Y263D00KWC',
  UK: 'A1F83G8C2ARO7P',
  DE: 'A1PA6795UKMFR9',
  FR: 'A13V1IB3VIYZZH',
  IT: 'APJ6JRA9NG5V4',
  ES: 'A1RKKUPIHCS9HS',
  NL: 'A1805IZSGTT6HS',
  JP: 'A1VC38T7YXB528',
  AU: 'A39IBJ37TRP1C6',
} as const;

export function marketplaceInfo(id: string): MarketplaceInfo | undefined {
  return MARKETPLACES.get(id);
}

const SP_API_HOST = new RegExp(
  `^(?:sandbox\\.)?sellingpartnerapi-(${SPAPI_REGIONS.join('|')})\\.amazon\\.com$`,
  'i',
);

/** The region named by an SP-API host (`sellingpartnerapi-eu.amazon.com`), or undefined for any other host. */
export function regionFromHost(host: string | undefined): SpApiRegion | undefined {
  const region = SP_API_HOST.exec(host ?? '')?.[1]?.toLowerCase();
  return isSpApiRegion(region) ? region : undefined;
}
