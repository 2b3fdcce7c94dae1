import type { Kysely } from 'kysely';
import { BIGINT, withId } from '../dialect.js';

/**
 * Assets (modules/assets, docs/ASSETS.md): what the daily asset jobs have done, one row per deed,
 * so each is done exactly once however often (and on however many processes) the job runs:
 * `warranty:{ciId}:{warrantyEnd}:{days}` — the reminder `days` before that warranty end was sent;
 * `campaign:{customerId}:{period}` — the period's verification campaign (盘点) was created.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('asset_reminders'))
    .addColumn('reminder_key', 'varchar(120)', (c) => c.notNull().unique())
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('ci_id', BIGINT, (c) => c.references('cis.id'))
    .addColumn('sent_at', BIGINT, (c) => c.notNull())
    .execute();
}
