// The demo app and the accounts the simulator opens with: one per scenario, with realistic ids and names.

import type { DialectName } from './performance-report.ts';
import { MARKETPLACE_IDS } from './marketplaces.ts';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

export const DEMO_CLIENT_ID = 'amzn1.application-oa2-client.5c0f6d8e2b7a4c19a3e1f0d94b6c2e77';
export const DEMO_CLIENT_SECRET =
  'amzn1.oa2-cs.v1.9e4b1c7a2f6d8e03b5a1c9f7e2d4b6a8c0e3f5a7b9d1c3e5f7a9b2d4c6e8f0a1';
/** The demo app's id, as the Solution Provider Portal shows it: what a consent URL names as `application_id`. */
export const DEMO_APPLICATION_ID = 'amzn1.sp.solution.7c1e4b2a-9d3f-4e58-a6b0-2f8d1c9e5a73';

export interface DemoAccount {
  sellerId: string;
  /** The store name shown in the marketplaces. */
  name: string;
  /** The registered business name getAccount returns; null for an individual seller without one. */
  businessName: string | null;
  region: SpApiRegion;
  refreshToken: string;
  marketplaceIds: string[];
  scenario: string;
  /** How this account's documents are spelled; stable for the account. */
  dialect?: DialectName;
  /**
   * How Amazon treats a report asked for several marketplaces (docs/report-formats.md §(c) "Marketplaces"):
   * `all` (one document covering them, the default), `first` (the document covers only the first one asked),
   * `one-at-a-time` (createReport refuses more than one with 400 InvalidInput).
   */
  reportMarketplaces?: 'all' | 'first' | 'one-at-a-time';
  /** false: the seller has not granted the analytics rights Data Kiosk's Seller Analytics needs (default true). */
  analyticsAccess?: boolean;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = Object.freeze([
  {
    sellerId: 'A2X7K9QWERTY12',
    name: 'Northwind Outdoor Co.',
    businessName: 'Northwind Outdoor Company LLC',
    region: 'na',
    refreshToken: 'Atzr|IwEBIdemo-healthy-Northwind-7Qm2Lr9Xa4Pz8Kc1Vb6Ns3Tf0Hd5Jg',
    marketplaceIds: [MARKETPLACE_IDS.US, MARKETPLACE_IDS.CA, MARKETPLACE_IDS.MX],
    scenario: 'healthy',
    dialect: 'standard',
  },
  {
    sellerId: 'A1QZ8M3RFJ5TXK',
    name: 'Bluebird Kitchenware LLC',
    businessName: 'Bluebird Housewares Group LLC',
    region: 'na',
    refreshToken: 'Atzr|IwEBIdemo-odrdrift-Bluebird-3Hc8Wq1Zr6Ty2Ua9Lm4Pk7Xv0Bn5Fd',
    marketplaceIds: [MARKETPLACE_IDS.US],
    scenario: 'odr-drift',
    dialect: 'extra-fields',
  },
  {
    sellerId: 'A3LS5PK2W8NYDE',
    name: 'Thames Valley Gadgets Ltd',
    businessName: 'Thames Valley Gadgets Limited',
    region: 'eu',
    refreshToken: 'Atzr|IwEBIdemo-latespike-ThamesValley-8Rt3Yp6Ws1Qa4Zx9Cv2Bn7Mk5Lj',
    marketplaceIds: [MARKETPLACE_IDS.UK],
    scenario: 'late-shipment-spike',
    dialect: 'model-spellings',
  },
  {
    sellerId: 'A27HVB4QN6CXME',
    name: 'Rheinland Spielwaren GmbH',
    businessName: 'Rheinland Spielwaren Handels GmbH',
    region: 'eu',
    refreshToken: 'Atzr|IwEBIdemo-ipcomplaints-Rheinland-2Gh7Jk4Lp9Qw1Er6Ty3Ui8Op5As',
    marketplaceIds: [MARKETPLACE_IDS.DE],
    scenario: 'ip-complaints',
    dialect: 'trimmed',
  },
  {
    sellerId: 'A9TR3DK7XPL2QF',
    name: 'Summit Supplements Inc.',
    businessName: 'Summit Nutrition Holdings, Inc.',
    region: 'na',
    refreshToken: 'Atzr|IwEBIdemo-suspension-Summit-5Df8Gh2Jk6Lz9Xc3Vb7Nm1Qw4Er',
    marketplaceIds: [MARKETPLACE_IDS.US],
    scenario: 'suspension',
    dialect: 'standard',
  },
  {
    sellerId: 'A1NW6EL4SBR0GH',
    name: 'Kleine Werkstatt Berlin',
    businessName: 'Kleine Werkstatt Berlin UG (haftungsbeschränkt)',
    region: 'eu',
    refreshToken: 'Atzr|IwEBIdemo-newseller-KleineWerkstatt-9Zx2Cv5Bn8Mq1Wa4Sd7Fg3Hj6Kl',
    marketplaceIds: [MARKETPLACE_IDS.DE],
    scenario: 'new-seller',
    dialect: 'standard',
  },
  {
    sellerId: 'A3FR8VQ1MZK5UC',
    name: 'Maison Lumière SARL',
    businessName: 'Maison Lumière SARL',
    region: 'eu',
    refreshToken: 'Atzr|IwEBIdemo-revoked-MaisonLumiere-4Qa7Ws1Ed8Rf5Tg2Yh9Uj6Ik3Ol',
    marketplaceIds: [MARKETPLACE_IDS.FR],
    scenario: 'revoked',
    dialect: 'model-spellings',
  },
] satisfies DemoAccount[]);
