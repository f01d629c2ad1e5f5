import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import type { AppConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DEMO_SIMULATOR_URL_KEY } from '../demo/demo-mode.ts';
import { readSetting } from '../settings/settings.repository.ts';
import { listAccounts } from '../accounts/accounts.repository.ts';
import { createRuntime } from '../runtime.ts';
import { loggerOptions } from '../logger.ts';
import type { PollSummary } from './run-poll.ts';
import { formatTable } from '../cli-table.ts';

// `pnpm cli poll`: poll accounts now from the command line, with a progress bar and a summary table. It uses
// the same claims as the server, so it never polls an account a running server is polling at that moment.

type Result = PollSummary | { accountId: string; skipped: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** In demo mode, the simulator the running server started (so both see the same demo sellers), if it is up. */
async function runningDemoSimulator(db: Awaited<ReturnType<typeof createDatabase>>['db']) {
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

export function registerPollCommands(program: Command, loadConfig: () => AppConfig): void {
  program
    .command('poll')
    .description('poll seller accounts now and print a summary')
    .option('--account <id...>', 'account id(s) to poll')
    .option('--all', 'poll every account that can be polled')
    .action(async (opts: { account?: string[]; all?: boolean }) => {
      if (!opts.all && !opts.account?.length) throw new Error('say which accounts: --account <id> or --all');
      const malformed = (opts.account ?? []).filter((id) => !UUID.test(id));
      if (malformed.length > 0)
        throw new Error(`not an account id: ${malformed.join(', ')} (see GET /api/accounts)`);
      const config = loadConfig();
      const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      const log = pino(
        loggerOptions(config.logLevel === 'info' ? 'warn' : config.logLevel),
        pino.destination(2),
      );
      try {
        // Before anything reads the tables (the runtime migrates too; a second call finds nothing to do).
        await migrateToLatest(database.db);
        const endpoint =
          config.demo && !config.spapi.endpoint ? await runningDemoSimulator(database.db) : undefined;
        const runtime = await createRuntime(config, database, log, endpoint ? { demo: { endpoint } } : {});
        // Ctrl-C: interrupt the polls in flight so they record themselves and hand their accounts back.
        const interrupt = () => void runtime.poller.stop(0);
        process.once('SIGINT', interrupt);
        process.once('SIGTERM', interrupt);
        try {
          const accounts = await listAccounts(database.db);
          const ids = opts.all ? accounts.map((a) => a.id) : opts.account!;
          const names = new Map(accounts.map((a) => [a.id, a.name]));
          const bar = new cliProgress.SingleBar(
            {
              format: 'polling [{bar}] {value}/{total} accounts | {last}',
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(ids.length, 0, { last: '' });
          const results = await runtime.poller.pollNow(ids, (r) =>
            bar.increment({
              last: `${names.get(r.accountId) ?? r.accountId}: ${'skipped' in r ? 'skipped' : r.status}`,
            }),
          );
          bar.stop();
          process.stdout.write(summaryTable(results, names));
          if (
            results.some((r) => ('skipped' in r ? r.skipped === 'no such account' : r.status === 'failed'))
          ) {
            process.exitCode = 1;
          }
        } finally {
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
          await runtime.close();
        }
      } finally {
        await database.close();
      }
    });
}

function summaryTable(results: Result[], names: Map<string, string>): string {
  const rows = results.map((r) =>
    'skipped' in r
      ? [names.get(r.accountId) ?? r.accountId, 'skipped', r.skipped, '', '', '', '']
      : [
          names.get(r.accountId) ?? r.accountId,
          r.status,
          r.errorCode ? `${r.errorCode}: ${r.errorMessage ?? ''}`.slice(0, 80) : r.outcome,
          String(r.counters.calls),
          String(r.counters.throttles),
          String(r.snapshotsWritten),
          `${(r.durationMs / 1000).toFixed(1)} s`,
        ],
  );
  const ok = results.filter((r) => !('skipped' in r) && r.status === 'succeeded').length;
  return `${formatTable(['account', 'status', 'outcome', 'calls', '429s', 'snapshots', 'time'], rows)}\n${ok} of ${results.length} polled successfully\n`;
}
