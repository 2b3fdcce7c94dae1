import type { Kysely } from 'kysely';
import { BIGINT } from '../dialect.js';

/**
 * A service report's files as the customer answered it. The files stored at the issue show empty
 * signature lines; once the customer signs it off (or returns it with comments) in the portal, the
 * version is rendered again with the sign-off (signer, time in the customer's zone, 已签收确认) or
 * the comments, and those files are what a download gives from then on. The issued files stay as
 * they were (their sha256 is in the audit entry): every file of every version is kept.
 * A version is answered at most once (a signed or returned report changes only through a new version).
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const format of ['pdf', 'docx', 'xlsx']) {
    await db.schema.alterTable('service_report_versions').addColumn(`answered_${format}_blob_id`, BIGINT, (c) => c.references('file_blobs.id')).execute();
    await db.schema.alterTable('service_report_versions').addColumn(`answered_${format}_sha256`, 'text').execute();
    await db.schema.alterTable('service_report_versions').addColumn(`answered_${format}_size`, BIGINT).execute();
  }
  // signed | returned, and when (the customer's answer the files show)
  await db.schema.alterTable('service_report_versions').addColumn('answered_state', 'text').execute();
  await db.schema.alterTable('service_report_versions').addColumn('answered_at', BIGINT).execute();
}
