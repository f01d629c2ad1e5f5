import cliProgress from 'cli-progress';
import pino from 'pino';
import type { AppConfig } from './config.ts';
import { createDatabase, type Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { DEMO_SIMULATOR_URL_KEY } from './demo/demo-mode.ts';
import { loggerOptions } from './logger.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { readSetting } from './settings/settings.repository.ts';

// What the operator commands that talk to Amazon share (`poll`, `backfill`): the database opened and migrated,
// the server's runtime beside it, and Ctrl-C handed to the work in flight so it records itself and stops.

/** An id as the API and the account pages show them. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** In demo mode, the simulator the running server started (so both see the same demo sellers), if it is up. */
async function runningDemoSimulator(db: Database['db']): Promise<string | undefined> {
  const value = await readSetting(db, DEMO_SIMULATOR_URL_KEY);
  const url = typeof value === 'string' ? value : undefined;
  if (!url) return undefined;
  try {
    const res = await fetch(`${url}/_sim/state`, { signal: AbortSignal.timeout(1_000) });
    return res.ok ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` with the database and a runtime, then closes both. SIGINT and SIGTERM call `interrupt`, which
 * stops the work in flight (it records what it did and hands its claims back). Logs go to stderr, at warn unless
 * LOG_LEVEL asks for less.
 */
export async function withCliRuntime<T>(
  config: AppConfig,
  interrupt: (runtime: Runtime) => Promise<unknown>,
  work: (database: Database, runtime: Runtime) => Promise<T>,
): Promise<T> {
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const log = pino(loggerOptions(config.logLevel === 'info' ? 'warn' : config.logLevel), pino.destination(2));
  try {
    // Before anything reads the tables (the runtime migrates too; a second call finds nothing to do).
    await migrateToLatest(database.db);
    const endpoint =
      config.demo && !config.spapi.endpoint ? await runningDemoSimulator(database.db) : undefined;
    const runtime = await createRuntime(config, database, log, endpoint ? { demo: { endpoint } } : {});
    const stop = () => void interrupt(runtime);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      return await work(database, runtime);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await runtime.close();
    }
  } finally {
    await database.close();
  }
}

/** A progress bar on stderr (stdout keeps the command's result, for a pipe). */
export function progressBar(format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}
