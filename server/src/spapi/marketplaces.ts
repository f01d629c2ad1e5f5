export type SpApiRegion = 'na' | 'eu' | 'fe';

export interface MarketplaceInfo {
  countryCode: string;
  name: string;
  region: SpApiRegion;
}

/** Amazon's marketplace ids and the SP-API region whose endpoint serves them. */
export const MARKETPLACES: Readonly<Record<string, MarketplaceInfo>> = Object.freeze({
  ATVPDKIKX0DER: { countryCode: 'US', name: 'Amazon.com', region: 'na' },
  A2EUQ1WTGCTBG2: { countryCode: 'CA', name: 'Amazon.ca', region: 'na' },
  A1AM78C64UM0Y8: { countryCode: 'MX', name: 'Amazon.com.mx', region: 'na' },
  A2Q3Y263D00KWC: { countryCode: 'BR', name: 'Amazon.com.br', region: 'na' },
  A1F83G8C2ARO7P: { countryCode: 'GB', name: 'Amazon.co.uk', region: 'eu' },
  A1PA6795UKMFR9: { countryCode: 'DE', name: 'Amazon.de', region: 'eu' },
  A13V1IB3VIYZZH: { countryCode: 'FR', name: 'Amazon.fr', region: 'eu' },
  APJ6JRA9NG5V4: { countryCode: 'IT', name: 'Amazon.it', region: 'eu' },
  A1RKKUPIHCS9HS: { countryCode: 'ES', name: 'Amazon.es', region: 'eu' },
  A1805IZSGTT6HS: { countryCode: 'NL', name: 'Amazon.nl', region: 'eu' },
  A2NODRKZP88ZB9: { countryCode: 'SE', name: 'Amazon.se', region: 'eu' },
  A1C3SOZRARQ6R3: { countryCode: 'PL', name: 'Amazon.pl', region: 'eu' },
  AMEN7PMS3EDWL: { countryCode: 'BE', name: 'Amazon.com.be', region: 'eu' },
  A33AVAJ2PDY3EV: { countryCode: 'TR', name: 'Amazon.com.tr', region: 'eu' },
  A2VIGQ35RCS4UG: { countryCode: 'AE', name: 'Amazon.ae', region: 'eu' },
  A17E79C6D8DWNP: { countryCode: 'SA', name: 'Amazon.sa', region: 'eu' },
  ARBP9OOSHTCHU: { countryCode: 'EG', name: 'Amazon.eg', region: 'eu' },
  A21TJRUUN4KGV: { countryCode: 'IN', name: 'Amazon.in', region: 'eu' },
  A28R8C7NBKEWEA: { countryCode: 'IE', name: 'Amazon.ie', region: 'eu' },
  A1VC38T7YXB5F4: { countryCode: 'JP', name: 'Amazon.co.jp', region: 'fe' },
  A39IBJ37TRP1C6: { countryCode: 'AU', name: 'Amazon.com.au', region: 'fe' },
  A19VAU5U5O7RUS: { countryCode: 'SG', name: 'Amazon.sg', region: 'fe' },
});

/** The region of a known marketplace id, or undefined for an id we do not know. */
export function marketplaceRegion(marketplaceId: string): SpApiRegion | undefined {
  return Object.hasOwn(MARKETPLACES, marketplaceId) ? MARKETPLACES[marketplaceId]?.region : undefined;
}
