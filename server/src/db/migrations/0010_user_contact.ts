import type { Kysely } from 'kysely';
import { BIGINT } from '../dialect.js';

/**
 * `users.contact_id`: the contact a customer's staff member is (the portal reports problems in
 * that contact's name). Null for provider staff and for customer users not linked yet; deleting
 * the contact unlinks the user rather than blocking the delete.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('contact_id', BIGINT, (c) => c.references('contacts.id').onDelete('set null')).execute();
  await db.schema.createIndex('users_contact').on('users').column('contact_id').execute();
}
