import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { pendingEvaluations } from '../documents/documents.repository.ts';
import { evaluateMonitoring, evaluateReport, type AlertEvent } from './alerts.service.ts';

// The alert engine drains the durable hand-off ingest writes (`report_documents.evaluation_pending`): each report
// is evaluated once, in the transaction that marks it evaluated, so a crash between the two leaves it pending and
// it is evaluated again, and two instances skip what the other holds. It wakes on a short timer and whenever a
// poll stores a report (`kick`), and checks every account's monitoring rules (stale data, authorization) on a
// longer one.

/** Accounts evaluated at once by one instance: the pool's connections are shared with polls and requests. */
const EVALUATION_LANES = 3;

export interface AlertEngineOptions {
  /** How often pending reports are looked for when nobody kicks. */
  everyMs: number;
  /** How often every account's monitoring rules are checked. */
  monitoringEveryMs: number;
  /** The polling cycle's length: stale data is counted in cycles. */
  pollIntervalMs: number;
}

export class AlertEngine {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastMonitoring = 0;
  private stopped = false;
  private readonly listeners: Array<(events: AlertEvent[]) => void> = [];

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: FastifyBaseLogger,
    private readonly options: AlertEngineOptions,
  ) {}

  /** Called with the events of each evaluation (delivery subscribes here). */
  onEvents(listener: (events: AlertEvent[]) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.everyMs);
    this.timer.unref();
    this.kick();
  }

  /** Evaluates what is pending now; a kick during a pass runs one more pass after it. */
  kick(): void {
    // Not started (a web-only instance, the CLI, a test driving passes itself): whoever runs it evaluates.
    if (this.stopped || !this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .then(() => undefined)
      .catch((err: unknown) => this.log.error({ err }, 'evaluating alerts failed; trying again shortly'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass: every pending report, oldest first, then the monitoring rules when they are due. */
  async pass(now = new Date()): Promise<AlertEvent[]> {
    const all: AlertEvent[] = [];
    for (;;) {
      const pending = await pendingEvaluations(this.db, 100);
      let evaluated = 0;
      // A few accounts at a time (most of an evaluation is waiting on the database), each account's reports in
      // the order they were stored: an alert's lifecycle follows its reports one by one.
      const byAccount = new Map<string, typeof pending>();
      for (const report of pending) {
        byAccount.set(report.account_id, [...(byAccount.get(report.account_id) ?? []), report]);
      }
      const queue = [...byAccount.values()];
      const lane = async () => {
        for (let reports = queue.shift(); reports; reports = queue.shift()) {
          for (const report of reports) {
            if (this.stopped) return;
            const result = await evaluateReport(this.db, report.id);
            if (!result) continue;
            evaluated += 1;
            this.publish(result.events);
            all.push(...result.events);
          }
        }
      };
      await Promise.all(Array.from({ length: EVALUATION_LANES }, lane));
      if (this.stopped) return all;
      // Reports another instance holds stay pending for it: do not spin on them.
      if (pending.length < 100 || evaluated === 0) break;
    }
    if (now.getTime() - this.lastMonitoring >= this.options.monitoringEveryMs) {
      this.lastMonitoring = now.getTime();
      const accounts = await this.db.selectFrom('seller_accounts').select('id').execute();
      for (const { id } of accounts) {
        if (this.stopped) return all;
        const events = await evaluateMonitoring(this.db, id, {
          now,
          pollIntervalMs: this.options.pollIntervalMs,
        });
        this.publish(events);
        all.push(...events);
      }
    }
    return all;
  }

  private publish(events: AlertEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) {
      this.log.info(
        { alertId: e.alertId, event: e.event, rule: e.rule, severity: e.severity, accountId: e.accountId },
        `alert ${e.event}: ${e.title}`,
      );
    }
    for (const listener of this.listeners) listener(events);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
