import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Service reports (issue #11 items 3–5, docs/REPORTS.md):
 * - `service_report_plans`: per contract, which report types it owes, the section layout per
 *   type, whether a second person reviews before issue and who receives it (no row: the defaults);
 * - `service_reports`: one row per (contract, type, period) once generated — its state, number,
 *   due day and the people and instants of review, issue and sign-off;
 * - `service_report_versions`: every version of a report, its figures frozen at generation
 *   (JSON of the sections' blocks), the narratives, and once issued the three rendered files
 *   (blobs in `file_blobs`) with their sha256;
 * - `service_report_reminders`: the reminders sent (before due, overdue), one row each, so two
 *   schedulers never send one twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('service_report_plans'))
    .addColumn('contract_id', BIGINT, (c) => c.notNull().unique().references('contracts.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    // JSON: report type codes owed
    .addColumn('types', 'text', (c) => c.notNull())
    // JSON: { [type]: LayoutEntry[] }
    .addColumn('layouts', 'text', (c) => c.notNull())
    .addColumn('review_required', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('reviewer_id', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    // JSON: user ids; empty: every user of the customer holding reports.signoff
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withId(db, db.schema.createTable('service_reports'))
    .addColumn('contract_id', BIGINT, (c) => c.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    // '2026-11', '2026-Q4', '2026'
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    // draft | in_review | approved | issued | signed | returned
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('due_at', BIGINT, (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('current_seq', 'integer', (c) => c.notNull())
    .addColumn('prepared_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('submitted_at', BIGINT)
    .addColumn('reviewed_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('reviewed_at', BIGINT)
    .addColumn('review_comment', 'text')
    .addColumn('issued_at', BIGINT)
    .addColumn('first_issued_at', BIGINT)
    .addColumn('issued_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('signed_at', BIGINT)
    .addColumn('signed_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('signer_name', 'text')
    .addColumn('returned_at', BIGINT)
    .addColumn('returned_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('customer_comment', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    // who made the last change (named when a stale edit is refused)
    .addColumn('updated_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('service_reports_period').on('service_reports').columns(['contract_id', 'type', 'period']).unique().execute();
  await db.schema.createIndex('service_reports_customer_due').on('service_reports').columns(['customer_id', 'due_on']).execute();
  await db.schema.createIndex('service_reports_due').on('service_reports').columns(['due_on', 'id']).execute();

  await withId(db, db.schema.createTable('service_report_versions'))
    .addColumn('report_id', BIGINT, (c) => c.notNull().references('service_reports.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    // JSON: { meta, sections: [{ key, kind, title, hidden, unavailable, blocks }] } as generated
    .addColumn('figures', 'text', (c) => c.notNull())
    // JSON: { [sectionKey]: text }
    .addColumn('narratives', 'text', (c) => c.notNull())
    .addColumn('generated_at', BIGINT, (c) => c.notNull())
    .addColumn('generated_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addColumn('pdf_blob_id', BIGINT, (c) => c.references('file_blobs.id'))
    .addColumn('pdf_sha256', 'text')
    .addColumn('pdf_size', BIGINT)
    .addColumn('docx_blob_id', BIGINT, (c) => c.references('file_blobs.id'))
    .addColumn('docx_sha256', 'text')
    .addColumn('docx_size', BIGINT)
    .addColumn('xlsx_blob_id', BIGINT, (c) => c.references('file_blobs.id'))
    .addColumn('xlsx_sha256', 'text')
    .addColumn('xlsx_size', BIGINT)
    .addColumn('issued_at', BIGINT)
    .addColumn('issued_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('service_report_versions_seq').on('service_report_versions').columns(['report_id', 'seq']).unique().execute();

  // The repairs section reads a customer's repair reports finished in the period.
  await db.schema.createIndex('repair_reports_customer_finished').on('repair_reports').columns(['customer_id', 'finished_at']).execute();

  await withId(db, db.schema.createTable('service_report_reminders'))
    // '<contractId>:<type>:<period>:<before|overdue>'
    .addColumn('reminder_key', 'text', (c) => c.notNull().unique())
    .addColumn('contract_id', BIGINT, (c) => c.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('sent_at', BIGINT, (c) => c.notNull())
    .execute();
}
