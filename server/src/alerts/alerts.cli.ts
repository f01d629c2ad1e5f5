import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { AppConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { ingestReport } from '../ingest/ingest-report.ts';
import { parseReportBytes } from '../reports/parse-seller-performance.ts';
import { nextCycle } from '../poller/schedule.ts';
import { evaluateMonitoring, evaluateReport, mergeSettings, type AlertEvent } from './alerts.service.ts';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './rules.ts';

// `alerts:backtest`: the rules, with the user's own thresholds, over saved reports, exactly as production runs them
// (stored, then evaluated) but in a throwaway embedded database and sending nothing. `alerts:evaluate`: the rules
// again over what is stored.

export interface AlertsCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: AlertsCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `2025-03-03T06-00-00Z…` (colons are not allowed in every file system) or `2025-03-03…` (midnight UTC). */
const NAME_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2})[-:](\d{2})(?:[-:](\d{2}))?(?:\.\d+)?Z)?/;

export function captureTimeOf(file: string): Date | null {
  const match = NAME_TIME.exec(basename(file));
  if (!match) return null;
  const [, day, h = '00', m = '00', s = '00'] = match;
  const at = new Date(`${day}T${h}:${m}:${s}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const SettingsFile = z
  .object({
    marginShare: z.number().gt(0).lte(1),
    trendHorizonDays: z.number().int().min(0).max(365),
    trendWindowDays: z.number().int().min(7).max(365),
    scoreDropPoints: z.number().min(0).max(1000),
    staleAfterCycles: z.number().min(1).max(100),
    // Not used by a backtest (it has no clock to renew against), but part of the settings the app shows, so a
    // file copied from them is taken as it is.
    renewalWarningDays: z.number().int().min(1).max(365),
    metrics: z.record(
      z.string(),
      z.object({ marginShare: z.number().gt(0).lte(1), trendHorizonDays: z.number().int().min(0) }).partial(),
    ),
  })
  .partial()
  .strict();

/** One line of the backtest's output. */
export function eventLine(e: AlertEvent): Record<string, unknown> {
  const d = e.details;
  const line: Record<string, unknown> = {
    at: e.at.toISOString(),
    event: e.event,
    alertId: e.alertId,
    rule: e.rule,
    severity: e.severity,
    marketplaceId: e.marketplaceId || null,
    subject: e.subject || null,
    title: e.title,
  };
  for (const key of ['metric', 'channel', 'windowDays', 'value', 'target', 'headroom', 'projectedBreachAt']) {
    if (d[key] !== undefined) line[key] = d[key];
  }
  return line;
}

const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/\s*[\r\n]+\s*/g, ' ').trim();

export async function runBacktest(
  files: string[],
  options: { settings?: string },
  io: AlertsCliIo = processIo,
): Promise<number> {
  let settings: AlertSettings = DEFAULT_ALERT_SETTINGS;
  if (options.settings) {
    try {
      const parsed = SettingsFile.safeParse(JSON.parse(await readFile(options.settings, 'utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        io.stderr(`error: ${options.settings}: ${issue.path.join('.') || 'settings'}: ${issue.message}\n`);
        return 1;
      }
      settings = mergeSettings(DEFAULT_ALERT_SETTINGS, parsed.data);
    } catch (error) {
      io.stderr(`error: cannot read the settings ${options.settings}: ${oneLine(error)}\n`);
      return 1;
    }
  }

  // Every file is read and checked before anything is stored: a bad one stops the run with nothing half done.
  const reports = [];
  for (const file of files) {
    const capturedAt = captureTimeOf(file);
    if (!capturedAt) {
      io.stderr(
        `error: ${file}: the file name must begin with its capture time (2025-03-03T06-00-00Z... or 2025-03-03...)\n`,
      );
      return 1;
    }
    try {
      const bytes = await readFile(file);
      reports.push({ file, capturedAt, bytes, report: parseReportBytes(bytes) });
    } catch (error) {
      io.stderr(`error: ${file}: ${oneLine(error)}\n`);
      return 1;
    }
  }
  reports.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime());

  const database = await createDatabase({ databaseUrl: undefined, dataDir: '', inMemory: true });
  const counts = { reports: 0, opened: 0, updated: 0, escalated: 0, resolved: 0 };
  try {
    await migrateToLatest(database.db);
    const account = await database.db
      .insertInto('seller_accounts')
      .values({ seller_id: 'ABACKTEST000', name: 'Backtest', region: 'na', poll_enabled: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const r of reports) {
      const stored = await ingestReport(database.db, {
        accountId: account.id,
        bytes: r.bytes,
        amazonReportId: null,
        amazonDocumentId: null,
        marketplaceIds: r.report.marketplaces.map((m) => m.marketplaceId),
        capturedAt: r.capturedAt,
        parsed: { ok: true, report: r.report },
      });
      counts.reports += 1;
      if (!stored.isNew) continue;
      const evaluated = await evaluateReport(database.db, stored.reportDocumentId, {
        now: r.capturedAt,
        settings,
      });
      for (const e of evaluated?.events ?? []) {
        counts[e.event] += 1;
        io.stdout(`${JSON.stringify(eventLine(e))}\n`);
      }
    }
  } finally {
    await database.close();
  }
  io.stderr(
    `${counts.reports} reports from ${reports[0]?.capturedAt.toISOString() ?? '-'} to ` +
      `${reports.at(-1)?.capturedAt.toISOString() ?? '-'}: ${counts.opened} opened, ${counts.updated} updated, ` +
      `${counts.escalated} escalated, ${counts.resolved} resolved\n`,
  );
  return 0;
}

export async function runEvaluate(
  config: AppConfig,
  options: { account?: string },
  io: AlertsCliIo = processIo,
): Promise<number> {
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const db = database.db;
    let accounts = db.selectFrom('seller_accounts').select(['id', 'name']);
    if (options.account) accounts = accounts.where('id', '=', options.account);
    const found = await accounts.execute();
    if (options.account && found.length === 0) {
      io.stderr(`error: no account ${options.account}\n`);
      return 1;
    }
    const now = new Date();
    const pollIntervalMs = nextCycle(config.poll.cron).lengthMs;
    let changes = 0;
    for (const account of found) {
      // The newest report of each marketplace is evaluated again: what holds now, with the settings of now.
      const newest = await db
        .updateTable('report_documents')
        .set({ evaluation_pending: true })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('health_snapshots')
            .select('report_document_id')
            .distinctOn('marketplace_id')
            .where('account_id', '=', account.id)
            .where('report_document_id', 'is not', null)
            .orderBy('marketplace_id')
            .orderBy('captured_at', 'desc')
            .$narrowType<{ report_document_id: string }>(),
        )
        .returning(['id', 'captured_at'])
        .execute();
      const events: AlertEvent[] = [];
      for (const report of newest.sort((a, b) => a.captured_at.getTime() - b.captured_at.getTime())) {
        events.push(...((await evaluateReport(db, report.id, { now }))?.events ?? []));
      }
      events.push(...(await evaluateMonitoring(db, account.id, { now, pollIntervalMs })));
      for (const e of events) io.stdout(`${account.name}: ${e.event} ${e.severity} ${e.rule}: ${e.title}\n`);
      changes += events.length;
    }
    io.stderr(
      `${found.length} ${found.length === 1 ? 'account' : 'accounts'} evaluated: ${changes} changes\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

export function registerAlertCommands(
  program: Command,
  config: () => AppConfig,
  io: AlertsCliIo = processIo,
): void {
  program
    .command('alerts:backtest')
    .description(
      'replay saved report documents (file names begin with their capture time) through the alert rules and ' +
        'print every alert event as a JSON line; nothing is sent',
    )
    .option('--settings <file>', 'alert settings as JSON (marginShare, trendHorizonDays, metrics...)')
    .argument('<files...>', '.json or .json.gz report documents')
    .action(async (files: string[], options: { settings?: string }) => {
      process.exitCode = await runBacktest(files, options, io);
    });
  program
    .command('alerts:evaluate')
    .description("evaluate the alert rules again over each account's newest reports and print what changed")
    .option('--account <id>', 'one account only')
    .action(async (options: { account?: string }) => {
      process.exitCode = await runEvaluate(config(), options, io);
    });
}
