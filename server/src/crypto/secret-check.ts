import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from './secrets.ts';

const CHECK_KEY = 'secret_key_check';
const CHECK_PLAINTEXT = 'good-standing';

/**
 * Refuses to start with an APP_SECRET other than the one this database's secrets were sealed with: better one
 * clear line at start than every account failing to poll later.
 */
export async function verifySecretKey(db: Kysely<DB>, secrets: SecretBox): Promise<void> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', CHECK_KEY).executeTakeFirst();
  if (!row) {
    await db
      .insertInto('settings')
      .values({ key: CHECK_KEY, value: JSON.stringify(secrets.seal(CHECK_PLAINTEXT)) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return;
  }
  let opened: string | undefined;
  try {
    opened = secrets.open(String(row.value));
  } catch {
    opened = undefined;
  }
  if (opened !== CHECK_PLAINTEXT) {
    throw new Error(
      'APP_SECRET does not match the key this database was set up with; restore the original APP_SECRET (or DATA_DIR/app-secret)',
    );
  }
}
