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
        'policy_snapshots',
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
