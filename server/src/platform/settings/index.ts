import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/index.js';

/**
 * Installation-wide settings stored in the database (table `settings`, one JSON value per key).
 * The environment overrides what is stored: PROVIDER_NAME beats `provider.name`.
 */
export const PROVIDER_NAME_KEY = 'provider.name';

export async function getSetting<T>(db: DbOrTx, key: string): Promise<T | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : null;
}

export async function setSetting(db: DbOrTx, key: string, value: unknown, now = Date.now()): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute();
}

/** The provider's name printed on documents and mail: PROVIDER_NAME, else the stored setting, else none. */
/** Removes a setting (a later getSetting answers null). */
export async function deleteSetting(db: DbOrTx, key: string): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', key).execute();
}

export async function providerNameOf(db: DbOrTx, config: Pick<Config, 'providerName'>): Promise<string | null> {
  if (config.providerName) return config.providerName;
  const stored = await getSetting<string>(db, PROVIDER_NAME_KEY);
  return typeof stored === 'string' && stored.trim() ? stored.trim() : null;
}
