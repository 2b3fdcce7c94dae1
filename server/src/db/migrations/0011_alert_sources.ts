import { sql, type Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Monitoring alert intake (modules/alerts, docs/ALERTS.md):
 *
 * - `alert_sources`: one per monitoring system feeding one customer: its payload format
 *   (alertmanager | zabbix | generic), the hash of its secret token (the token is shown once),
 *   the defaults of the tickets it opens (contact, site, service, category), the mapping of its
 *   severities to impact × urgency (JSON), how often a repeat may add a note, auto-resolve.
 * - `alert_bindings`: which ticket an alert (source, fingerprint) is working on while that
 *   ticket is open. At most one live binding (released_at null) per (source, fingerprint): a
 *   partial unique index, so two deliveries racing on one new alert open one ticket.
 * - `alert_log`: every alert received (and every payload refused after authentication), with
 *   what was done about it and the alert's JSON clipped, for the administrators.
 *
 * The built-in administrator role (seeded before this permission existed) gets `alerts.manage`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('alert_sources'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('enabled', BOOL, (c) => c.notNull().defaultTo(1))
    .addColumn('auto_resolve', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('contact_id', BIGINT, (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('site_id', BIGINT, (c) => c.references('sites.id').onDelete('set null'))
    .addColumn('service', 'text')
    .addColumn('category', 'text')
    .addColumn('severity_map', 'text', (c) => c.notNull())
    .addColumn('repeat_note_minutes', 'integer', (c) => c.notNull().defaultTo(60))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('zh-CN'))
    .addColumn('last_alert_at', BIGINT)
    .addColumn('created_by', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('alert_sources_customer_name').unique().on('alert_sources').columns(['customer_id', 'name']).execute();
  await db.schema.createIndex('alert_sources_token').unique().on('alert_sources').column('token_hash').execute();

  await withId(db, db.schema.createTable('alert_bindings'))
    .addColumn('source_id', BIGINT, (c) => c.notNull().references('alert_sources.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    /** Null while the ticket is being created (a claim). */
    .addColumn('ticket_id', BIGINT, (c) => c.references('tickets.id').onDelete('set null'))
    .addColumn('ticket_number', 'text')
    /** firing | resolved: the alert's state as last received. */
    .addColumn('alert_state', 'text', (c) => c.notNull())
    .addColumn('repeats', 'integer', (c) => c.notNull().defaultTo(0))
    /** Repeats received since the last note (the next note reports them). */
    .addColumn('pending_repeats', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_note_at', BIGINT)
    .addColumn('last_received_at', BIGINT, (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('released_at', BIGINT)
    .execute();
  await db.schema
    .createIndex('alert_bindings_live')
    .unique()
    .on('alert_bindings')
    .columns(['source_id', 'fingerprint'])
    .where(sql.ref('released_at'), 'is', null)
    .execute();
  await db.schema.createIndex('alert_bindings_ticket').on('alert_bindings').column('ticket_id').execute();

  await withId(db, db.schema.createTable('alert_log'))
    .addColumn('source_id', BIGINT, (c) => c.notNull().references('alert_sources.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('received_at', BIGINT, (c) => c.notNull())
    .addColumn('fingerprint', 'text')
    /** firing | resolved; null for a refused payload. */
    .addColumn('status', 'text')
    .addColumn('severity', 'text')
    .addColumn('title', 'text')
    /** created | noted | deduplicated | resolved | ignored | failed | rejected */
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('ticket_id', BIGINT, (c) => c.references('tickets.id').onDelete('set null'))
    .addColumn('ticket_number', 'text')
    .addColumn('message', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  // Newest first per source and per customer (the administrators' log, keyset on id).
  await db.schema.createIndex('alert_log_source').on('alert_log').columns(['source_id', 'id']).execute();
  await db.schema.createIndex('alert_log_customer').on('alert_log').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('alert_log_ticket').on('alert_log').column('ticket_id').execute();

  const admin = await db.selectFrom('roles').select(['id', 'permissions']).where('code', '=', 'admin').where('builtin', '=', 1).executeTakeFirst();
  if (admin) {
    const permissions = JSON.parse(admin.permissions) as string[];
    if (!permissions.includes('alerts.manage')) {
      await db.updateTable('roles').set({ permissions: JSON.stringify([...permissions, 'alerts.manage']) }).where('id', '=', admin.id).execute();
    }
  }
}
