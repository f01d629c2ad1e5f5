import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

// Instance-wide settings: small JSON values by key (the demo's simulator address today; mail and alert settings
// later).

type Db = Kysely<DB> | Transaction<DB>;

export async function readSetting(db: Db, key: string): Promise<unknown> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function writeSetting(db: Db, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: new Date() }))
    .execute();
}
