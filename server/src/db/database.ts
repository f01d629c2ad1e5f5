import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { PGliteDialect } from './pglite-dialect.ts';

export type Engine = 'postgres' | 'pglite';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Pings the database; false when it is unreachable (used by the health check). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Postgres schema to use (tests isolate each file in its own). */
  searchPath?: string;
  poolSize?: number;
}

// bigint/bigserial stay strings (as pg returns them) so ids keep full precision on both engines.
const INT8_OID = 20;

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? createPostgres(options.databaseUrl, options) : createPglite(options);
}

async function createPostgres(databaseUrl: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    // A restarted database kills idle connections; pg drops them and opens new ones on demand.
    idleTimeoutMillis: 30_000,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // Without a listener, an idle client losing its connection (database restart) crashes the process.
  pool.on('error', () => {});
  return wrap(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
}

async function createPglite(options: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = path.join(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create(dir, { parsers: { [INT8_OID]: (value: string) => value } });
  if (options.searchPath) {
    await pglite.exec(
      `create schema if not exists "${options.searchPath}"; set search_path to "${options.searchPath}"`,
    );
  }
  return wrap(new Kysely<DB>({ dialect: new PGliteDialect(pglite) }), 'pglite');
}

function wrap(db: Kysely<DB>, engine: Engine): Database {
  // Kysely would quietly reconnect a destroyed instance on the next query; a closed Database stays closed.
  let closed = false;
  return {
    db,
    engine,
    ping: async (timeoutMs) => !closed && ping(db, timeoutMs),
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

async function ping(db: Kysely<DB>, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const query = sql`select 1`.execute(db).then(
      () => true,
      () => false,
    );
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
