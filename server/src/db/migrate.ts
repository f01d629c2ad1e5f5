import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { migrationProvider } from '@good-standing/migrations';

/* eslint-disable @typescript-eslint/no-explicit-any -- the migrator works on any schema, typed or not */

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

async function migratorFor(db: Kysely<any>): Promise<Migrator> {
  // Kysely looks for its bookkeeping tables in every schema unless told which: name ours, or a database with
  // several schemas (one per test file, or another app's) would see someone else's migration history.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider: migrationProvider, migrationTableSchema: rows[0]?.schema ?? 'public' });
}

function unwrap(result: MigrationResultSet, direction: string): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${direction} failed${failed ? ` at ${failed}` : ''}: ${reason}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names that ran. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return unwrap(await (await migratorFor(db)).migrateToLatest(), 'up');
}

/** Rolls back one migration; returns its name (empty when there was none). */
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return unwrap(await (await migratorFor(db)).migrateDown(), 'down');
}

export async function migrationStatus(db: Kysely<any>): Promise<MigrationReport> {
  const all = await (await migratorFor(db)).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
