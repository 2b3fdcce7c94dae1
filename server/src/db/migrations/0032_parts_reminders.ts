import type { Kysely } from 'kysely';

/**
 * Spare parts (modules/parts, docs/PARTS.md): the local day a lent stand-in machine (备机) was
 * last reminded as overdue, so the daily reminder is sent exactly once per item and day even when
 * its job runs again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('part_items').addColumn('reminded_on', 'varchar(10)').execute();
}
