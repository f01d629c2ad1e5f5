import { queueBackfillOnConnect } from '../backfill/backfill.service.ts';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import { insertAccountIfAbsent, upsertMarketplaces } from '../accounts/accounts.repository.ts';
import { writeSetting } from '../settings/settings.repository.ts';
import { MARKETPLACES } from '../spapi/marketplaces.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_APPLICATION_ID,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startSimulator,
  type RunningSimulator,
} from '../simulator/index.ts';
import type { SpApiSettings } from '../spapi/spapi-clients.ts';

// Demo mode: no SP-API credentials configured. The app runs the local SP-API simulator in-process and talks to
// it through the very same client code path as production, with the demo accounts connected.

export const DEMO_SIMULATOR_URL_KEY = 'demo_simulator_url';

/** Days into each scenario the demo opens at (see SCENARIO_DESCRIPTIONS in the simulator). */
const DEMO_START_DAYS: Readonly<Record<string, number>> = {
  'odr-drift': 17,
  'late-shipment-spike': 15,
  'ip-complaints': 16,
  suspension: 6,
};

export interface Demo {
  spapi: SpApiSettings;
  simulator: RunningSimulator | undefined;
  close(): Promise<void>;
}

export interface DemoOptions {
  /** An SP-API endpoint given explicitly (SPAPI_ENDPOINT): use it instead of starting a simulator. */
  endpoint: string | undefined;
  simulatorPort: number;
  /** SPAPI_APPLICATION_ID when set; the simulator's own app otherwise, so the consent flow works as it is. */
  applicationId?: string;
  /** SPAPI_APP_DRAFT: the simulator's app is a draft, as an app being tried out is. */
  appDraft: boolean;
  /** How long a simulated report takes to be ready (short, so the demo fills in seconds). */
  reportProcessingMs?: number;
}

export async function startDemo(
  db: Kysely<DB>,
  secrets: SecretBox,
  log: FastifyBaseLogger,
  options: DemoOptions,
): Promise<Demo> {
  const simulator = options.endpoint
    ? undefined
    : await startSimulator({
        port: options.simulatorPort,
        reportProcessingMs: options.reportProcessingMs ?? 3_000,
        // Amazon takes minutes over a Data Kiosk query; a second here, so two years of charts fill in while the
        // first look at the demo is still going on (nine queries per marketplace).
        dataKioskProcessingMs: 1_000,
        logger: {
          info: (...args: unknown[]) => log.debug({ simulator: args }, 'simulator'),
          warn: (...args: unknown[]) => log.warn({ simulator: args }, 'simulator'),
        },
      });
  if (simulator) {
    // Open the story where it is worth seeing: each demo seller starts some days into its scenario, so the
    // first look shows an ODR close to its limit, a late-shipment spike, a WARNED rating and an account at risk.
    for (const demo of DEMO_ACCOUNTS) {
      const startDay = DEMO_START_DAYS[demo.scenario];
      if (startDay) simulator.state.setScenario(demo.sellerId, demo.scenario, startDay);
    }
  }
  const endpoint = options.endpoint ?? simulator!.url;
  await seedDemoAccounts(db, secrets);
  await writeSetting(db, DEMO_SIMULATOR_URL_KEY, endpoint);
  log.info({ endpoint, accounts: DEMO_ACCOUNTS.length }, 'demo mode: polling the local SP-API simulator');
  return {
    spapi: {
      app: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET },
      endpoint,
      application: { id: options.applicationId ?? DEMO_APPLICATION_ID, draft: options.appDraft },
    },
    simulator,
    close: async () => {
      await simulator?.close();
    },
  };
}

/** Connects every demo account that is not connected yet (idempotent across restarts). */
async function seedDemoAccounts(db: Kysely<DB>, secrets: SecretBox): Promise<number> {
  let added = 0;
  for (const demo of DEMO_ACCOUNTS) {
    await db.transaction().execute(async (tx) => {
      // Insert-or-skip in one statement: two instances starting together in demo mode cannot both add it.
      const account = await insertAccountIfAbsent(tx, {
        seller_id: demo.sellerId,
        name: demo.name,
        region: demo.region,
        refresh_token_encrypted: secrets.seal(demo.refreshToken),
        business_name: demo.businessName,
      });
      if (!account) return;
      await upsertMarketplaces(
        tx,
        account.id,
        demo.marketplaceIds.map((id) => ({
          marketplaceId: id,
          countryCode: MARKETPLACES[id]?.countryCode ?? null,
          name: MARKETPLACES[id]?.name ?? null,
        })),
      );
      // As a connected account does: two years of history, so the demo opens with full charts; after any account
      // the user connects meanwhile, whose chart they are waiting for.
      await queueBackfillOnConnect(tx, account.id, 'demo');
      added += 1;
    });
  }
  return added;
}
