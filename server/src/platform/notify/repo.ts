import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { DeliveriesTable, NotificationsTable, WebhooksTable } from '../../db/schema.js';
import type { CustomerScope } from '../auth/actor.js';

/**
 * Queries of platform/notify. Scope: a user's inbox is his own, and leaves out notifications
 * about customers outside his current scope; webhooks and deliveries of one customer are
 * visible within that customer's scope, those for every customer only with scope `all`.
 */
export type NotificationRow = Selectable<NotificationsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;

// Constant conditions: SQLite cannot bind a boolean parameter.
const EVERYTHING = sql<boolean>`1 = 1`;
const NOTHING = sql<boolean>`1 = 0`;

// ---------------------------------------------------------------- emitting

export function recipients(db: DbOrTx, ids: number[]) {
  return db.selectFrom('users').select(['id', 'email', 'locale']).where('id', 'in', ids).where('disabled', '=', 0).orderBy('id').execute();
}

export async function channelsOf(db: DbOrTx, userIds: number[], event: string): Promise<Map<number, string[]>> {
  const rows = await db.selectFrom('notification_prefs').select(['user_id', 'channels']).where('user_id', 'in', userIds).where('event', '=', event).execute();
  return new Map(rows.map((r) => [Number(r.user_id), JSON.parse(r.channels) as string[]]));
}

export async function insertNotifications(db: DbOrTx, rows: Array<Omit<NotificationRow, 'id' | 'read_at'>>): Promise<void> {
  if (rows.length) await db.insertInto('notifications').values(rows).execute();
}

export async function insertDelivery(db: DbOrTx, row: Omit<DeliveryRow, 'id' | 'attempts' | 'last_error' | 'delivered_at' | 'updated_at' | 'status'>): Promise<number> {
  const r = await db
    .insertInto('deliveries')
    .values({ ...row, status: 'pending', attempts: 0, last_error: null, delivered_at: null, updated_at: row.created_at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Many deliveries in one statement (a team's mail for one event); their ids, in no particular order. */
export async function insertDeliveries(db: DbOrTx, rows: Array<Omit<DeliveryRow, 'id' | 'attempts' | 'last_error' | 'delivered_at' | 'updated_at' | 'status'>>): Promise<number[]> {
  if (!rows.length) return [];
  const r = await db
    .insertInto('deliveries')
    .values(rows.map((row) => ({ ...row, status: 'pending', attempts: 0, last_error: null, delivered_at: null, updated_at: row.created_at })))
    .returning('id')
    .execute();
  return r.map((x) => Number(x.id));
}

/** Enabled webhooks for every customer or for this one; the event filter is applied by the caller. */
export function webhooksFor(db: DbOrTx, customerId: number | null) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('enabled', '=', 1)
    .where((eb) => (customerId === null ? eb('customer_id', 'is', null) : eb.or([eb('customer_id', 'is', null), eb('customer_id', '=', customerId)])))
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------- inbox

function inboxScope(scope: CustomerScope) {
  return (eb: any) => (scope.kind === 'all' ? EVERYTHING : scope.ids.length ? eb.or([eb('customer_id', 'is', null), eb('customer_id', 'in', scope.ids)]) : eb('customer_id', 'is', null));
}

export function listNotifications(db: DbOrTx, userId: number, scope: CustomerScope, opts: { unread: boolean; beforeId?: number; limit: number }) {
  let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId).where(inboxScope(scope));
  if (opts.unread) q = q.where('read_at', 'is', null);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function unreadCount(db: DbOrTx, userId: number, scope: CustomerScope): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .where(inboxScope(scope))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export function findNotification(db: DbOrTx, userId: number, scope: CustomerScope, id: number) {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', userId).where(inboxScope(scope)).executeTakeFirst();
}

export async function markRead(db: DbOrTx, userId: number, scope: CustomerScope, ids: number[] | 'all', now: number): Promise<number> {
  let q = db.updateTable('notifications').set({ read_at: now }).where('user_id', '=', userId).where('read_at', 'is', null).where(inboxScope(scope));
  if (ids !== 'all') q = q.where('id', 'in', ids);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------- preferences

export async function prefsOfUser(db: DbOrTx, userId: number): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom('notification_prefs').select(['event', 'channels']).where('user_id', '=', userId).execute();
  return new Map(rows.map((r) => [r.event, JSON.parse(r.channels) as string[]]));
}

export async function upsertPref(db: DbOrTx, userId: number, event: string, channels: string[], now: number): Promise<void> {
  const value = JSON.stringify(channels);
  await db
    .insertInto('notification_prefs')
    .values({ user_id: userId, event, channels: value, updated_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'event']).doUpdateSet({ channels: value, updated_at: now }))
    .execute();
}

// ---------------------------------------------------------------- webhooks

/** Webhooks the caller may see: one customer's within his scope; all-customer ones with scope all. */
function adminScope(scope: CustomerScope) {
  return (eb: any) => (scope.kind === 'all' ? EVERYTHING : scope.ids.length ? eb('customer_id', 'in', scope.ids) : NOTHING);
}

export function listWebhooks(db: DbOrTx, scope: CustomerScope, opts: { afterId?: number; limit: number }) {
  let q = db.selectFrom('webhooks').selectAll().where(adminScope(scope));
  if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
  return q.orderBy('id').limit(opts.limit).execute();
}

export function findWebhook(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).where(adminScope(scope)).executeTakeFirst();
}

export function findWebhookById(db: DbOrTx, id: number) {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

export type WebhookValues = Omit<WebhookRow, 'id' | 'created_at' | 'updated_at' | 'version'>;

export async function insertWebhook(db: DbOrTx, v: WebhookValues, now: number): Promise<WebhookRow> {
  return db
    .insertInto('webhooks')
    .values({ ...v, created_at: now, updated_at: now, version: 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateWebhook(db: DbOrTx, id: number, version: number, v: Partial<WebhookValues>, now: number) {
  return db
    .updateTable('webhooks')
    .set({ ...v, updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteWebhook(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- deliveries

export function listDeliveries(db: DbOrTx, scope: CustomerScope, opts: { status?: string; channel?: string; webhookId?: number; beforeId?: number; limit: number }) {
  let q = db.selectFrom('deliveries').selectAll().where(adminScope(scope));
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.channel) q = q.where('channel', '=', opts.channel);
  if (opts.webhookId !== undefined) q = q.where('webhook_id', '=', opts.webhookId);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export function findDelivery(db: DbOrTx, id: number) {
  return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Records one attempt's outcome; a delivery already sent or skipped is left as it is. */
export async function recordAttempt(
  db: DbOrTx,
  id: number,
  outcome: { status: 'sent' | 'retrying' | 'failed' | 'skipped'; error: string | null; attempted: boolean },
  now: number,
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set((eb) => ({
      status: outcome.status,
      attempts: outcome.attempted ? eb('attempts', '+', 1) : eb.ref('attempts'),
      last_error: outcome.error,
      updated_at: now,
      delivered_at: outcome.status === 'sent' ? now : null,
    }))
    .where('id', '=', id)
    .where('status', 'not in', ['sent', 'skipped'])
    .execute();
}
