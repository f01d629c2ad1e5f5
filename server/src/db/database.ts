import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.ts';

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
  /** Embedded only: keep everything in memory, nothing under dataDir (a throwaway database). */
  inMemory?: boolean;
  /** Postgres schema to use (tests isolate each file in its own). */
  searchPath?: string;
  poolSize?: number;
  /** Told when an idle connection drops (a database restart); the pool opens a new one on demand. */
  onConnectionLost?: (err: Error) => void;
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
  // Without a listener, a client losing its connection (database restart) crashes the process: the pool listens
  // to idle clients only, so each client gets one of its own for the time it is checked out. The query in
  // flight fails on its own and answers 503.
  pool.on('error', (err) => options.onConnectionLost?.(err));
  pool.on('connect', (client) => client.on('error', (err) => options.onConnectionLost?.(err)));
  return wrap(new Kysely<DB>({ dialect: new CurrentSchemaPostgresDialect({ pool }) }), 'postgres');
}

async function createPglite(options: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (options.inMemory) {
    const memory = await PGlite.create({ parsers: { [INT8_OID]: (value: string) => value } });
    return wrap(new Kysely<DB>({ dialect: new PGliteDialect(memory) }), 'pglite');
  }
  const dir = path.join(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const lock = await lockDataDir(dir);
  let pglite;
  try {
    pglite = await PGlite.create(dir, { parsers: { [INT8_OID]: (value: string) => value } });
  } catch (err) {
    await lock.release();
    throw err;
  }
  if (options.searchPath) {
    await pglite.exec(
      `create schema if not exists "${options.searchPath}"; set search_path to "${options.searchPath}"`,
    );
  }
  return wrap(new Kysely<DB>({ dialect: new PGliteDialect(pglite) }), 'pglite', lock.release);
}

function wrap(db: Kysely<DB>, engine: Engine, afterClose?: () => Promise<void>): Database {
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
      await afterClose?.();
    },
  };
}

/**
 * PGlite is the database engine inside this process: a second process opening the same folder would not see the
 * first one's writes and would corrupt it. A lock file with the owner's pid refuses that with a clear message;
 * a lock left by a process that no longer runs is taken over.
 */
async function lockDataDir(dir: string): Promise<{ release(): Promise<void> }> {
  const file = path.join(dir, '..', 'pglite.lock');
  const inUse = (owner: number) =>
    new Error(
      `the embedded database in ${dir} is in use by process ${owner}; stop it first, or set DATABASE_URL to share a Postgres server`,
    );
  if (lockedHere.has(file)) throw inUse(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      lockedHere.add(file);
      return {
        release: async () => {
          lockedHere.delete(file);
          await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      // Our own pid in the file is a lock left by an earlier process that had the same pid (a container's
      // PID 1 after a crash), since this process has not locked it (checked above).
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner))
        throw inUse(owner);
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock the embedded database in ${dir}`);
}

/** Lock files this process holds. */
const lockedHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
