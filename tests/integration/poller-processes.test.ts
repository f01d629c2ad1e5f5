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

describe('a poller process killed mid-cycle', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('leaves no half-written report, and the next instance completes the cycle', async () => {
    await seedAccounts(t, 6);
    // Slow document downloads keep polls in flight long enough to be cut off.
    sim.state.injectFault({ type: 'latency', operation: 'downloadDocument', ms: 4_000 });
    const first = await startPoller(t, { POLL_LEASE_SECONDS: '5' });
    await t.db.updateTable('seller_accounts').set({ next_poll_at: new Date() }).execute();
    await waitFor(
      async () => {
        const running = (await runsByAccount(t)).filter(
          (r) => r.status === 'running' && r.phase === 'fetching_report',
        );
        return running.length >= 3 ? true : undefined;
      },
      30_000,
      'polls to be in flight',
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // Whatever landed before the kill is whole: every stored report has all of its snapshots.
    const partial = await t.db
      .selectFrom('report_documents as d')
      .leftJoin('metric_snapshots as m', 'm.report_document_id', 'd.id')
      .select(['d.id'])
      .where('d.parse_status', '=', 'parsed')
      .groupBy('d.id')
      .having((eb) => eb.fn.count('m.id'), '=', 0)
      .execute();
    expect(partial).toEqual([]);
    const orphaned = (await runsByAccount(t)).filter((r) => r.status === 'running');
    expect(orphaned.length).toBeGreaterThan(0);

    sim.state.clearFaults();
    await startPoller(t, { POLL_LEASE_SECONDS: '5' });
    await waitFor(
      async () => {
        const accounts = await t.db.selectFrom('seller_accounts').select('last_success_at').execute();
        return accounts.every((a) => a.last_success_at !== null) ? true : undefined;
      },
      60_000,
      'the second instance to finish the cycle',
    );

    const runs = await runsByAccount(t);
    for (const run of orphaned) {
      const after = runs.find((r) => r.id === run.id)!;
      expect(after).toMatchObject({ status: 'abandoned', error_code: 'INSTANCE_LOST' });
    }
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    const documents = await t.db.selectFrom('report_documents').select(['account_id', 'sha256']).execute();
    expect(new Set(documents.map((d) => `${d.account_id}:${d.sha256}`)).size).toBe(documents.length);
    expect(new Set(documents.map((d) => d.account_id)).size).toBe(6);
  });
});
