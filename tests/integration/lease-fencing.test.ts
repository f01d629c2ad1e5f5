import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Poller } from '@good-standing/server/poller/poller.ts';
import type { PollSummary } from '@good-standing/server/poller/run-poll.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, startTestSimulator } from '../helpers/poller.ts';
import { waitFor } from '../helpers/processes.ts';

// A step whose lease expires while it still runs (renewals failing through a database outage longer than the
// lease) must not poll the same account twice: this instance does not claim it again, and when another instance
// takes it over with a new fencing token, the first step can neither store its report nor give the account back.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let accountId: string;

const POLL = {
  cron: '0 */4 * * *',
  concurrency: 4,
  // Long enough that no renewal happens during the test: the expiry below stands for renewals that failed.
  leaseSeconds: 120,
  reportDeadlineMs: 20_000,
  reportPollIntervalMs: 200,
  reuseWithinMs: 60 * 60_000,
};

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator();
  app = await buildPollingApp(t, sim);
  accountId = await connectDemoAccount(app, 'healthy');
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

describe('a poll whose lease expired', () => {
  it('is not polled twice, and the step that lost the account stores nothing', async () => {
    // The download is slow, so the first step is still collecting the report when its lease runs out.
    sim.state.injectFault({ type: 'latency', operation: 'downloadDocument', ms: 3_000 });
    const first = app.poller.pollNow([accountId]);
    const open = await waitFor(
      async () => {
        const run = await t.db
          .selectFrom('poll_runs')
          .select(['id', 'phase'])
          .where('account_id', '=', accountId)
          .where('status', '=', 'running')
          .executeTakeFirst();
        return run?.phase === 'downloading' ? run : undefined;
      },
      10_000,
      'the first step to download its report',
    );
    await sql`update seller_accounts set lease_expires_at = now() - interval '1 second' where id = ${accountId}`.execute(
      t.db,
    );

    // The same instance: the account is still being polled here, lease or not.
    const again = await app.poller.pollNow([accountId]);
    expect(again).toEqual([{ accountId, skipped: 'being polled by another instance' }]);

    // Another instance takes the account over and carries the same run on.
    const other = new Poller(
      { db: t.db, clients: app.spapiClients, log: app.log },
      { ...POLL, instanceId: 'other' },
    );
    const [takeover] = (await other.pollNow([accountId])) as PollSummary[];
    // The first step lost the account: it follows the run it started to the verdict the other instance gave.
    const [followed] = (await first) as PollSummary[];

    expect(takeover).toMatchObject({ runId: open.id, status: 'succeeded', outcome: 'ingested' });
    expect(followed).toMatchObject({ runId: open.id, status: 'succeeded' });
    const documents = await t.db
      .selectFrom('report_documents')
      .select(['id', 'amazon_report_id'])
      .where('account_id', '=', accountId)
      .execute();
    expect(documents).toHaveLength(1);
    const runs = await t.db
      .selectFrom('poll_runs')
      .select(['id', 'status', 'error_code', 'instance_id', 'report_document_id', 'interruptions'])
      .where('account_id', '=', accountId)
      .orderBy('queued_at')
      .execute();
    // One run, finished by the instance that took it over; the interrupted step is counted, and stored nothing.
    expect(runs).toEqual([
      {
        id: open.id,
        status: 'succeeded',
        error_code: null,
        instance_id: 'other',
        report_document_id: documents[0]!.id,
        interruptions: 1,
      },
    ]);
    // The account was given back once, by the step that held it, with no lease left behind.
    const account = await t.db
      .selectFrom('seller_accounts')
      .select(['lease_owner', 'lease_token', 'lease_expires_at', 'connection_state'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({
      lease_owner: null,
      lease_token: null,
      lease_expires_at: null,
      connection_state: 'connected',
    });
    const pending = await t.db
      .selectFrom('pending_reports')
      .select('id')
      .where('run_id', '=', open.id)
      .execute();
    expect(pending).toEqual([]);
    await other.stop();
  });
});
