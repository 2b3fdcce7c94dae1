import type { Kysely } from 'kysely';
import { BIGINT, BOOL } from '../dialect.js';

/** Business calendars (SLA module). Ids are stable slugs: built-ins are 24x7, cn-5x8, 5x8. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calendars')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // JSON { weekly, holidays, workdays } as core/calendar CalendarSpec has them.
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('builtin', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
