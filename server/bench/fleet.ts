// What the poller benchmarks share: the simulator in its own process, a database of their own, and a fleet of
// simulated sellers connected in it.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../src/db/database.ts';
import type { SecretBox } from '../src/crypto/secrets.ts';

export interface SimulatorProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The simulator in its own process, so the poller's CPU and memory figures are the poller's. */
export async function startSimulatorProcess(plans: {
  rateScale: number;
  burstScale: number;
  reportMs: number;
  /** 0 (the default): any free port. */
  port?: number;
}): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      path.join(import.meta.dirname, 'simulator-process.ts'),
      String(plans.rateScale),
      String(plans.burstScale),
      String(plans.reportMs),
      String(plans.port ?? 0),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url: (JSON.parse(line) as { url: string }).url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function benchDatabaseUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test'
  );
}

/** A schema of its own on the bench's Postgres, dropped afterwards; PGlite when no Postgres answers. */
export async function openDatabase(
  dataDir: string,
): Promise<{ database: Database; label: string; drop(): Promise<void> }> {
  const url = benchDatabaseUrl();
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    await admin.end();
  } catch {
    await admin.end().catch(() => {});
    const database = await createDatabase({ databaseUrl: undefined, dataDir });
    return { database, label: 'PGlite (no Postgres reachable)', drop: async () => {} };
  }
  const database = await createDatabase({ databaseUrl: url, dataDir, searchPath: schema, poolSize: 20 });
  return {
    database,
    label: `PostgreSQL (${new URL(url).host}, schema ${schema})`,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema "${schema}" cascade`);
      await c.end();
    },
  };
}

export async function simJson<T>(url: string, pathname: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${url}${pathname}`, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** User plus system CPU of another process, in ms (Linux: /proc/<pid>/stat); undefined elsewhere. */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Sellers in the simulator, connected in the database (healthy; the US marketplace unless told others). Returns
 * the account ids.
 */
export async function connectSellers(
  simUrl: string,
  database: Database,
  secrets: SecretBox,
  count: number,
  name: string,
  marketplaceIds: readonly string[] = ['ATVPDKIKX0DER'],
): Promise<string[]> {
  const connected: string[] = [];
  for (let i = 0; i < count; i++) {
    const seller = await simJson<{ sellerId: string; refreshToken: string }>(simUrl, '/_sim/accounts', {
      method: 'POST',
      body: JSON.stringify({
        region: 'na',
        marketplaceIds,
        scenario: 'healthy',
        name: `${name} ${i}`,
      }),
    });
    const row = await database.db
      .insertInto('seller_accounts')
      .values({
        seller_id: seller.sellerId,
        name: `${name} ${i}`,
        region: 'na',
        refresh_token_encrypted: secrets.seal(seller.refreshToken),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('account_marketplaces')
      .values(marketplaceIds.map((marketplace_id) => ({ account_id: row.id, marketplace_id })))
      .execute();
    connected.push(row.id);
  }
  return connected;
}
