import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Repair service reports (维修服务报告, modules/fieldservice): the record of a repair the
 * customer signs, one per ticket (`seq` numbers them: INC-2026-000123-R1).
 *
 * - The header (customer, site, contact, reported time, engineer, the customer's time zone) is a snapshot taken when the
 *   draft is made: a signed report keeps saying what the customer signed, whatever is renamed later.
 * - `parts_used` is JSON: [{name, model, quantity, serial}].
 * - Signed: the on-screen signature (`signature_png`, base64 of a PNG of at most 300 KB) or the
 *   scan of the paper form (`scan_*`, bytes under DATA_DIR/files), and the PDF rendered at the
 *   signing (`pdf_*`, bytes under DATA_DIR/files) whose sha256 proves what was signed. A signed
 *   row is never updated again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('repair_reports'))
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    // draft | signed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text', (c) => c.notNull())
    .addColumn('site_name', 'text')
    .addColumn('contact_name', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('reported_at', BIGINT, (c) => c.notNull())
    // The customer's IANA zone: the report's times are shown and printed in it.
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('fault', 'text')
    .addColumn('diagnosis', 'text')
    .addColumn('cause', 'text')
    .addColumn('actions', 'text')
    .addColumn('parts_used', 'text', (c) => c.notNull())
    .addColumn('started_at', BIGINT)
    .addColumn('finished_at', BIGINT)
    .addColumn('engineer_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('engineer_name', 'text')
    // fixed | temporary | not_fixed (修复 / 临时恢复 / 未修复)
    .addColumn('result', 'text')
    .addColumn('customer_opinion', 'text')
    .addColumn('signer_name', 'text')
    .addColumn('signed_at', BIGINT)
    // The user whose session signed (the customer's staff in the portal, or the engineer's device).
    .addColumn('signed_by', BIGINT, (c) => c.references('users.id'))
    // portal | onsite | paper
    .addColumn('signed_via', 'text')
    .addColumn('signature_png', 'text')
    .addColumn('signed_on_paper', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('scan_name', 'text')
    .addColumn('scan_mime', 'text')
    .addColumn('scan_size', BIGINT)
    .addColumn('scan_sha256', 'text')
    .addColumn('scan_path', 'text')
    .addColumn('pdf_sha256', 'text')
    .addColumn('pdf_size', BIGINT)
    .addColumn('pdf_path', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  // One report per (ticket, seq): two drafts made at the same moment cannot both be R1.
  await db.schema.createIndex('repair_reports_ticket_seq').on('repair_reports').columns(['ticket_id', 'seq']).unique().execute();
}
