import type { Kysely } from 'kysely';
import { BIGINT, withId } from '../dialect.js';

/**
 * Vendor repairs (modules/repairs, docs/REPAIRS.md), beside the tables of 0030:
 * - `vendors.calendar_id`: the calendar the vendor's commitments count on (its response hours
 *   and repair working days; default the built-in cn-5x8);
 * - `repair_orders.calendar_id` / `time_zone`: the contract's calendar the progress clock counts
 *   on and the customer's zone the target return is a date of, fixed when the order is created;
 *   `vendor_responded_at`: when the vendor answered (the UC's response measure);
 *   `report_remind_at`: when the desk is reminded that the current report falls due;
 * - `repair_events`: the order's history (created, sent, vendor response, returned, tested,
 *   accepted, rejected and sent back, cancelled), shown as its timeline beside the reports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('vendors').addColumn('calendar_id', 'varchar(64)', (c) => c.notNull().defaultTo('cn-5x8')).execute();
  await db.schema.alterTable('repair_orders').addColumn('calendar_id', 'varchar(64)').execute();
  await db.schema.alterTable('repair_orders').addColumn('time_zone', 'varchar(64)').execute();
  await db.schema.alterTable('repair_orders').addColumn('vendor_responded_at', BIGINT).execute();
  await db.schema.alterTable('repair_orders').addColumn('report_remind_at', BIGINT).execute();
  await withId(db, db.schema.createTable('repair_events'))
    .addColumn('order_id', BIGINT, (c) => c.notNull().references('repair_orders.id').onDelete('cascade'))
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('by_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('repair_events_order').on('repair_events').columns(['order_id', 'id']).execute();
}
