import type { Kysely } from 'kysely';
import { BIGINT } from '../dialect.js';

/**
 * `settings`: installation-wide values an administrator (or `yunwei demo`) sets in the database
 * rather than in the environment, one row per key with a JSON value. The first is the provider's
 * name printed on documents (`provider.name`; PROVIDER_NAME in the environment overrides it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
}
