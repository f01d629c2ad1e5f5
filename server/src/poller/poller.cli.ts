import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { listAccounts } from '../accounts/accounts.repository.ts';
import { progressBar, UUID, withCliRuntime } from '../cli-runtime.ts';
import type { PollSummary } from './run-poll.ts';
import { formatTable } from '../cli-table.ts';

// `pnpm cli poll`: poll accounts now from the command line, with a progress bar and a summary table. It uses
// the same claims as the server, so it never polls an account a running server is polling at that moment.

type Result = PollSummary | { accountId: string; skipped: string };

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
      // Ctrl-C: interrupt the polls in flight so they record themselves and hand their accounts back.
      await withCliRuntime(
        loadConfig(),
        (runtime) => runtime.poller.stop(0),
        async (database, runtime) => {
          const accounts = await listAccounts(database.db);
          const ids = opts.all ? accounts.map((a) => a.id) : opts.account!;
          const names = new Map(accounts.map((a) => [a.id, a.name]));
          const bar = progressBar('polling [{bar}] {value}/{total} accounts | {last}');
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
        },
      );
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
