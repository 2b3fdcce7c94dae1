import type { Kysely } from 'kysely';
import { BIGINT, withId } from '../dialect.js';

/** The job scheduler's table: due time, lease, attempts, backoff, parked failures. */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('jobs'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // Idempotency key: one live job per key (e.g. "sla.breach:ticket:42:resolution"); enqueueing
    // the same key again reschedules it instead of adding a duplicate.
    .addColumn('key', 'text', (c) => c.unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('run_at', BIGINT, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(8))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', BIGINT)
    .addColumn('last_error', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('finished_at', BIGINT)
    .execute();
  // The claim query scans (status, run_at); the admin view lists parked jobs by id.
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();
  await db.schema.createIndex('jobs_lease').on('jobs').columns(['status', 'locked_until']).execute();
}
