import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { pruneRawBodies } from './documents.repository.ts';
import { retentionCutoff } from './prune-job.ts';

// `pnpm cli documents:prune`: what the daily job does, now, with the retention given or configured.

export function registerDocumentCommands(program: Command, loadConfig: () => AppConfig): void {
  program
    .command('documents:prune')
    .description('drop raw report bodies past their retention now (their figures stay)')
    .option('--older-than-days <n>', 'retention in days (default RAW_DOCUMENT_RETENTION_DAYS)')
    .action(async (opts: { olderThanDays?: string }) => {
      const config = loadConfig();
      const days =
        opts.olderThanDays === undefined ? config.rawDocumentRetentionDays : Number(opts.olderThanDays);
      if (!Number.isInteger(days) || days < 0)
        throw new Error('--older-than-days must be a whole number of days');
      const cutoff = retentionCutoff(days);
      if (!cutoff) {
        console.log('retention is 0: raw documents are kept forever, nothing to prune');
        return;
      }
      const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrateToLatest(database.db);
        const pruned = await pruneRawBodies(database.db, { capturedBefore: cutoff });
        console.log(`pruned ${pruned} raw report bodies captured before ${cutoff.toISOString()}`);
      } finally {
        await database.close();
      }
    });
}
