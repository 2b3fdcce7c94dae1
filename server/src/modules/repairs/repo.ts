import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { RepairEventsTable, RepairOrdersTable, RepairProgressTable, VendorsTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import { ciInScope } from '../cmdb/scope.js';

/** Kysely queries of vendor repairs' own tables; an order's customer scope is applied here, in SQL. */

export type VendorRow = Selectable<VendorsTable>;
export type OrderRow = Selectable<RepairOrdersTable>;
export type ProgressRow = Selectable<RepairProgressTable>;
export type EventRow = Selectable<RepairEventsTable>;

const isPostgres = (db: DbOrTx) => dialectOf(db) === 'postgres';

/** The order's customer inside the scope (the CMDB family's one rule, modules/cmdb/scope.ts). */
const orderInScope = (scope: CustomerScope) => ciInScope(scope, 'repair_orders.customer_id');

// ---------------------------------------------------------------- vendors

export async function listVendors(db: DbOrTx, opts: { q?: string; includeDisabled: boolean }): Promise<VendorRow[]> {
  let q = db.selectFrom('vendors').selectAll().orderBy('name').limit(500);
  if (!opts.includeDisabled) q = q.where('disabled', '=', 0);
  if (opts.q) q = q.where('name', 'like', `%${opts.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
  return q.execute();
}

export async function findVendor(db: DbOrTx, id: number, lock = false): Promise<VendorRow | undefined> {
  let q = db.selectFrom('vendors').selectAll().where('id', '=', id);
  if (lock && isPostgres(db)) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertVendor(db: DbOrTx, row: Insertable<VendorsTable>): Promise<number> {
  const r = await db.insertInto('vendors').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateVendor(db: DbOrTx, id: number, version: number, set: Updateable<VendorsTable>): Promise<boolean> {
  const r = await db.updateTable('vendors').set({ ...set, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Orders now out for repair, per vendor. */
export async function openOrderCounts(db: DbOrTx, vendorIds: number[]): Promise<Map<number, number>> {
  if (!vendorIds.length) return new Map();
  const rows = await db
    .selectFrom('repair_orders')
    .select(['vendor_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('vendor_id', 'in', vendorIds)
    .where('state', 'in', ['sent', 'rejected'])
    .groupBy('vendor_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.vendor_id), Number(r.n)]));
}

/** The orders a vendor's OLA counts: sent in [from, to). */
export async function ordersSentBetween(db: DbOrTx, vendorIds: number[] | null, from: number, to: number) {
  let q = db
    .selectFrom('repair_orders')
    .select(['vendor_id', 'sent_at', 'vendor_responded_at', 'returned_at', 'state'])
    .where('sent_at', '>=', from)
    .where('sent_at', '<', to);
  if (vendorIds) q = q.where('vendor_id', 'in', vendorIds.length ? vendorIds : [0]);
  return q.execute();
}

// ---------------------------------------------------------------- orders

export interface OrderFilter {
  states?: string[];
  customerId?: number;
  vendorId?: number;
  ticketId?: number;
  overdueAt?: number;
  q?: string;
  /** Keyset: orders with a smaller id. */
  beforeId?: number;
  limit: number;
}

export async function listOrders(db: DbOrTx, scope: CustomerScope, f: OrderFilter): Promise<OrderRow[]> {
  let q = db.selectFrom('repair_orders').selectAll().where(orderInScope(scope)).orderBy('id', 'desc').limit(f.limit);
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.vendorId !== undefined) q = q.where('vendor_id', '=', f.vendorId);
  if (f.ticketId !== undefined) q = q.where('ticket_id', '=', f.ticketId);
  if (f.overdueAt !== undefined) q = q.where('state', 'in', ['sent', 'rejected']).where('next_report_due_at', '<=', f.overdueAt);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('number', 'like', like), eb('device', 'like', like), eb('serial', 'like', like), eb('rma', 'like', like), eb('fault', 'like', like)]));
  }
  return q.execute();
}

export async function findOrder(db: DbOrTx, scope: CustomerScope, id: number, lock = false): Promise<OrderRow | undefined> {
  let q = db.selectFrom('repair_orders').selectAll().where('id', '=', id).where(orderInScope(scope));
  if (lock && isPostgres(db)) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** For the scheduler's job: no scope. */
export async function findOrderForJob(db: DbOrTx, id: number, lock = false): Promise<OrderRow | undefined> {
  let q = db.selectFrom('repair_orders').selectAll().where('id', '=', id);
  if (lock && isPostgres(db)) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Inserts an order and gives it its number SX-YYYYMM-<id>: unique without a counter to contend for. */
export async function insertOrder(db: DbOrTx, row: Omit<Insertable<RepairOrdersTable>, 'number'>, month: string): Promise<{ id: number; number: string }> {
  const temp = `tmp-${Math.random().toString(36).slice(2, 14)}-${Date.now().toString(36)}`;
  const r = await db.insertInto('repair_orders').values({ ...row, number: temp }).returning('id').executeTakeFirstOrThrow();
  const id = Number(r.id);
  const number = `SX-${month}-${String(id).padStart(4, '0')}`;
  await db.updateTable('repair_orders').set({ number }).where('id', '=', id).execute();
  return { id, number };
}

export async function updateOrder(db: DbOrTx, id: number, version: number, set: Updateable<RepairOrdersTable>): Promise<boolean> {
  const r = await db.updateTable('repair_orders').set({ ...set, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Other orders of the ticket still out for repair (the ticket waits while one is). */
export async function awayOrdersOfTicket(db: DbOrTx, ticketId: number, exceptId: number): Promise<number> {
  const r = await db
    .selectFrom('repair_orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ticket_id', '=', ticketId)
    .where('id', '<>', exceptId)
    .where('state', 'in', ['sent', 'rejected', 'returned'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertProgress(db: DbOrTx, row: Insertable<RepairProgressTable>): Promise<number> {
  const r = await db.insertInto('repair_progress').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function progressOf(db: DbOrTx, orderIds: number[]): Promise<ProgressRow[]> {
  if (!orderIds.length) return [];
  return db.selectFrom('repair_progress').selectAll().where('order_id', 'in', orderIds).orderBy('order_id').orderBy('id').execute();
}

export async function lastProgressAt(db: DbOrTx, orderId: number): Promise<number | null> {
  const r = await db.selectFrom('repair_progress').select((eb) => eb.fn.max('at').as('at')).where('order_id', '=', orderId).executeTakeFirst();
  return r?.at == null ? null : Number(r.at);
}

export async function insertEvent(db: DbOrTx, row: Insertable<RepairEventsTable>): Promise<void> {
  await db.insertInto('repair_events').values(row).execute();
}

/** Whether the order's history has an entry of this type about this due instant (`data.dueAt`). */
export async function hasEvent(db: DbOrTx, orderId: number, type: string, dueAt: string): Promise<boolean> {
  const rows = await db.selectFrom('repair_events').select('data').where('order_id', '=', orderId).where('type', '=', type).execute();
  return rows.some((r) => (JSON.parse(r.data) as { dueAt?: string }).dueAt === dueAt);
}

export async function eventsOf(db: DbOrTx, orderId: number): Promise<EventRow[]> {
  return db.selectFrom('repair_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

// ---------------------------------------------------------------- names for the views

export async function names(db: DbOrTx, rows: OrderRow[]) {
  const ids = (f: (r: OrderRow) => number | null) => [...new Set(rows.map(f).filter((x): x is number => x !== null).map(Number))];
  const customerIds = ids((r) => r.customer_id);
  const ticketIds = ids((r) => r.ticket_id);
  const ciIds = ids((r) => r.ci_id);
  const vendorIds = ids((r) => r.vendor_id);
  const userIds = [...ids((r) => r.created_by), ...ids((r) => r.data_confirmed_by)];
  const [customers, tickets, cis, vendors, users] = await Promise.all([
    customerIds.length ? db.selectFrom('customers').select(['id', 'name', 'time_zone']).where('id', 'in', customerIds).execute() : [],
    ticketIds.length ? db.selectFrom('tickets').select(['id', 'number', 'title']).where('id', 'in', ticketIds).execute() : [],
    ciIds.length ? db.selectFrom('cis').select(['id', 'code', 'name']).where('id', 'in', ciIds).execute() : [],
    vendorIds.length ? db.selectFrom('vendors').select(['id', 'name', 'hotline']).where('id', 'in', vendorIds).execute() : [],
    userIds.length ? db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', userIds).execute() : [],
  ]);
  return {
    customers: new Map(customers.map((c) => [Number(c.id), c])),
    tickets: new Map(tickets.map((t) => [Number(t.id), t])),
    cis: new Map(cis.map((c) => [Number(c.id), c])),
    vendors: new Map(vendors.map((v) => [Number(v.id), v])),
    users: new Map(users.map((u) => [Number(u.id), u.display_name])),
  };
}
export type Names = Awaited<ReturnType<typeof names>>;

