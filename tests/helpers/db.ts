import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database, type Engine } from '@good-standing/server/db/database.ts';
import { migrateToLatest } from '@good-standing/server/db/migrate.ts';
import { testDatabaseUrl } from './global-setup.ts';

export interface TestDatabase extends Database {
  /** The Postgres schema (real Postgres) or data folder (PGlite) this test file owns. */
  location: string;
  /** Connection string that reaches the same schema (real Postgres only). */
  url?: string;
  dataDir: string;
  /** Drops everything this file created. */
  destroy(): Promise<void>;
}

/**
 * A database of its own for one test file: a fresh schema on the real Postgres, or a fresh PGlite folder.
 * Migrated unless `migrate: false`.
 */
export async function createTestDatabase(
  engine: Engine = 'postgres',
  { migrate = true }: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-test-'));
  if (engine === 'pglite') {
    const database = await createDatabase({ databaseUrl: undefined, dataDir });
    if (migrate) await migrateToLatest(database.db);
    return {
      ...database,
      location: dataDir,
      dataDir,
      destroy: async () => {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const database = await createDatabase({
    databaseUrl: testDatabaseUrl(),
    dataDir,
    searchPath: schema,
    poolSize: 5,
  });
  if (migrate) await migrateToLatest(database.db);
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    ...database,
    location: schema,
    url: url.toString(),
    dataDir,
    destroy: async () => {
      await database.close();
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      await client.query(`drop schema "${schema}" cascade`);
      await client.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
