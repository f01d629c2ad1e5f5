import { Command } from 'commander';
import { readEnvironment, type AppConfig } from './config.ts';
import { createDatabase } from './db/database.ts';
import { migrateToLatest, migrationStatus } from './db/migrate.ts';
import { VERSION } from './version.ts';
import { registerReportCommands } from './reports/reports.cli.ts';
import { registerSimulatorCommands } from './simulator/simulator.cli.ts';
import { registerPollCommands } from './poller/poller.cli.ts';
import { registerDocumentCommands } from './documents/documents.cli.ts';
import { registerUserCommands } from './auth/users.cli.ts';
import { registerAlertCommands } from './alerts/alerts.cli.ts';
import { registerCaseCommands } from './cases/cases.cli.ts';
import { registerHistoryExportCommands } from './metrics/history-export.cli.ts';
import { registerBackfillCommands } from './backfill/backfill.cli.ts';

// The operator command line: `pnpm cli <command>`. Each feature adds its commands through a register function.

function config(): AppConfig {
  const read = readEnvironment();
  if ('config' in read) return read.config;
  throw new Error(read.problems.join('\n'));
}

async function withDatabase<T>(
  fn: (db: Awaited<ReturnType<typeof createDatabase>>) => Promise<T>,
): Promise<T> {
  const c = config();
  const database = await createDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

function buildCli(): Command {
  const program = new Command()
    .name('good-standing')
    .description('Good Standing operator commands')
    .version(VERSION)
    .showHelpAfterError();

  program
    .command('migrate')
    .description('apply pending database migrations and print what ran')
    .action(async () => {
      await withDatabase(async (database) => {
        const applied = await migrateToLatest(database.db);
        if (applied.length === 0) console.log(`database (${database.engine}) is up to date`);
        for (const name of applied) console.log(`applied ${name}`);
      });
    });

  program
    .command('migrate:status')
    .description('list applied and pending migrations')
    .action(async () => {
      await withDatabase(async (database) => {
        const status = await migrationStatus(database.db);
        for (const name of status.applied) console.log(`applied  ${name}`);
        for (const name of status.pending) console.log(`pending  ${name}`);
        console.log(
          `${status.applied.length} applied, ${status.pending.length} pending (${database.engine})`,
        );
      });
    });

  registerPollCommands(program, config);
  registerDocumentCommands(program, config);
  registerUserCommands(program, config);
  registerAlertCommands(program, config);
  registerCaseCommands(program, config);
  registerHistoryExportCommands(program, config);
  registerBackfillCommands(program, config);
  registerReportCommands(program);
  registerSimulatorCommands(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildCli().parseAsync(process.argv);
  } catch (err) {
    const message = (err as Error).message;
    process.stderr.write(message.startsWith('configuration error') ? `${message}\n` : `error: ${message}\n`);
    process.exitCode = 1;
  }
}

void main();
