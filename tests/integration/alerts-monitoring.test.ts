import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMonitoring } from '@good-standing/server/alerts/alerts.service.ts';
import { writeSetting } from '@good-standing/server/settings/settings.repository.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

// The monitoring rules over real Postgres, as the engine runs them for each account: the yearly renewal of the
// authorization, noticed a month ahead, warned of in its last week, and resolved once the seller has renewed.

const DAY = 86_400_000;
const HOUR = 3_600_000;
const POLL = 4 * HOUR;
const authorizedAt = new Date('2026-01-10T12:00:00Z');
const renewBy = new Date('2027-01-10T12:00:00Z');

let t: TestDatabase;

async function addAccount(sellerId: string, settings: Record<string, unknown> = {}): Promise<string> {
  const { id } = await t.db
    .insertInto('seller_accounts')
    .values({
      seller_id: sellerId,
      name: sellerId,
      region: 'na',
      poll_enabled: false,
      created_at: authorizedAt,
      authorized_at: authorizedAt,
      settings: JSON.stringify(settings),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** The account polled well an hour before `now`, then its monitoring rules evaluated at `now`. */
async function monitorAt(accountId: string, now: Date, polledAt = new Date(now.getTime() - HOUR)) {
  await t.db
    .updateTable('seller_accounts')
    .set({ last_good_poll_at: polledAt })
    .where('id', '=', accountId)
    .execute();
  const events = await evaluateMonitoring(t.db, accountId, { now, pollIntervalMs: POLL });
  return events.filter((e) => e.rule === 'authorization_renewal');
}

const daysBefore = (days: number) => new Date(renewBy.getTime() - days * DAY);

beforeAll(async () => {
  t = await createTestDatabase('postgres');
});
afterAll(async () => {
  await t?.destroy();
});

describe('authorization_renewal', () => {
  it('gives notice a month ahead, warns in the last week, and resolves once the seller has renewed', async () => {
    const id = await addAccount('A1RENEWAL');
    expect(await monitorAt(id, daysBefore(31))).toEqual([]);

    const [opened] = await monitorAt(id, daysBefore(30));
    expect(opened).toMatchObject({
      event: 'opened',
      severity: 'info',
      marketplaceId: '',
      subject: '2027-01-10',
      title: expect.stringContaining('2027-01-10'),
      details: { authorizedAt: '2026-01-10T12:00:00.000Z', renewBy: '2027-01-10T12:00:00.000Z' },
    });
    expect(await monitorAt(id, daysBefore(20))).toEqual([]);

    expect(await monitorAt(id, daysBefore(7))).toMatchObject([
      { event: 'escalated', severity: 'warning', alertId: opened!.alertId },
    ]);
    // Past the date with no good poll since, it stays open.
    expect(await monitorAt(id, new Date(renewBy.getTime() + HOUR), daysBefore(1))).toEqual([]);

    // A poll that succeeds after the date shows the authorization was renewed.
    expect(await monitorAt(id, new Date(renewBy.getTime() + 2 * HOUR))).toMatchObject([
      { event: 'resolved', alertId: opened!.alertId },
    ]);
    const alert = await t.db
      .selectFrom('alerts')
      .select(['state', 'severity'])
      .where('id', '=', opened!.alertId)
      .executeTakeFirstOrThrow();
    expect(alert).toEqual({ state: 'resolved', severity: 'warning' });
    expect(await monitorAt(id, new Date(renewBy.getTime() + 300 * DAY))).toEqual([]);
  });

  it('resolves as soon as the seller reconnects, and counts the next renewal from then', async () => {
    const id = await addAccount('A5RENEWAL');
    const [opened] = await monitorAt(id, daysBefore(5));
    expect(opened).toMatchObject({ event: 'opened', severity: 'warning' });
    const reconnectedAt = daysBefore(4);
    await t.db
      .updateTable('seller_accounts')
      .set({ authorized_at: reconnectedAt })
      .where('id', '=', id)
      .execute();
    expect(await monitorAt(id, daysBefore(3.9))).toMatchObject([
      { event: 'resolved', alertId: opened!.alertId },
    ]);
    const nextDue = new Date(reconnectedAt.getTime() + 365 * DAY);
    expect(await monitorAt(id, new Date(nextDue.getTime() - 31 * DAY))).toEqual([]);
    expect(await monitorAt(id, new Date(nextDue.getTime() - 29 * DAY))).toMatchObject([
      { event: 'opened', subject: nextDue.toISOString().slice(0, 10) },
    ]);
  });

  it('gives way to `reauthorization` when Amazon refuses the authorization', async () => {
    const id = await addAccount('A2RENEWAL');
    expect(await monitorAt(id, daysBefore(3))).toMatchObject([{ event: 'opened', severity: 'warning' }]);
    await t.db
      .updateTable('seller_accounts')
      .set({ connection_state: 'needs_reauthorization', last_good_poll_at: daysBefore(2.1) })
      .where('id', '=', id)
      .execute();
    const events = await evaluateMonitoring(t.db, id, { now: daysBefore(2), pollIntervalMs: POLL });
    expect(events.map((e) => [e.rule, e.event])).toEqual([
      ['reauthorization', 'opened'],
      ['authorization_renewal', 'resolved'],
    ]);
  });

  it("follows renewalWarningDays, the account's own over the global setting", async () => {
    await writeSetting(t.db, 'alerts', { renewalWarningDays: 10 });
    try {
      const global = await addAccount('A3RENEWAL');
      const own = await addAccount('A4RENEWAL', { alerts: { renewalWarningDays: 60 } });
      expect(await monitorAt(global, daysBefore(20))).toEqual([]);
      expect(await monitorAt(global, daysBefore(10))).toMatchObject([{ event: 'opened', severity: 'info' }]);
      expect(await monitorAt(own, daysBefore(45))).toMatchObject([{ event: 'opened', severity: 'info' }]);
    } finally {
      await t.db.deleteFrom('settings').where('key', '=', 'alerts').execute();
    }
  });
});
