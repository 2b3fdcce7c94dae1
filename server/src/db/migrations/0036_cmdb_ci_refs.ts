import type { Kysely } from 'kysely';

/**
 * What names a CI, by the CI (docs/CMDB.md): the CI page's related records (repair orders and
 * spare-part movements naming it, newest first) and the count of everything that still names a
 * CI before it may be deleted (modules/cmdb repo `referencesOf`) ask these tables by `ci_id`,
 * which 0030 indexes only on ci_assets (its key) and ticket_cis. Without these, each of those
 * statements reads its whole table: negligible on a new installation, a scan per CI page once
 * the ledger holds years of movements.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('part_movements_ci').on('part_movements').columns(['ci_id', 'id']).execute();
  await db.schema.createIndex('repair_orders_ci').on('repair_orders').columns(['ci_id', 'id']).execute();
  await db.schema.createIndex('part_items_ci').on('part_items').column('ci_id').execute();
  await db.schema.createIndex('asset_campaign_items_by_ci').on('asset_campaign_items').column('ci_id').execute();
}
