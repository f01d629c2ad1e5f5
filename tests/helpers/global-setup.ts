import pg from 'pg';

// Fails the run early with one clear line when the Postgres the tests need is not there; then compacts its
// system catalogs (below).
export default async function setup(): Promise<void> {
  const url = testDatabaseUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    await client.end().catch(() => {});
    throw new Error(
      `tests need PostgreSQL at ${where(url)} (set TEST_DATABASE_URL): ${(err as Error).message}. ` +
        'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
  }
  try {
    await compactCatalogs(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// Every test file makes a schema of its own and drops it, so each run leaves dead rows in the system catalogs for
// thousands of tables. With autovacuum off (as on the machines these tests run on) they pile up run after run:
// pg_attribute was seen at 185 MB, which made every migration three to four times slower and pushed catalog
// queries over the JIT threshold. Rewriting the catalogs takes under a second; a role that may not skips it.
const CATALOGS = [
  'pg_class',
  'pg_attribute',
  'pg_attrdef',
  'pg_constraint',
  'pg_depend',
  'pg_description',
  'pg_index',
  'pg_namespace',
  'pg_statistic',
  'pg_type',
];

async function compactCatalogs(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ superuser: boolean }>(
    'select rolsuper as superuser from pg_roles where rolname = current_user',
  );
  if (!rows[0]?.superuser) return;
  await client
    .query(`vacuum full analyze ${CATALOGS.map((name) => `pg_catalog.${name}`).join(', ')}`)
    .catch(() => undefined);
}

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** Host, port and database of a connection string, never its password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}
