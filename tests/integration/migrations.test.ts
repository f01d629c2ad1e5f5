import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '@good-standing/migrations';
import { migrateDown, migrateToLatest, migrationStatus } from '@good-standing/server/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

async function tables(t: TestDatabase): Promise<string[]> {
  const result = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema() and table_name not like 'kysely_%' order by table_name`.execute(
    t.db,
  );
  return result.rows.map((r) => r.table_name);
}

describe.each(['postgres', 'pglite'] as const)('migrations on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine, { migrate: false });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('applies all, rolls every one back, and applies again', async () => {
    const names = Object.keys(migrations).sort();
    expect(await migrateToLatest(t.db)).toEqual(names);
    expect(await migrationStatus(t.db)).toEqual({ applied: names, pending: [] });
    const created = await tables(t);
    expect(created).toEqual(
      expect.arrayContaining([
        'seller_accounts',
        'account_marketplaces',
        'poll_runs',
        'report_documents',
        'metric_snapshots',
        'health_snapshots',
        'metric_latest',
        'account_status_history',
        'warning_states',
        'alerts',
        'alert_events',
        'outbox_messages',
        'reinstatement_cases',
        'case_events',
        'users',
        'sessions',
        'settings',
        'oauth_states',
      ]),
    );

    for (let i = names.length - 1; i >= 0; i--) expect(await migrateDown(t.db)).toEqual([names[i]]);
    expect(await tables(t)).toEqual([]);
    expect((await migrationStatus(t.db)).pending).toEqual(names);

    expect(await migrateToLatest(t.db)).toEqual(names);
    expect(await tables(t)).toEqual(created);
    expect(await migrateToLatest(t.db)).toEqual([]);
  });
});

describe('the Account Health Rating band migration', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('works the stored bands out again from the stored scores, and names them as Seller Central does', async () => {
    // Back to just before it, whatever came after.
    for (let rolled: string[] = []; rolled[0] !== '2026_12_01_1500_ahr_band_from_score';) {
      rolled = await migrateDown(t.db);
      expect(rolled).toHaveLength(1);
    }
    const account = await t.db
      .insertInto('seller_accounts')
      .values({ seller_id: 'A1BANDMIGRATE', name: 'Bands', region: 'na' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows = [
      { marketplace_id: 'WARNED40', ahr_status: 'WARNED', ahr_score: 40, ahr_band: 'at_risk' },
      { marketplace_id: 'GREAT150', ahr_status: 'GREAT', ahr_score: 150, ahr_band: 'healthy' },
      { marketplace_id: 'CRITICAL', ahr_status: 'CRITICAL', ahr_score: null, ahr_band: 'unhealthy' },
      { marketplace_id: 'WARNED', ahr_status: 'WARNED', ahr_score: null, ahr_band: 'at_risk' },
    ];
    await t.db
      .insertInto('account_marketplaces')
      .values(rows.map((r) => ({ ...r, account_id: account.id })))
      .execute();
    await migrateToLatest(t.db);
    const after = await t.db
      .selectFrom('account_marketplaces')
      .select(['marketplace_id', 'ahr_band'])
      .where('account_id', '=', account.id)
      .orderBy('marketplace_id')
      .execute();
    expect(Object.fromEntries(after.map((r) => [r.marketplace_id, r.ahr_band]))).toEqual({
      CRITICAL: 'critical',
      GREAT150: 'at_risk',
      WARNED: 'at_risk',
      WARNED40: 'critical',
    });
  });
});

describe('migrations on two Postgres schemas at once', () => {
  let neighbour: TestDatabase | undefined;
  let a: TestDatabase | undefined;
  let b: TestDatabase | undefined;
  afterAll(async () => {
    await Promise.all([neighbour?.destroy(), a?.destroy(), b?.destroy()]);
  });

  // Regression: Kysely looked for its bookkeeping tables in every schema, so a fresh schema's migrator saw
  // another schema's kysely_migration, skipped creating its own and failed with "relation
  // kysely_migration_lock does not exist". Racing two fresh schemas alone rarely shows it; an already migrated
  // neighbour (as other test files or another app provide) always does.
  it('keeps each schema to its own migration history', async () => {
    neighbour = await createTestDatabase('postgres');
    [a, b] = await Promise.all([
      createTestDatabase('postgres', { migrate: false }),
      createTestDatabase('postgres', { migrate: false }),
    ]);
    const names = Object.keys(migrations).sort();
    expect(await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)])).toEqual([names, names]);

    for (const t of [a, b]) {
      expect(await migrationStatus(t.db)).toEqual({ applied: names, pending: [] });
      const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables
        where table_schema = ${t.location} and table_name like 'kysely_migration%' order by table_name`.execute(
        t.db,
      );
      expect(rows.map((r) => r.table_name)).toEqual(['kysely_migration', 'kysely_migration_lock']);
    }
  });
});
