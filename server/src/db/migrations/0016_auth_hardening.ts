import type { Kysely } from 'kysely';
import { BIGINT } from '../dialect.js';

/**
 * Security events that arrive in floods (rate-limited logins, CSRF refusals, invalid API
 * tokens) are counted here per kind, client address and minute; the audit log gets a row at
 * the 1st, 10th, 100th … event of each, so a flood cannot flood the hash-chained log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('security_events')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('window_start', BIGINT, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('security_events_pk', ['kind', 'window_start', 'ip'])
    .execute();
}
