import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { AppError } from '../http/errors.ts';
import { baseUrl } from '../notifications/links.ts';
import { openCase } from './cases.service.ts';
import { findCase } from './cases.repository.ts';
import { UUID } from '../cli-runtime.ts';

// `pnpm cli case:open`: opens a reinstatement case from the command line, as "Start a case" does in the
// dashboard, and prints where to work it. A marketplace that has an open case gets that one back.

export interface CasesCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CasesCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function runCaseOpen(
  config: AppConfig,
  options: { account?: string; marketplace?: string; alert?: string },
  io: CasesCliIo = processIo,
): Promise<number> {
  for (const [flag, value] of [
    ['--account', options.account],
    ['--alert', options.alert],
  ] as const) {
    if (value !== undefined && !UUID.test(value)) {
      io.stderr(`error: ${flag} takes an id (a UUID, as the account page and the API show them)\n`);
      return 1;
    }
  }
  if (!options.account && !options.alert) {
    io.stderr('error: name the account (--account <id>) or the alert (--alert <id>)\n');
    return 1;
  }
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const opened = await openCase(database.db, {
      accountId: options.account,
      marketplaceId: options.marketplace,
      alertId: options.alert,
      userId: null,
    });
    const row = (await findCase(database.db, opened.caseId))!;
    const url = `${baseUrl(config.publicUrl, config.port)}/cases/${row.id}`;
    io.stdout(
      `${JSON.stringify({ id: row.id, created: opened.created, status: row.status, title: row.title, url })}\n`,
    );
    io.stderr(`${opened.created ? 'opened' : 'already open'}: ${row.title}\n${url}\n`);
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
}

export function registerCaseCommands(
  program: Command,
  config: () => AppConfig,
  io: CasesCliIo = processIo,
): void {
  program
    .command('case:open')
    .description(
      'open a reinstatement case for an account (its suspended marketplace, or the one named), or from an alert',
    )
    .option('--account <id>', 'the account')
    .option('--marketplace <id>', 'the marketplace (default: the suspended one, else the one at risk)')
    .option('--alert <id>', 'start from this alert, with its context')
    .action(async (options: { account?: string; marketplace?: string; alert?: string }) => {
      process.exitCode = await runCaseOpen(config(), options, io);
    });
}
