import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../db/schema.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';

// What one poll needs: shared by the run and the report fetching it drives.

export interface PollSettings {
  instanceId: string;
  cron: string;
  leaseSeconds: number;
  reportDeadlineMs: number;
  /** First getReport poll interval; the client backs off from there. */
  reportPollIntervalMs: number;
  /** Reuse a report Amazon made within this window rather than creating another. */
  reuseWithinMs: number;
}

export interface PollDeps {
  db: Kysely<DB>;
  clients: SpApiClients;
  settings: PollSettings;
  log: FastifyBaseLogger;
}
