import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Evidence packs (issue #11 item 6, docs/EVIDENCE.md):
 * - `evidence_exports`: one row per export asked for in the web app — the customer and the
 *   period, the job's progress (done of total files), the finished zip (a blob in `file_blobs`)
 *   with its sha256, the audit chain's verification at the export, and who asked when. The pack
 *   itself carries no export instant (so the same period packs to the same bytes); this row does.
 * - `audit_customer_at`: the pack's audit-log extract reads one customer's rows of a period;
 *   without it that read walks every customer's rows of the period.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('evidence_exports'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    // Local dates YYYY-MM-DD in the customer's zone, both inclusive.
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    // queued | running | done | failed | cancelled
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_requested', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('blob_id', BIGINT, (c) => c.references('file_blobs.id').onDelete('set null'))
    .addColumn('file_name', 'text')
    .addColumn('size', BIGINT)
    .addColumn('sha256', 'text')
    .addColumn('tickets', 'integer')
    // The whole chain as verified at the export (the pack states the part up to the period's end).
    .addColumn('chain_ok', BOOL)
    .addColumn('chain_checked', 'integer')
    .addColumn('error', 'text')
    .addColumn('requested_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('requested_at', BIGINT, (c) => c.notNull())
    .addColumn('started_at', BIGINT)
    // Written with the progress: a run whose heartbeat stopped (the process died) is taken over.
    .addColumn('heartbeat_at', BIGINT)
    .addColumn('finished_at', BIGINT)
    .execute();
  await db.schema.createIndex('evidence_exports_customer').on('evidence_exports').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('audit_customer_at').on('audit_log').columns(['customer_id', 'at', 'id']).execute();
}
