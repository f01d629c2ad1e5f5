import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { AppError } from '../http/errors.ts';
import { historyQuery, openHistoryExport, type HistoryFormat } from './history-export.ts';
import { HistoryExportQuery } from './history-export.schemas.ts';
import { UUID } from '../cli-runtime.ts';

// `pnpm cli history:export`: the account page's "Export history" from the command line, streamed to standard output
// or to a file (written beside it and renamed once complete, so a failed export leaves no half file).

export interface HistoryExportCliOptions {
  account?: string;
  from?: string;
  to?: string;
  metrics?: string;
  marketplace?: string;
  format?: string;
  out?: string;
}

/**
 * Writes every chunk, waiting whenever the destination asks to (a slow disk, a pipe into `less`); the
 * destination's error (a full disk, a closed pipe) ends it.
 */
async function writeAll(chunks: AsyncIterable<string>, out: Writable): Promise<void> {
  const failed = once(out, 'error').then(([err]) => Promise.reject(err as Error));
  const write = async () => {
    for await (const chunk of chunks) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
  };
  await Promise.race([write(), failed]);
}

const isClosedPipe = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';

export async function runHistoryExport(
  config: AppConfig,
  options: HistoryExportCliOptions,
  stderr: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  const fail = (message: string) => {
    stderr(`error: ${message}\n`);
    return 1;
  };
  if (!options.account) return fail('name the account: --account <id or seller id>');
  const format = (options.format ??
    (options.out?.toLowerCase().endsWith('.json') ? 'json' : 'csv')) as string;
  if (format !== 'csv' && format !== 'json') return fail(`--format is csv or json, not ${format}`);
  const parsed = HistoryExportQuery.safeParse({
    from: options.from,
    to: options.to,
    metrics: options.metrics,
    marketplace: options.marketplace,
  });
  if (!parsed.success) return fail(parsed.error.issues[0]!.message);

  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const db = database.db;
    const accounts = await db
      .selectFrom('seller_accounts')
      .select(['id', 'seller_id', 'region'])
      .where(UUID.test(options.account) ? 'id' : 'seller_id', '=', options.account)
      .execute();
    if (accounts.length === 0) return fail(`no account ${options.account}`);
    if (accounts.length > 1) {
      return fail(
        `seller ${options.account} is connected in ${accounts.length} regions (${accounts.map((a) => a.region).join(', ')}); name the account by its id: ${accounts.map((a) => a.id).join(', ')}`,
      );
    }
    const query = await historyQuery(db, {
      accountId: accounts[0]!.id,
      from: parsed.data.from,
      to: parsed.data.to,
      metrics: parsed.data.metrics,
      marketplaceIds: parsed.data.marketplace,
    });
    const text = await openHistoryExport(db, query, format as HistoryFormat);
    if (!options.out) {
      // A reader that stops early (`| head`) has what it wanted.
      await writeAll(text, process.stdout).catch((err: unknown) => {
        if (!isClosedPipe(err)) throw err;
      });
      return 0;
    }
    const partial = `${options.out}.partial-${process.pid}`;
    const file = createWriteStream(partial);
    try {
      await writeAll(text, file);
      file.end();
      await once(file, 'finish');
      await rename(partial, options.out);
    } catch (err) {
      file.destroy();
      await rm(partial, { force: true });
      throw err;
    }
    stderr(`wrote ${options.out}\n`);
    return 0;
  } catch (err) {
    if (err instanceof AppError) return fail(err.message);
    throw err;
  } finally {
    await database.close();
  }
}

export function registerHistoryExportCommands(program: Command, config: () => AppConfig): void {
  program
    .command('history:export')
    .description(
      "write an account's history (every snapshot's figures, status and rating) as CSV or JSON, streamed",
    )
    .requiredOption('--account <id>', 'the account: its id, or its seller id')
    .option('--from <YYYY-MM-DD>', 'first UTC day included (default: the first snapshot)')
    .option('--to <YYYY-MM-DD>', 'last UTC day included (default: the newest snapshot)')
    .option('--metrics <a,b>', 'metric names, comma-separated (default: every one)')
    .option('--marketplace <A,B>', 'marketplace ids, comma-separated (default: every one)')
    .option('--format <csv|json>', 'csv (default, or json when --out ends in .json) or json')
    .option('--out <file>', 'write to this file rather than to standard output')
    .action(async (options: HistoryExportCliOptions) => {
      process.exitCode = await runHistoryExport(config(), options);
    });
}
