import { sql, type Kysely } from 'kysely';
import { BIGINT, dialectOf, withId } from '../dialect.js';

/**
 * The service desk's tickets (modules/tickets), sized for a million tickets from the start:
 * integer ids, an index behind every queue filter and sort, keyset pagination everywhere.
 *
 * - `tickets`: one row per ticket with its current state and the SLA summary the queues sort
 *   by (`sla_due_at`: the earliest due instant of the clocks still counting).
 * - `ticket_events`: the ONE timeline (replies, notes, worklogs, visits, state changes, SLA
 *   warnings …); the SLA clocks are recomputed from it.
 * - `ticket_sla`: each metric's clock as last computed, with the warnings, breach and escalation
 *   steps already fired (what makes the SLA job exactly-once).
 * - `ticket_counters`: the next number per kind and year (INC-2026-000123).
 * - `ticket_links`: both directions of every link, so one index answers "links of a ticket".
 * - `files`: attachment metadata; the bytes live under DATA_DIR/files.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ticket_counters')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('next', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_counters_pk', ['kind', 'year'])
    .execute();

  await withId(db, db.schema.createTable('tickets'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('contract_id', BIGINT, (c) => c.notNull().references('contracts.id'))
    .addColumn('contact_id', BIGINT, (c) => c.notNull().references('contacts.id'))
    .addColumn('site_id', BIGINT, (c) => c.references('sites.id').onDelete('set null'))
    .addColumn('service', 'text')
    .addColumn('category', 'text')
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('priority_rank', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('team_id', BIGINT, (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('assignee_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('resolution', 'text')
    .addColumn('reported_at', BIGINT, (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('responded_at', BIGINT)
    .addColumn('onsite_at', BIGINT)
    .addColumn('resolved_at', BIGINT)
    .addColumn('closed_at', BIGINT)
    .addColumn('cancelled_at', BIGINT)
    .addColumn('sla_due_at', BIGINT)
    .addColumn('sla_status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  // Queue views: mine / my team's / every open ticket by SLA due instant; the portal and the
  // customer page by customer; "newest first"; a contact's history.
  await db.schema.createIndex('tickets_customer').on('tickets').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('tickets_customer_reported').on('tickets').columns(['customer_id', 'reported_at', 'id']).execute();
  await db.schema.createIndex('tickets_assignee_queue').on('tickets').columns(['assignee_id', 'state', 'sla_due_at']).execute();
  await db.schema.createIndex('tickets_team_queue').on('tickets').columns(['team_id', 'state', 'sla_due_at']).execute();
  await db.schema.createIndex('tickets_state_due').on('tickets').columns(['state', 'sla_due_at']).execute();
  // Only tickets with a clock counting have a due instant, so this index is small and already
  // in queue order ("breaching soon", sort=sla without a state filter).
  await db.schema.createIndex('tickets_due').on('tickets').columns(['sla_due_at', 'id']).execute();
  await db.schema.createIndex('tickets_reported').on('tickets').columns(['reported_at', 'id']).execute();
  await db.schema.createIndex('tickets_contact').on('tickets').columns(['contact_id', 'id']).execute();
  if (dialectOf(db) === 'postgres') {
    // Number prefix search (`INC-2026-00`) with LIKE: a plain btree serves LIKE only under the C
    // collation; text_pattern_ops serves it under any. SQLite uses GLOB on the unique index.
    await sql`create index tickets_number_prefix on tickets (number text_pattern_ops)`.execute(db);
  }

  await withId(db, db.schema.createTable('ticket_events'))
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    // JSON, shape by type (see modules/tickets/events.ts).
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'id']).execute();

  await db.schema
    .createTable('ticket_sla')
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('calendar_id', 'text', (c) => c.notNull())
    .addColumn('target_ms', BIGINT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    // 1 while the clock counts (running, or breached and still open and not paused): the
    // remaining time then shrinks with the working time since computed_at.
    .addColumn('counting', 'integer', (c) => c.notNull())
    .addColumn('due_at', BIGINT)
    .addColumn('remaining_ms', BIGINT, (c) => c.notNull())
    .addColumn('computed_at', BIGINT, (c) => c.notNull())
    .addColumn('paused_reason', 'text')
    // Written by the SLA job only, when it fires them: JSON arrays of the warning percents and
    // escalation step indices, and the breach instant. Recomputing after a change keeps them.
    .addColumn('warnings_fired', 'text', (c) => c.notNull())
    .addColumn('escalations_fired', 'text', (c) => c.notNull())
    .addColumn('breached_at', BIGINT)
    .addColumn('met_at', BIGINT)
    .addPrimaryKeyConstraint('ticket_sla_pk', ['ticket_id', 'metric'])
    .execute();

  await db.schema
    .createTable('ticket_links')
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('other_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_links_pk', ['ticket_id', 'other_id'])
    .execute();
  await db.schema.createIndex('ticket_links_other').on('ticket_links').column('other_id').execute();

  await withId(db, db.schema.createTable('files'))
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('event_id', BIGINT, (c) => c.references('ticket_events.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', BIGINT, (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    // Relative to DATA_DIR/files; content-addressed (files/ab/cd/<sha256>), so equal bytes are stored once.
    .addColumn('storage_path', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('files_ticket').on('files').columns(['ticket_id', 'id']).execute();
}
