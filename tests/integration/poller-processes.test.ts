import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '@good-standing/server/crypto/secrets.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { demoApp, startTestSimulator } from '../helpers/poller.ts';
import { freePort, spawnServerScript, waitFor, type Spawned } from '../helpers/processes.ts';

// Real poller processes on one Postgres: several instances share the fleet without polling anything twice,
// and an instance killed mid-cycle leaves nothing half-written for the next one to trip on.

const APP_SECRET = 'processes-test-secret-'.padEnd(48, 'z');
const ACCOUNTS = 12;

let sim: RunningSimulator;
const spawned: Spawned[] = [];

beforeAll(async () => {
  sim = await startTestSimulator({ accounts: 'none', reportProcessingMs: 500 });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(async () => {
  for (const s of spawned.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
  sim.state.clearFaults();
});

/** Connects `n` simulated sellers straight into the database, not yet due. */
async function seedAccounts(t: TestDatabase, n: number): Promise<Map<string, string>> {
  const box = new SecretBox(APP_SECRET);
  const sellers = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const seller = sim.state.addAccount({
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      scenario: 'healthy',
    });
    const row = await t.db
      .insertInto('seller_accounts')
      .values({
        seller_id: seller.sellerId,
        name: `Seller ${i}`,
        region: 'na',
        refresh_token_encrypted: box.seal(seller.refreshToken),
        next_poll_at: new Date(Date.now() + 3_600_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('account_marketplaces')
      .values({ account_id: row.id, marketplace_id: 'ATVPDKIKX0DER', country_code: 'US' })
      .execute();
    sellers.set(row.id, seller.sellerId);
  }
  return sellers;
}

async function startPoller(t: TestDatabase, extra: Record<string, string> = {}): Promise<Spawned> {
  const port = await freePort();
  const proc = spawnServerScript(
    'server.ts',
    [],
    {
      PORT: String(port),
      DATABASE_URL: t.url!,
      DATA_DIR: t.dataDir,
      APP_SECRET,
      ROLE: 'poller',
      LOG_LEVEL: 'warn',
      SPAPI_CLIENT_ID: demoApp.clientId,
      SPAPI_CLIENT_SECRET: demoApp.clientSecret,
      SPAPI_ENDPOINT: sim.url,
      POLL_DISPATCH_SECONDS: '1',
      REPORT_POLL_SECONDS: '1',
      POLL_CONCURRENCY: '3',
      ...extra,
    },
    t.dataDir,
  );
  spawned.push(proc);
  await waitFor(
    async () => ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok ? true : undefined),
    20_000,
    `poller process to start:\n${proc.output()}`,
  );
  return proc;
}

async function runsByAccount(t: TestDatabase) {
  return t.db.selectFrom('poll_runs').selectAll().orderBy('queued_at').execute();
}

describe('several poller processes on one database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('poll each account exactly once per cycle, sharing the work', async () => {
    const sellers = await seedAccounts(t, ACCOUNTS);
    sim.state.resetCounters();
    await Promise.all([startPoller(t), startPoller(t)]);
    await t.db.updateTable('seller_accounts').set({ next_poll_at: new Date() }).execute();

    await waitFor(
      async () => {
        const done = (await runsByAccount(t)).filter((r) => r.status === 'succeeded');
        return done.length >= ACCOUNTS ? true : undefined;
      },
      60_000,
      'every account to be polled',
    );
    // Give a duplicate poll, if the claims let one through, the time to show up.
    await new Promise((r) => setTimeout(r, 2_500));

    const runs = await runsByAccount(t);
    expect(runs).toHaveLength(ACCOUNTS);
    expect(new Set(runs.map((r) => r.account_id)).size).toBe(ACCOUNTS);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(new Set(runs.map((r) => r.instance_id)).size).toBe(2);

    const counters = sim.state.counters();
    for (const sellerId of sellers.values()) {
      expect(counters.bySeller[sellerId]?.createReport, sellerId).toBe(1);
    }
    const documents = await t.db.selectFrom('report_documents').select('account_id').execute();
    expect(documents).toHaveLength(ACCOUNTS);

    const accounts = await t.db.selectFrom('seller_accounts').selectAll().execute();
    for (const a of accounts) {
      expect(a.lease_owner).toBeNull();
      expect(a.next_poll_at.getTime()).toBeGreaterThan(Date.now());
    }
  });
});

describe('a poller process killed in the middle of ingesting', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('leaves no half-written report, and the next instance completes the cycle', async () => {
    await seedAccounts(t, 6);
    // Hold a lock on a table the ingest transaction writes last: the poller's ingests then stop inside their
    // transactions, after the document and metric rows are written and before commit. That is where it is killed.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table warning_states in access exclusive mode');
    try {
      const first = await startPoller(t, { POLL_LEASE_SECONDS: '5' });
      await t.db.updateTable('seller_accounts').set({ next_poll_at: new Date() }).execute();
      await waitFor(
        async () => {
          // Asked on another connection: inside the blocker's transaction pg_stat_activity would be a snapshot.
          const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
             where wait_event_type = 'Lock' and query ilike '%warning_states%'`.execute(t.db);
          return Number(rows[0]!.n) >= 2 ? true : undefined;
        },
        30_000,
        'ingest transactions to be open and waiting',
      );
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }

    // The killed transactions rolled back whole: no document without its snapshots, no snapshot without its document.
    const documents = await t.db.selectFrom('report_documents').select('id').execute();
    const metrics = await t.db.selectFrom('health_snapshots').select('id').execute();
    expect(documents).toEqual([]);
    expect(metrics).toEqual([]);
    const orphaned = (await runsByAccount(t)).filter((r) => r.status === 'running');
    expect(orphaned.length).toBeGreaterThanOrEqual(2);

    await startPoller(t, { POLL_LEASE_SECONDS: '5' });
    await waitFor(
      async () => {
        const accounts = await t.db.selectFrom('seller_accounts').select('last_success_at').execute();
        return accounts.every((a) => a.last_success_at !== null) ? true : undefined;
      },
      60_000,
      'the second instance to finish the cycle',
    );

    // The runs the killed instance left running were carried on, not replaced: each account has one run.
    const runs = await runsByAccount(t);
    expect(runs).toHaveLength(6);
    for (const run of orphaned) {
      expect(runs.find((r) => r.id === run.id)).toMatchObject({ status: 'succeeded', interruptions: 1 });
    }
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    const stored = await t.db
      .selectFrom('report_documents as d')
      .select((eb) => [
        'd.id',
        eb
          .selectFrom('metric_snapshots as m')
          .innerJoin('health_snapshots as s', 's.id', 'm.snapshot_id')
          .whereRef('s.report_document_id', '=', 'd.id')
          .select(eb.fn.countAll().as('n'))
          .as('metrics'),
        eb
          .selectFrom('health_snapshots as h')
          .whereRef('h.report_document_id', '=', 'd.id')
          .select(eb.fn.countAll().as('n'))
          .as('health'),
      ])
      .execute();
    expect(stored).toHaveLength(6);
    for (const doc of stored) {
      expect(Number(doc.metrics)).toBeGreaterThan(0);
      expect(Number(doc.health)).toBe(1);
    }
  });
});

describe('a poller process stopped with SIGTERM', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('exits at once while Amazon makes the reports, and the next start collects the same reports', async () => {
    const sellers = await seedAccounts(t, 3);
    sim.state.resetCounters();
    // The first look at a report comes 8 s after asking for it: the signal comes while every run waits.
    const proc = await startPoller(t, { REPORT_POLL_SECONDS: '8' });
    await t.db.updateTable('seller_accounts').set({ next_poll_at: new Date() }).execute();
    await waitFor(
      async () => {
        const waiting = (await runsByAccount(t)).filter((r) => r.status === 'waiting');
        return waiting.length === 3 ? true : undefined;
      },
      30_000,
      'runs to be waiting on their reports',
    );
    const stoppedAt = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    // Waiting holds nothing to hand back, so stopping does not wait for the grace period.
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);

    const parked = await runsByAccount(t);
    expect(parked.map((r) => r.status)).toEqual(['waiting', 'waiting', 'waiting']);
    const pending = await t.db.selectFrom('pending_reports').selectAll().execute();
    expect(pending).toHaveLength(3);
    for (const account of await t.db.selectFrom('seller_accounts').selectAll().execute()) {
      expect(account.lease_owner).toBeNull();
    }

    await startPoller(t, { REPORT_POLL_SECONDS: '8' });
    await waitFor(
      async () => {
        const done = (await runsByAccount(t)).filter((r) => r.status === 'succeeded');
        return done.length === 3 ? true : undefined;
      },
      30_000,
      'the next start to collect the reports',
    );
    const runs = await runsByAccount(t);
    expect(runs.map((r) => r.id)).toEqual(parked.map((r) => r.id));
    const documents = await t.db.selectFrom('report_documents').select('amazon_report_id').execute();
    expect(documents.map((d) => d.amazon_report_id).sort()).toEqual(
      pending.map((p) => p.amazon_report_id).sort(),
    );
    // One report asked of Amazon per seller, across both processes.
    for (const sellerId of sellers.values()) {
      expect(sim.state.counters().bySeller[sellerId]?.createReport, sellerId).toBe(1);
    }
    expect(await t.db.selectFrom('pending_reports').select('id').execute()).toEqual([]);
  });
});
