import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { progressBar, UUID, withCliRuntime } from '../cli-runtime.ts';
import { AppError } from '../http/errors.ts';
import { formatTable } from '../cli-table.ts';
import { isDay } from './days.ts';
import { requestBackfill } from './backfill.service.ts';
import type { BackfillJob } from './backfill.repository.ts';

// `pnpm cli backfill --account <id> [--from YYYY-MM-DD]`: fetch an account's Data Kiosk history now, with a
// progress bar. The job is the server's kind of job: a running server sees it, and one the server is already
// running is followed here rather than started twice.

export function registerBackfillCommands(program: Command, loadConfig: () => AppConfig): void {
  program
    .command('backfill')
    .description("fetch an account's daily history (up to two years) and rating from Amazon's Data Kiosk")
    .requiredOption('--account <id>', 'the account id (see GET /api/accounts)')
    .option('--from <day>', 'first day, YYYY-MM-DD (default: two years before yesterday)')
    .option('--marketplace <id>', 'one marketplace only (default: every enabled one)')
    .action(async (opts: { account: string; from?: string; marketplace?: string }) => {
      if (!UUID.test(opts.account))
        throw new Error(`not an account id: ${opts.account} (see GET /api/accounts)`);
      if (opts.from !== undefined && !isDay(opts.from))
        throw new Error(`--from must be YYYY-MM-DD, got ${opts.from}`);
      // Ctrl-C: the job records what it stored batch by batch and is handed back; the next run goes on from there.
      await withCliRuntime(
        loadConfig(),
        (runtime) => runtime.backfill.stop(0),
        async (database, runtime) => {
          const account = await findAccount(database.db, opts.account);
          if (!account) throw new Error(`no such account: ${opts.account}`);
          let job: BackfillJob;
          try {
            const result = await requestBackfill(database.db, runtime.backfill, account.id, {
              trigger: 'cli',
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.marketplace ? { marketplaceId: opts.marketplace } : {}),
            });
            if ('open' in result) {
              job = result.open;
              process.stderr.write(
                `a backfill of ${account.name} is already ${job.status} (job ${job.id}); following it\n`,
              );
            } else job = result.queued;
          } catch (err) {
            if (err instanceof AppError) throw new Error(err.message);
            throw err;
          }
          const bar = progressBar('history [{bar}] {value}/{total} days | {lines} stored | {what}');
          bar.start(job.days_total, job.days_done, { lines: job.lines_stored, what: describeStep(job) });
          const unsubscribe = runtime.backfill.onProgress((p) => {
            if (p.id !== job.id) return;
            bar.update(Math.min(p.days_done, p.days_total), { lines: p.lines_stored, what: describeStep(p) });
          });
          const ended = await runtime.backfill.runNow(job.id);
          unsubscribe();
          if (ended)
            bar.update(ended.status === 'done' ? ended.days_total : ended.days_done, {
              lines: ended.lines_stored,
              what: ended.status,
            });
          bar.stop();
          if (!ended) {
            process.stdout.write(`interrupted: job ${job.id} goes on from where it stopped next time\n`);
            process.exitCode = 130;
            return;
          }
          process.stdout.write(summary(ended, account.name));
          if (ended.status !== 'done') process.exitCode = 1;
        },
      );
    });
}

function describeStep(job: BackfillJob): string {
  if (job.status !== 'running' && job.status !== 'queued') return job.status;
  if (job.document_id) return `reading query ${job.chunk_index + 1}/${job.chunks_total}`;
  if (job.query_id) return `Amazon is running query ${job.chunk_index + 1}/${job.chunks_total}`;
  if (job.error) return `retrying: ${job.error.slice(0, 60)}`;
  return `query ${Math.min(job.chunk_index + 1, job.chunks_total)}/${job.chunks_total}`;
}

function summary(job: BackfillJob, name: string): string {
  const table = formatTable(
    ['account', 'status', 'range', 'marketplaces', 'days', 'stored'],
    [
      [
        name,
        job.status,
        `${job.from_day} to ${job.to_day}`,
        job.marketplace_ids.join(' '),
        `${job.status === 'done' ? job.days_total : job.days_done}/${job.days_total}`,
        String(job.lines_stored),
      ],
    ],
  );
  return `${table}\n${job.error ? `${job.error}\n` : ''}`;
}
