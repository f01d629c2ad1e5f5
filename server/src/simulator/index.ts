// A local Selling Partner API: Seller Central's consent page, LWA tokens, the Reports API 2021-06-30, the
// Sellers API, the Data Kiosk API 2023-11-15 (Seller Analytics account health) and presigned document downloads, with Amazon's usage plans, deterministic account scenarios on a
// virtual clock, and fault injection. The real amazon-sp-api client can be pointed at it (see docs/transport-seam.md).

import { DEMO_APPLICATION_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './demo-accounts.ts';
import { SimulatorHttpServer } from './http-server.ts';
import type { SimulatorLogger } from './http-server.ts';
import { SimulatorState } from './state.ts';

export interface SimulatorOptions {
  /** 0 = a random free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The LWA app credentials accepted; default DEMO_CLIENT_ID / DEMO_CLIENT_SECRET. */
  clientId?: string;
  clientSecret?: string;
  /** The app the consent page authorizes (`application_id`); default DEMO_APPLICATION_ID. */
  applicationId?: string;
  /** The app is a draft: its consent URL needs `version=beta` (default true, as for an app not yet published). */
  appDraft?: boolean;
  /** Multiplies every usage-plan rate (refill); 1 = Amazon's real plans. */
  rateScale?: number;
  /** Multiplies every burst (default 1). */
  burstScale?: number;
  /** Wall-clock ms a report takes IN_QUEUE -> IN_PROGRESS -> DONE (default 30 000). */
  reportProcessingMs?: number;
  /** Wall-clock ms a Data Kiosk query takes IN_QUEUE -> IN_PROGRESS -> DONE/FATAL (default reportProcessingMs). */
  dataKioskProcessingMs?: number;
  /** Load the demo accounts (default 'demo'). */
  accounts?: 'demo' | 'none';
  /** Expose the /_sim control API (default true). */
  control?: boolean;
  logger?: SimulatorLogger;
  /** The base clock the virtual clock offsets (default () => new Date()). */
  now?: () => Date;
}

export interface RunningSimulator {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  state: SimulatorState;
  close(): Promise<void>;
}

const SILENT: SimulatorLogger = { info: () => undefined, warn: () => undefined };

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const rateScale = opts.rateScale ?? 1;
  const burstScale = opts.burstScale ?? 1;
  const reportProcessingMs = opts.reportProcessingMs ?? 30_000;
  if (!(rateScale > 0) || !(burstScale > 0)) throw new Error('rateScale and burstScale must be positive');
  if (!(reportProcessingMs >= 0)) throw new Error('reportProcessingMs must be zero or more');
  const dataKioskProcessingMs = opts.dataKioskProcessingMs ?? reportProcessingMs;
  if (!(dataKioskProcessingMs >= 0)) throw new Error('dataKioskProcessingMs must be zero or more');
  const logger = opts.logger ?? SILENT;
  const state = new SimulatorState({
    clientId: opts.clientId ?? DEMO_CLIENT_ID,
    clientSecret: opts.clientSecret ?? DEMO_CLIENT_SECRET,
    applicationId: opts.applicationId ?? DEMO_APPLICATION_ID,
    appDraft: opts.appDraft ?? true,
    rateScale,
    burstScale,
    reportProcessingMs,
    dataKioskProcessingMs,
    accounts: opts.accounts ?? 'demo',
    now: opts.now ?? (() => new Date()),
  });
  const http = new SimulatorHttpServer({ state, control: opts.control ?? true, logger });
  const host = opts.host ?? '127.0.0.1';
  const port = await http.listen(opts.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  logger.info(
    { url, rateScale, burstScale, reportProcessingMs, dataKioskProcessingMs },
    'SP-API simulator listening',
  );
  return { url, port, state, close: () => http.close() };
}

export { DEMO_ACCOUNTS, DEMO_APPLICATION_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './demo-accounts.ts';
export type { DemoAccount } from './demo-accounts.ts';
export { SimulatorState } from './state.ts';
export type { StateSnapshot } from './state.ts';
export { USAGE_PLANS } from './usage-plans.ts';
export { accountHealthQuery, SELLER_ANALYTICS_DATASET } from './seller-analytics.ts';
export type { QueryView } from './data-kiosk-store.ts';
export { generateSellerPerformanceReport } from './performance-report.ts';
export type { SellerPerformanceDocument } from './performance-report.ts';
export { MARKETPLACE_IDS } from './marketplaces.ts';
export type { FaultSpec } from './faults.ts';
export type { SimulatorLogger } from './http-server.ts';
