import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import { OverviewCache } from '../metrics/overview-cache.ts';
import { baseUrl } from './links.ts';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.ts';
import { NotificationSchedule } from './schedule.ts';
import { smtpTransport } from './transports.ts';

// Delivery as the runtime holds it: the outbox's sender and the minute schedule of reminders and digests.

export interface Notifications {
  worker: OutboxWorker;
  schedule: NotificationSchedule;
  /** Base of the links in messages. */
  baseUrl: string;
  smtpConfigured: boolean;
  start(): void;
  stop(): Promise<void>;
}

export interface NotificationsOptions {
  outbox?: Partial<OutboxWorkerOptions>;
  /** Data is stale after this long without a good poll (the digest marks it as the overview does). */
  staleAfterMs: number;
}

export function createNotifications(
  config: AppConfig,
  database: Database,
  secrets: SecretBox,
  log: FastifyBaseLogger,
  options: NotificationsOptions,
): Notifications {
  const base = baseUrl(config.publicUrl, config.port);
  const worker = new OutboxWorker(
    {
      db: database.db,
      log: log.child({ component: 'outbox' }),
      secrets,
      mail: config.mail.smtpUrl ? smtpTransport(config.mail.smtpUrl) : undefined,
      from: config.mail.from,
      baseUrl: base,
    },
    options.outbox,
  );
  const overview = new OverviewCache(database.db, options.staleAfterMs);
  const schedule = new NotificationSchedule(
    database.db,
    log.child({ component: 'digest' }),
    { rows: async () => (await overview.current()).rows },
    base,
    () => worker.kick(),
    60_000,
    config.cases.deadlineReminderHours,
  );
  return {
    worker,
    schedule,
    baseUrl: base,
    smtpConfigured: config.mail.smtpUrl !== undefined,
    start() {
      worker.start();
      schedule.start();
    },
    async stop() {
      await schedule.stop();
      await worker.stop();
    },
  };
}
