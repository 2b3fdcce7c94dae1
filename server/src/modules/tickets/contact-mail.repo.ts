import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { ContactMailsTable } from '../../db/schema.js';

/**
 * Queries of `contact_mails` and `contact_link_hits` (migration 0013): the mail sent to tickets'
 * contacts and the confirmation links in it. Contacts and users are only read (their names,
 * addresses, languages and the user account linked to a contact).
 */
export type ContactMailRow = Selectable<ContactMailsTable>;
export type NewContactMail = Omit<Insertable<ContactMailsTable>, 'id'>;

export interface MailContact {
  id: number;
  customerId: number;
  name: string;
  email: string | null;
  emailNotify: boolean;
  /** The contact's own language, else his linked user's (null: neither known). */
  locale: string | null;
  /** The active user account linked to the contact of the same customer, if any. */
  userId: number | null;
}

/** The contact as mail needs him: address, opt-out, language, linked account. */
export async function findMailContact(db: DbOrTx, contactId: number): Promise<MailContact | null> {
  const c = await db.selectFrom('contacts').select(['id', 'customer_id', 'name', 'email', 'email_notify', 'locale']).where('id', '=', contactId).executeTakeFirst();
  if (!c) return null;
  const user = await db
    .selectFrom('users')
    .select(['id', 'locale'])
    .where('contact_id', '=', contactId)
    .where('customer_id', '=', c.customer_id)
    .where('disabled', '=', 0)
    .orderBy('id')
    .executeTakeFirst();
  return {
    id: Number(c.id),
    customerId: Number(c.customer_id),
    name: c.name,
    email: c.email,
    emailNotify: c.email_notify !== 0,
    locale: c.locale ?? user?.locale ?? null,
    userId: user ? Number(user.id) : null,
  };
}

/** Adds a mail unless one for this timeline entry, contact and kind exists; its id, or null when it existed. */
export async function insertMail(trx: DbOrTx, values: NewContactMail): Promise<number | null> {
  const row = await trx
    .insertInto('contact_mails')
    .values(values)
    .onConflict((oc) => oc.columns(['source_event_id', 'contact_id', 'kind']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}

export function findMail(db: DbOrTx, id: number): Promise<ContactMailRow | undefined> {
  return db.selectFrom('contact_mails').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The ticket's mails to this contact, oldest first (threading: later mails refer to the first). */
export function mailsOfTicket(db: DbOrTx, ticketId: number, contactId?: number): Promise<ContactMailRow[]> {
  let q = db.selectFrom('contact_mails').selectAll().where('ticket_id', '=', ticketId);
  if (contactId !== undefined) q = q.where('contact_id', '=', contactId);
  return q.orderBy('id').execute();
}

export async function recordSend(
  db: DbOrTx,
  id: number,
  r: { status: 'sent' | 'skipped' | 'failed' | 'pending'; error: string | null; attempted: boolean; subject?: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('contact_mails')
    .set((eb) => ({
      status: r.status,
      last_error: r.error,
      attempts: r.attempted ? eb('attempts', '+', 1) : eb.ref('attempts'),
      ...(r.status === 'sent' ? { sent_at: now } : {}),
      ...(r.subject !== undefined ? { subject: r.subject } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

/** Takes a confirmation link for one use: true only for the one caller that found it unused. */
export async function claimLink(db: DbOrTx, id: number, decision: string, now: number): Promise<boolean> {
  const res = await db.updateTable('contact_mails').set({ used_at: now, decision }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Gives a claimed link back when the decision could not be carried out. */
export async function releaseLink(db: DbOrTx, id: number, usedAt: number): Promise<void> {
  await db.updateTable('contact_mails').set({ used_at: null, decision: null }).where('id', '=', id).where('used_at', '=', usedAt).execute();
}

/** Counts a request of `key` and returns how many were made in the window, this one included. */
export async function countHit(db: DbOrTx, key: string, now: number, windowMs: number): Promise<number> {
  await db.insertInto('contact_link_hits').values({ key, at: now }).execute();
  // Old rows go now and then, not on every request.
  if (Math.random() < 0.05) await db.deleteFrom('contact_link_hits').where('at', '<', now - 3_600_000).execute();
  const r = await db.selectFrom('contact_link_hits').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', key).where('at', '>', now - windowMs).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The ticket's customer's time zone and name (dates in mail are written in it). */
export async function customerOf(db: DbOrTx, customerId: number): Promise<{ name: string; timeZone: string } | null> {
  const c = await db.selectFrom('customers').select(['name', 'time_zone']).where('id', '=', customerId).executeTakeFirst();
  return c ? { name: c.name, timeZone: c.time_zone } : null;
}

/** One timeline entry (the reply or resolution a mail tells of), with its author's display name. */
export async function sourceEvent(db: DbOrTx, eventId: number): Promise<{ type: string; data: string; actorName: string | null } | null> {
  const e = await db
    .selectFrom('ticket_events')
    .leftJoin('users', 'users.id', 'ticket_events.actor_id')
    .select(['ticket_events.type', 'ticket_events.data', 'users.display_name'])
    .where('ticket_events.id', '=', eventId)
    .executeTakeFirst();
  return e ? { type: e.type, data: e.data, actorName: e.display_name ?? null } : null;
}
