import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { ilike } from '../../db/dialect.js';
import type { DbOrTx } from '../../db/index.js';
import type { AlertBindingsTable, AlertLogTable, AlertSourcesTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';

/**
 * Queries of the alerts module (its own tables only). Scope: a source, its bindings and its log
 * belong to one customer and are visible within that customer's scope.
 */
export type SourceRow = Selectable<AlertSourcesTable>;
export type BindingRow = Selectable<AlertBindingsTable>;
export type LogRow = Selectable<AlertLogTable>;
export type NewLog = Insertable<AlertLogTable>;

const NOTHING = sql<boolean>`1 = 0`;

function scoped(scope: CustomerScope, column: 'customer_id' | 'alert_sources.customer_id' | 'alert_log.customer_id') {
  return (eb: any) => (scope.kind === 'all' ? sql<boolean>`1 = 1` : scope.ids.length ? eb(column, 'in', scope.ids) : NOTHING);
}

// ---------------------------------------------------------------- sources

export function listSources(db: DbOrTx, scope: CustomerScope, f: { customerId?: number; q?: string; afterId?: number; limit: number }) {
  let q = db.selectFrom('alert_sources').selectAll().where(scoped(scope, 'customer_id'));
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.q) q = q.where(ilike('name', f.q));
  if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
  return q.orderBy('id').limit(f.limit).execute();
}

export function findSource(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('alert_sources').selectAll().where('id', '=', id).where(scoped(scope, 'customer_id')).executeTakeFirst();
}

/** For the intake: the source by id, whoever asks (the token is checked by the caller). */
export function sourceForIntake(db: DbOrTx, id: number) {
  return db.selectFrom('alert_sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertSource(db: DbOrTx, row: Insertable<AlertSourcesTable>): Promise<SourceRow> {
  return db.insertInto('alert_sources').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Updates at the version read; undefined when it moved on. */
export function updateSource(db: DbOrTx, id: number, version: number, set: Updateable<AlertSourcesTable>) {
  return db
    .updateTable('alert_sources')
    .set({ ...set, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteSource(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('alert_log').where('source_id', '=', id).execute();
  await db.deleteFrom('alert_bindings').where('source_id', '=', id).execute();
  await db.deleteFrom('alert_sources').where('id', '=', id).execute();
}

export async function touchSource(db: DbOrTx, id: number, at: number): Promise<void> {
  await db.updateTable('alert_sources').set({ last_alert_at: at }).where('id', '=', id).execute();
}

// ---------------------------------------------------------------- bindings

/** The live binding of an alert (at most one: a partial unique index). */
export function liveBinding(db: DbOrTx, sourceId: number, fingerprint: string) {
  return db.selectFrom('alert_bindings').selectAll().where('source_id', '=', sourceId).where('fingerprint', '=', fingerprint).where('released_at', 'is', null).executeTakeFirst();
}

/** Claims an alert for a new ticket; throws a unique violation when another delivery holds it. */
export async function claim(db: DbOrTx, sourceId: number, fingerprint: string, now: number): Promise<number> {
  const r = await db
    .insertInto('alert_bindings')
    .values({ source_id: sourceId, fingerprint, ticket_id: null, ticket_number: null, alert_state: 'firing', repeats: 0, pending_repeats: 0, last_note_at: now, last_received_at: now, created_at: now, released_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function bindTicket(db: DbOrTx, id: number, ticketId: number, ticketNumber: string): Promise<void> {
  await db.updateTable('alert_bindings').set({ ticket_id: ticketId, ticket_number: ticketNumber }).where('id', '=', id).execute();
}

export async function dropClaim(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('alert_bindings').where('id', '=', id).where('ticket_id', 'is', null).execute();
}

export async function release(db: DbOrTx, id: number, now: number): Promise<void> {
  await db.updateTable('alert_bindings').set({ released_at: now }).where('id', '=', id).where('released_at', 'is', null).execute();
}

/** A repeat only counted. */
export async function countRepeat(db: DbOrTx, id: number, now: number): Promise<void> {
  await db
    .updateTable('alert_bindings')
    .set((eb) => ({ repeats: eb('repeats', '+', 1), pending_repeats: eb('pending_repeats', '+', 1), last_received_at: now }))
    .where('id', '=', id)
    .execute();
}

/**
 * Takes the right to write the next note: only when the binding is still as read (state and
 * last note), so of two deliveries racing on one alert only one writes it. Resets the pending
 * count; returns false when another delivery took it first.
 */
export async function takeNote(db: DbOrTx, b: BindingRow, state: 'firing' | 'resolved', now: number, repeat: boolean): Promise<boolean> {
  let q = db
    .updateTable('alert_bindings')
    .set((eb) => ({ alert_state: state, last_note_at: now, last_received_at: now, pending_repeats: 0, repeats: repeat ? eb('repeats', '+', 1) : eb.ref('repeats') }))
    .where('id', '=', b.id)
    .where('alert_state', '=', b.alert_state);
  q = b.last_note_at === null ? q.where('last_note_at', 'is', null) : q.where('last_note_at', '=', b.last_note_at);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------- the log

export async function insertLog(db: DbOrTx, row: NewLog): Promise<void> {
  await db.insertInto('alert_log').values(row).execute();
}

export function listLog(db: DbOrTx, scope: CustomerScope, f: { sourceId?: number; customerId?: number; outcome?: string; ticketId?: number; beforeId?: number; limit: number }) {
  let q = db
    .selectFrom('alert_log')
    .leftJoin('alert_sources', 'alert_sources.id', 'alert_log.source_id')
    .selectAll('alert_log')
    .select('alert_sources.name as source_name')
    .where(scoped(scope, 'alert_log.customer_id'));
  if (f.sourceId !== undefined) q = q.where('alert_log.source_id', '=', f.sourceId);
  if (f.customerId !== undefined) q = q.where('alert_log.customer_id', '=', f.customerId);
  if (f.outcome !== undefined) q = q.where('alert_log.outcome', '=', f.outcome);
  if (f.ticketId !== undefined) q = q.where('alert_log.ticket_id', '=', f.ticketId);
  if (f.beforeId !== undefined) q = q.where('alert_log.id', '<', f.beforeId);
  return q.orderBy('alert_log.id', 'desc').limit(f.limit).execute();
}
