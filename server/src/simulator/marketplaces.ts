// The marketplaces the simulator knows, with the fields the Sellers API returns for each.

export type Region = 'na' | 'eu' | 'fe';

export interface MarketplaceInfo {
  id: string;
  name: string;
  countryCode: string;
  defaultCurrencyCode: string;
  defaultLanguageCode: string;
  domainName: string;
  region: Region;
}

const LIST: readonly MarketplaceInfo[] = [
  mp('ATVPDKIKX0DER', 'Amazon.com', 'US', 'USD', 'en_US', 'www.amazon.com', 'na'),
  mp('A2EUQ1WTGCTBG2', 'Amazon.ca', 'CA', 'CAD', 'en_CA', 'www.amazon.ca', 'na'),
  mp('A1AM78C64UM0Y8', 'Amazon.com.mx', 'MX', 'MXN', 'es_MX', 'www.amazon.com.mx', 'na'),
  mp('A2Q3Y263D00KWC', 'Amazon.com.br', 'BR', 'BRL', 'pt_BR', 'www.amazon.com.br', 'na'),
  mp('A1F83G8C2ARO7P', 'Amazon.co.uk', 'GB', 'GBP', 'en_GB', 'www.amazon.co.uk', 'eu'),
  mp('A1PA6795UKMFR9', 'Amazon.de', 'DE', 'EUR', 'de_DE', 'www.amazon.de', 'eu'),
  mp('A13V1IB3VIYZZH', 'Amazon.fr', 'FR', 'EUR', 'fr_FR', 'www.amazon.fr', 'eu'),
  mp('APJ6JRA9NG5V4', 'Amazon.it', 'IT', 'EUR', 'it_IT', 'www.amazon.it', 'eu'),
  mp('A1RKKUPIHCS9HS', 'Amazon.es', 'ES', 'EUR', 'es_ES', 'www.amazon.es', 'eu'),
  mp('A1805IZSGTT6HS', 'Amazon.nl', 'NL', 'EUR', 'nl_NL', 'www.amazon.nl', 'eu'),
  mp('A1VC38T7YXB5F4', 'Amazon.co.jp', 'JP', 'JPY', 'ja_JP', 'www.amazon.co.jp', 'fe'),
  mp('A39IBJ37TRP1C6', 'Amazon.com.au', 'AU', 'AUD', 'en_AU', 'www.amazon.com.au', 'fe'),
];

function mp(
  id: string,
  name: string,
  countryCode: string,
  defaultCurrencyCode: string,
  defaultLanguageCode: string,
  domainName: string,
  region: Region,
): MarketplaceInfo {
  return { id, name, countryCode, defaultCurrencyCode, defaultLanguageCode, domainName, region };
}

export const MARKETPLACES: ReadonlyMap<string, MarketplaceInfo> = new Map(LIST.map((m) => [m.id, m]));

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
  JP: 'A1VC38T7YXB5F4',
  AU: 'A39IBJ37TRP1C6',
} as const;

export function marketplaceInfo(id: string): MarketplaceInfo | undefined {
  return MARKETPLACES.get(id);
}

export function isRegion(value: unknown): value is Region {
  return value === 'na' || value === 'eu' || value === 'fe';
}

/** The region named by an SP-API host (`sellingpartnerapi-eu.amazon.com`), or undefined for any other host. */
export function regionFromHost(host: string | undefined): Region | undefined {
  const match = /^(?:sandbox\.)?sellingpartnerapi-(na|eu|fe)\.amazon\.com$/i.exec(host ?? '');
  const region = match?.[1]?.toLowerCase();
  return isRegion(region) ? region : undefined;
}
