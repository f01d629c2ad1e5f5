import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from './config.ts';
import type { Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { recoverFromPreviousProcess } from './poller/poll-runs.repository.ts';
import { resolveAppSecret, SecretBox } from './crypto/secrets.ts';
import { verifySecretKey } from './crypto/secret-check.ts';
import { startDemo, type Demo, type DemoOptions } from './demo/demo-mode.ts';
import { SpApiClients, type SpApiSettings } from './spapi/spapi-clients.ts';
import { SellerRateLimiter } from './spapi/rate-limiter.ts';
import { Poller, type PollerOptions } from './poller/poller.ts';
import { createPruneJob, type PruneJob } from './documents/prune-job.ts';
import { AlertEngine } from './alerts/alert-engine.ts';
import { nextCycle } from './poller/schedule.ts';
import { createNotifications, type Notifications } from './notifications/notifications.ts';
import type { OutboxWorkerOptions } from './notifications/outbox-worker.ts';
import {
  BackfillRunner,
  DEFAULT_BACKFILL_OPTIONS,
  type BackfillOptions,
} from './backfill/backfill-runner.ts';

// What the server and the operator CLI share once the database is open: migrations, the secret key, the
// SP-API clients (demo simulator or Amazon) and the poller.

interface RuntimeOptions {
  spapi?: SpApiSettings;
  poller?: Partial<PollerOptions>;
  rateScale?: number;
  /** Demo mode without SPAPI_ENDPOINT: how to reach a simulator (the CLI reuses the server's). */
  demo?: Partial<DemoOptions>;
  /** Outbox pacing (tests shorten the retry delays). */
  outbox?: Partial<OutboxWorkerOptions>;
  /** Data Kiosk history jobs (tests shorten the waits). */
  backfill?: Partial<BackfillOptions>;
}

export interface Runtime {
  secrets: SecretBox;
  clients: SpApiClients;
  poller: Poller;
  /** The daily pruning of raw report bodies; started with the poll schedule. */
  pruner: PruneJob;
  /** Evaluates each stored report's alerts; started with the poll schedule. */
  alerts: AlertEngine;
  /** Sends the outbox, reminders and digests; started with the poll schedule. */
  notifications: Notifications;
  /** Runs the Data Kiosk history jobs; started with the poll schedule. */
  backfill: BackfillRunner;
  demo: Demo | undefined;
  /** Stops polling, then the simulator it talks to. The database stays open: its owner closes it. */
  close(): Promise<void>;
}

export async function createRuntime(
  config: AppConfig,
  database: Database,
  log: FastifyBaseLogger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  if (database.engine === 'pglite') {
    // This process holds the embedded database's lock, so no other poller can be alive: leases left by a
    // previous process that died are void now, not in ten minutes, and its polls are carried on at once.
    const recovered = await recoverFromPreviousProcess(database.db);
    if (recovered > 0) log.warn({ polls: recovered }, 'carrying on polls a previous process left unfinished');
  }

  const resolved = await resolveAppSecret(config.appSecret, config.dataDir);
  if (resolved.origin === 'generated') {
    log.warn(
      { file: resolved.file },
      'APP_SECRET is not set: generated one and saved it with 0600 permissions; back it up, or set APP_SECRET',
    );
  }
  const secrets = new SecretBox(resolved.secret);
  await verifySecretKey(database.db, secrets);

  const demo =
    !options.spapi && config.demo
      ? await startDemo(database.db, secrets, log, {
          endpoint: config.spapi.endpoint,
          simulatorPort: config.simulatorPort,
          applicationId: config.spapi.applicationId,
          appDraft: config.spapi.appDraft,
          ...options.demo,
        })
      : undefined;
  const spapi: SpApiSettings = options.spapi ??
    demo?.spapi ?? {
      app: { clientId: config.spapi.clientId!, clientSecret: config.spapi.clientSecret! },
      endpoint: config.spapi.endpoint,
      ...(config.spapi.applicationId
        ? { application: { id: config.spapi.applicationId, draft: config.spapi.appDraft } }
        : {}),
    };
  const clients = new SpApiClients(spapi, secrets, new SellerRateLimiter(undefined, options.rateScale ?? 1));
  const alerts = new AlertEngine(database.db, log.child({ component: 'alerts' }), {
    everyMs: 5_000,
    monitoringEveryMs: 5 * 60_000,
    pollIntervalMs: nextCycle(config.poll.cron).lengthMs,
  });
  const cycleMs = nextCycle(config.poll.cron).lengthMs;
  const notifications = createNotifications(config, database, secrets, log, {
    outbox: options.outbox,
    staleAfterMs: 2 * cycleMs,
  });
  // Evaluation queues the messages in its own transaction; this only wakes the sender sooner than its timer.
  alerts.onEvents(() => notifications.worker.kick());
  const poller = new Poller(
    {
      db: database.db,
      clients,
      log: log.child({ component: 'poller' }),
      onPollEnded: (summary) => {
        if (summary.outcome === 'ingested') alerts.kick();
      },
    },
    {
      instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      cron: config.poll.cron,
      concurrency: config.poll.concurrency,
      leaseSeconds: config.poll.leaseSeconds,
      reportDeadlineMs: config.poll.reportDeadlineSeconds * 1000,
      // The simulator makes a report in seconds; Amazon takes 30 s to minutes.
      reportPollIntervalMs: (config.poll.reportPollSeconds ?? (demo ? 1 : 15)) * 1000,
      dispatchCron: `*/${config.poll.dispatchSeconds} * * * * *`,
      reuseWithinMs: 60 * 60_000,
      ...options.poller,
    },
  );
  const pruner = createPruneJob(
    database.db,
    config.rawDocumentRetentionDays,
    log.child({ component: 'prune' }),
  );
  const backfill = new BackfillRunner(
    { db: database.db, spapi, secrets, log: log.child({ component: 'backfill' }) },
    {
      ...DEFAULT_BACKFILL_OPTIONS,
      concurrency: config.backfillConcurrency,
      instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      rateScale: options.rateScale ?? 1,
      releaseLeasesAtStart: database.engine === 'pglite',
      // The first look at a Data Kiosk query, as at a report: REPORT_POLL_SECONDS (1 s in demo, 15 s with Amazon).
      queryPollMs: (config.poll.reportPollSeconds ?? (demo ? 1 : 15)) * 1000,
      ...options.backfill,
    },
  );
  return {
    secrets,
    clients,
    poller,
    pruner,
    alerts,
    notifications,
    backfill,
    demo,
    close: async () => {
      await backfill.stop();
      await alerts.stop();
      await notifications.stop();
      await pruner.stop();
      await poller.stop();
      await demo?.close();
    },
  };
}
