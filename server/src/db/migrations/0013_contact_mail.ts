import { sql, type Kysely } from 'kysely';
import { BIGINT, BOOL, dialectOf, withId } from '../dialect.js';

/**
 * Mail to a ticket's contact (modules/tickets/contact-mail.ts, docs/TICKETS.md "Mail to the
 * contact"), whether or not the contact has a user account:
 * - `contacts.email_notify` (default on): the contact gets ticket mail; `contacts.locale`: the
 *   language of that mail when known (null: the linked user's, else zh-CN).
 * - `contact_mails`: one row per mail to a contact (acknowledgement, public reply, resolution),
 *   written in the transaction of the change (an outbox; the `tickets.contact_mail` job sends
 *   it). Keeps the Message-ID sent, so inbound mail can be matched to its ticket; a resolution
 *   mail also carries the confirmation link's binding (`resolved_at`, `expires_at`) and its single
 *   use (`used_at`, `decision`).
 * - `contact_link_hits`: requests to the public confirmation endpoints per client address, for
 *   their rate limit (shared by every process through the database).
 * - `ticket_ratings.rated_by` may be null and `rated_by_contact_id` names the contact who rated
 *   through a confirmation link without a user account.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('email_notify', BOOL, (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('contacts').addColumn('locale', 'text').execute();

  await withId(db, db.schema.createTable('contact_mails'))
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('contact_id', BIGINT, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    // created | reply | resolved
    .addColumn('kind', 'text', (c) => c.notNull())
    // The timeline entry the mail tells of (ticket_events.id): one mail per entry and contact.
    .addColumn('source_event_id', BIGINT, (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    // `<ticket-<id>.<random>@yunwei>`, chosen when queued so every attempt sends the same one.
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('subject', 'text')
    // pending | sent | skipped | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('sent_at', BIGINT)
    // Resolution mails: the resolution the link confirms (tickets.resolved_at), its expiry and single use.
    .addColumn('resolved_at', BIGINT)
    .addColumn('expires_at', BIGINT)
    .addColumn('used_at', BIGINT)
    .addColumn('decision', 'text')
    .execute();
  await db.schema.createIndex('contact_mails_source').on('contact_mails').columns(['source_event_id', 'contact_id', 'kind']).unique().execute();
  await db.schema.createIndex('contact_mails_ticket').on('contact_mails').columns(['ticket_id', 'id']).execute();

  await withId(db, db.schema.createTable('contact_link_hits'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_link_hits_key').on('contact_link_hits').columns(['key', 'at']).execute();

  if (dialectOf(db) === 'postgres') {
    await sql`alter table ticket_ratings alter column rated_by drop not null`.execute(db);
    await db.schema.alterTable('ticket_ratings').addColumn('rated_by_contact_id', BIGINT, (c) => c.references('contacts.id').onDelete('set null')).execute();
    return;
  }
  // SQLite cannot drop a NOT NULL constraint: the table is rebuilt with the same rows.
  await db.schema
    .createTable('ticket_ratings_new')
    .addColumn('ticket_id', BIGINT, (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('rated_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('rated_at', BIGINT, (c) => c.notNull())
    .addColumn('rated_by_contact_id', BIGINT, (c) => c.references('contacts.id').onDelete('set null'))
    .execute();
  await sql`insert into ticket_ratings_new (ticket_id, customer_id, score, comment, rated_by, rated_at) select ticket_id, customer_id, score, comment, rated_by, rated_at from ticket_ratings`.execute(db);
  await db.schema.dropTable('ticket_ratings').execute();
  await db.schema.alterTable('ticket_ratings_new').renameTo('ticket_ratings').execute();
  await db.schema.createIndex('ticket_ratings_customer').on('ticket_ratings').columns(['customer_id', 'rated_at']).execute();
}
