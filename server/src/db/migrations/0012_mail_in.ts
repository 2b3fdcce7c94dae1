import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Inbound email (modules/mailin, docs/MAIL-IN.md):
 *
 * - `mail_mailboxes`: the service addresses customers write to (hospital@desk.example.cn), each
 *   for one customer with the defaults of the tickets it opens (kind, service, category, impact,
 *   urgency) and what to do with senders who are not a contact of that customer. A mailbox
 *   without a customer takes replies to existing tickets only (the desk's own address).
 * - `mail_in_log`: every message received, by SMTP or by the raw-message API, with what came of
 *   it (created / replied / rejected / ignored / failed, and why). `dedupe_key` is the
 *   Message-ID of the row that claimed a message: unique, so a message is acted on once however
 *   often an MTA delivers it; the duplicates get rows of their own with a null key (several
 *   nulls are allowed by a unique index on both databases).
 *
 * The built-in administrator role (seeded before these permissions existed) gets `mail.manage`
 * (mailboxes and the log) and `mail.inbound` (the raw-message API for an MTA pipe).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('mail_mailboxes'))
    // Lower case, as compared.
    .addColumn('address', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('incident'))
    .addColumn('service', 'text')
    .addColumn('category', 'text')
    .addColumn('impact', 'text', (c) => c.notNull().defaultTo('medium'))
    .addColumn('urgency', 'text', (c) => c.notNull().defaultTo('medium'))
    // reject | accept
    .addColumn('unknown_senders', 'text', (c) => c.notNull().defaultTo('reject'))
    // The contact a ticket from an unknown sender is reported under (accept only).
    .addColumn('fallback_contact_id', BIGINT, (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('enabled', BOOL, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('mail_mailboxes_customer').on('mail_mailboxes').column('customer_id').execute();

  await withId(db, db.schema.createTable('mail_in_log'))
    .addColumn('received_at', BIGINT, (c) => c.notNull())
    // smtp | api
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('from_name', 'text')
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    // The log outlives a deleted mailbox.
    .addColumn('mailbox_id', BIGINT, (c) => c.references('mail_mailboxes.id').onDelete('set null'))
    // Whose mail it turned out to be (the mailbox's customer, or the customer of the ticket replied to).
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id').onDelete('cascade'))
    .addColumn('contact_id', BIGINT, (c) => c.references('contacts.id').onDelete('set null'))
    // processing | created | replied | rejected | ignored | failed
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('ticket_id', BIGINT, (c) => c.references('tickets.id').onDelete('set null'))
    .addColumn('ticket_number', 'text')
    // Message-IDs this message answers (In-Reply-To and References), space-separated.
    .addColumn('in_reply_to', 'text')
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();
  // The log newest first (keyset on id), per customer and per result; a Message-ID's ticket.
  await db.schema.createIndex('mail_in_log_customer').on('mail_in_log').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('mail_in_log_result').on('mail_in_log').columns(['result', 'id']).execute();
  await db.schema.createIndex('mail_in_log_mailbox').on('mail_in_log').columns(['mailbox_id', 'id']).execute();
  await db.schema.createIndex('mail_in_log_message').on('mail_in_log').column('message_id').execute();

  const admin = await db.selectFrom('roles').select(['id', 'permissions']).where('code', '=', 'admin').where('builtin', '=', 1).executeTakeFirst();
  if (admin) {
    const permissions = JSON.parse(admin.permissions as string) as string[];
    const missing = ['mail.manage', 'mail.inbound'].filter((p) => !permissions.includes(p));
    if (missing.length) await db.updateTable('roles').set({ permissions: JSON.stringify([...permissions, ...missing]) }).where('id', '=', admin.id).execute();
  }
}
