import type { Kysely } from 'kysely';

/**
 * Contact phone search keys. Numbers are kept as typed ("010-8888 6666", "+86 138 0013 8000"),
 * but the desk searches by the digits a caller gives, so each contact also stores the digits
 * only, without a +86/0086 country prefix, and prefix searches run on those keys by index.
 * The indexes on the raw columns from 0001 served no query and are replaced. No backfill:
 * nothing wrote contacts before this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('phone_key', 'text').execute();
  await db.schema.alterTable('contacts').addColumn('mobile_key', 'text').execute();
  await db.schema.dropIndex('contacts_phone').execute();
  await db.schema.dropIndex('contacts_mobile').execute();
  await db.schema.createIndex('contacts_phone_key').on('contacts').column('phone_key').execute();
  await db.schema.createIndex('contacts_mobile_key').on('contacts').column('mobile_key').execute();
}
