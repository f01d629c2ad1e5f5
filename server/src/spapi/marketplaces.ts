/**
 * Amazon's SP-API regions, each with its own endpoint. The one list: the `SpApiRegion` type, the database's
 * `Region` and every zod enum of a region derive from it.
 */
export const SPAPI_REGIONS = ['na', 'eu', 'fe'] as const;

export type SpApiRegion = (typeof SPAPI_REGIONS)[number];

export function isSpApiRegion(value: unknown): value is SpApiRegion {
  return (SPAPI_REGIONS as readonly unknown[]).includes(value);
}

export interface MarketplaceInfo {
  countryCode: string;
  name: string;
  region: SpApiRegion;
  defaultCurrencyCode: string;
  defaultLanguageCode: string;
  domainName: string;
}

/**
 * Amazon's marketplace ids, the SP-API region whose endpoint serves each, and what the Sellers API says of it.
 * The one table of marketplaces: the client routes by it, and the simulator answers from it.
 */
export const MARKETPLACES: Readonly<Record<string, MarketplaceInfo>> = Object.freeze({
  ATVPDKIKX0DER: {
    countryCode: 'US',
    name: 'Amazon.com',
    region: 'na',
    defaultCurrencyCode: 'USD',
    defaultLanguageCode: 'en_US',
    domainName: 'www.amazon.com',
  },
  A2EUQ1WTGCTBG2: {
    countryCode: 'CA',
    name: 'Amazon.ca',
    region: 'na',
    defaultCurrencyCode: 'CAD',
    defaultLanguageCode: 'en_CA',
    domainName: 'www.amazon.ca',
  },
  A1AM78C64UM0Y8: {
    countryCode: 'MX',
    name: 'Amazon.com.mx',
    region: 'na',
    defaultCurrencyCode: 'MXN',
    defaultLanguageCode: 'es_MX',
    domainName: 'www.amazon.com.mx',
  },
  A2Q3Y263D00KWC: {
    countryCode: 'BR',
    name: 'Amazon.com.br',
    region: 'na',
    defaultCurrencyCode: 'BRL',
    defaultLanguageCode: 'pt_BR',
    domainName: 'www.amazon.com.br',
  },
  A1F83G8C2ARO7P: {
    countryCode: 'GB',
    name: 'Amazon.co.uk',
    region: 'eu',
    defaultCurrencyCode: 'GBP',
    defaultLanguageCode: 'en_GB',
    domainName: 'www.amazon.co.uk',
  },
  A1PA6795UKMFR9: {
    countryCode: 'DE',
    name: 'Amazon.de',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'de_DE',
    domainName: 'www.amazon.de',
  },
  A13V1IB3VIYZZH: {
    countryCode: 'FR',
    name: 'Amazon.fr',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'fr_FR',
    domainName: 'www.amazon.fr',
  },
  APJ6JRA9NG5V4: {
    countryCode: 'IT',
    name: 'Amazon.it',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'it_IT',
    domainName: 'www.amazon.it',
  },
  A1RKKUPIHCS9HS: {
    countryCode: 'ES',
    name: 'Amazon.es',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'es_ES',
    domainName: 'www.amazon.es',
  },
  A1805IZSGTT6HS: {
    countryCode: 'NL',
    name: 'Amazon.nl',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'nl_NL',
    domainName: 'www.amazon.nl',
  },
  A2NODRKZP88ZB9: {
    countryCode: 'SE',
    name: 'Amazon.se',
    region: 'eu',
    defaultCurrencyCode: 'SEK',
    defaultLanguageCode: 'sv_SE',
    domainName: 'www.amazon.se',
  },
  A1C3SOZRARQ6R3: {
    countryCode: 'PL',
    name: 'Amazon.pl',
    region: 'eu',
    defaultCurrencyCode: 'PLN',
    defaultLanguageCode: 'pl_PL',
    domainName: 'www.amazon.pl',
  },
  AMEN7PMS3EDWL: {
    countryCode: 'BE',
    name: 'Amazon.com.be',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'fr_BE',
    domainName: 'www.amazon.com.be',
  },
  A33AVAJ2PDY3EV: {
    countryCode: 'TR',
    name: 'Amazon.com.tr',
    region: 'eu',
    defaultCurrencyCode: 'TRY',
    defaultLanguageCode: 'tr_TR',
    domainName: 'www.amazon.com.tr',
  },
  A2VIGQ35RCS4UG: {
    countryCode: 'AE',
    name: 'Amazon.ae',
    region: 'eu',
    defaultCurrencyCode: 'AED',
    defaultLanguageCode: 'en_AE',
    domainName: 'www.amazon.ae',
  },
  A17E79C6D8DWNP: {
    countryCode: 'SA',
    name: 'Amazon.sa',
    region: 'eu',
    defaultCurrencyCode: 'SAR',
    defaultLanguageCode: 'ar_SA',
    domainName: 'www.amazon.sa',
  },
  ARBP9OOSHTCHU: {
    countryCode: 'EG',
    name: 'Amazon.eg',
    region: 'eu',
    defaultCurrencyCode: 'EGP',
    defaultLanguageCode: 'ar_EG',
    domainName: 'www.amazon.eg',
  },
  A21TJRUUN4KGV: {
    countryCode: 'IN',
    name: 'Amazon.in',
    region: 'eu',
    defaultCurrencyCode: 'INR',
    defaultLanguageCode: 'en_IN',
    domainName: 'www.amazon.in',
  },
  A28R8C7NBKEWEA: {
    countryCode: 'IE',
    name: 'Amazon.ie',
    region: 'eu',
    defaultCurrencyCode: 'EUR',
    defaultLanguageCode: 'en_IE',
    domainName: 'www.amazon.ie',
  },
  A1VC38T7YXB528: {
    countryCode: 'JP',
    name: 'Amazon.co.jp',
    region: 'fe',
    defaultCurrencyCode: 'JPY',
    defaultLanguageCode: 'ja_JP',
    domainName: 'www.amazon.co.jp',
  },
  A39IBJ37TRP1C6: {
    countryCode: 'AU',
    name: 'Amazon.com.au',
    region: 'fe',
    defaultCurrencyCode: 'AUD',
    defaultLanguageCode: 'en_AU',
    domainName: 'www.amazon.com.au',
  },
  A19VAU5U5O7RUS: {
    countryCode: 'SG',
    name: 'Amazon.sg',
    region: 'fe',
    defaultCurrencyCode: 'SGD',
    defaultLanguageCode: 'en_SG',
    domainName: 'www.amazon.sg',
  },
});
