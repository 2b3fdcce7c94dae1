import { sql, type Insertable, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { ilike } from '../../db/dialect.js';
import type { MailInLogTable, MailMailboxesTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';

/** Kysely queries of inbound email's own tables (mail_mailboxes, mail_in_log). */

export type MailboxRow = Selectable<MailMailboxesTable>;
export type MailLogRow = Selectable<MailInLogTable>;
export type MailboxValues = Omit<Insertable<MailMailboxesTable>, 'id' | 'created_at' | 'updated_at' | 'version'>;
export type NewMailLog = Omit<Insertable<MailInLogTable>, 'id'>;

/** Rows of a customer in scope; rows without a customer (reply-only mailboxes, unrouted mail) for scope.all only. */
function scoped(scope: CustomerScope) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`customer_id in (${sql.join(scope.ids)})`;
}

// ---------------------------------------------------------------- mailboxes

export function listMailboxes(db: DbOrTx, scope: CustomerScope, opts: { customerId?: number; afterId?: number; limit: number }) {
  let q = db.selectFrom('mail_mailboxes').selectAll().where(scoped(scope));
  if (opts.customerId !== undefined) q = q.where('customer_id', '=', opts.customerId);
  if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
  return q.orderBy('id').limit(opts.limit).execute();
}

export function findMailbox(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('mail_mailboxes').selectAll().where('id', '=', id).where(scoped(scope)).executeTakeFirst();
}

/** The enabled mailboxes among these addresses (lower case). */
export function enabledMailboxes(db: DbOrTx, addresses: string[]) {
  if (!addresses.length) return Promise.resolve([] as MailboxRow[]);
  return db.selectFrom('mail_mailboxes').selectAll().where('address', 'in', addresses).where('enabled', '=', 1).execute();
}

export async function insertMailbox(db: DbOrTx, v: MailboxValues, now: number): Promise<MailboxRow> {
  return db
    .insertInto('mail_mailboxes')
    .values({ ...v, created_at: now, updated_at: now, version: 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateMailbox(db: DbOrTx, id: number, version: number, v: Updateable<MailMailboxesTable>, now: number) {
  return db
    .updateTable('mail_mailboxes')
    .set({ ...v, updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteMailbox(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('mail_mailboxes').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- the log

/**
 * Inserts a log row. With a `dedupe_key` the insert is the claim of that Message-ID: undefined
 * when another row holds it already (the message was received before).
 */
export async function insertLog(db: DbOrTx, v: NewMailLog): Promise<number | undefined> {
  let q = db.insertInto('mail_in_log').values(v);
  if (v.dedupe_key) q = q.onConflict((oc) => oc.column('dedupe_key').doNothing());
  const row = await q.returning('id').executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

export function findClaim(db: DbOrTx, dedupeKey: string) {
  return db.selectFrom('mail_in_log').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

/**
 * Takes over the claim of a message whose handling failed (or was cut off: still "processing"
 * long after it started), so a redelivery is handled again. False: someone else holds it.
 */
export async function reclaim(db: DbOrTx, id: number, seen: { result: string; updated_at: number }, v: Updateable<MailInLogTable>): Promise<boolean> {
  const res = await db.updateTable('mail_in_log').set(v).where('id', '=', id).where('result', '=', seen.result).where('updated_at', '=', seen.updated_at).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function finishLog(db: DbOrTx, id: number, v: Updateable<MailInLogTable>): Promise<void> {
  await db.updateTable('mail_in_log').set(v).where('id', '=', id).execute();
}

/** The ticket an earlier message with one of these Message-IDs went to (newest first). */
export async function ticketOfMessages(db: DbOrTx, messageIds: string[]): Promise<number[]> {
  if (!messageIds.length) return [];
  const rows = await db
    .selectFrom('mail_in_log')
    .select(['message_id', 'ticket_id'])
    .where('message_id', 'in', messageIds)
    .where('ticket_id', 'is not', null)
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  const out: number[] = [];
  // In the order the message lists them (the one it answers directly first).
  for (const mid of messageIds) {
    for (const r of rows) if (r.message_id === mid && !out.includes(Number(r.ticket_id))) out.push(Number(r.ticket_id));
  }
  return out;
}

export function listLog(db: DbOrTx, scope: CustomerScope, opts: { result?: string; mailboxId?: number; customerId?: number; q?: string; beforeId?: number; limit: number }) {
  let q = db.selectFrom('mail_in_log').selectAll().where(scoped(scope));
  if (opts.result) q = q.where('result', '=', opts.result);
  if (opts.mailboxId !== undefined) q = q.where('mailbox_id', '=', opts.mailboxId);
  if (opts.customerId !== undefined) q = q.where('customer_id', '=', opts.customerId);
  if (opts.q) q = q.where((eb) => eb.or([ilike('from_address', opts.q!), ilike('subject', opts.q!), ilike('message_id', opts.q!)]));
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export function findLog(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('mail_in_log').selectAll().where('id', '=', id).where(scoped(scope)).executeTakeFirst();
}
