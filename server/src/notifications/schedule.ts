import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../db/schema.ts';
import { queueDigests, type DigestSource } from './digest.ts';
import { queueReminders } from './reminders.ts';
import { readDeliverySettings } from './notification-settings.ts';
import { queueCaseMail } from '../cases/case-mail.ts';

// Once a minute: the reminders of unacknowledged critical alerts, the digests whose local time has come, and the
// cases' deadline reminders and reinstatement news. All queue into the outbox, and the worker is woken to send
// what they queued.

export class NotificationSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: FastifyBaseLogger,
    private readonly source: DigestSource,
    private readonly base: string,
    private readonly onQueued: () => void,
    private readonly everyMs = 60_000,
    private readonly caseReminderHours: readonly number[] = [72, 24],
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
    this.tick();
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.pass()
      .then(() => undefined)
      .catch((err: unknown) => this.log.error({ err }, 'queueing reminders and digests failed; trying again'))
      .finally(() => {
        this.running = undefined;
      });
  }

  async pass(now = new Date()): Promise<{ reminders: number; digests: number; cases: number }> {
    const settings = await readDeliverySettings(this.db);
    const reminders = await queueReminders(this.db, now, settings.reminderHours);
    const digests = await queueDigests(this.db, now, this.source, this.base);
    const cases = await queueCaseMail(this.db, now, this.base, this.caseReminderHours);
    if (reminders + digests + cases > 0) {
      this.log.info({ reminders, digests, cases }, 'queued reminders, digests and case messages');
      this.onQueued();
    }
    return { reminders, digests, cases };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
