import { sql, type Selectable, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { PartItemsTable, PartModelsTable, PartMovementsTable, PartStockTable, WarehousesTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';

/**
 * Queries of the spare-parts tables. Who sees what is decided here, in SQL (docs/PARTS.md,
 * "Who sees what"): a warehouse, item or movement belongs to a customer (`customer_id`) or to
 * the provider (null: the depot and what moves inside it). Provider staff see the provider's and
 * those of the customers in their scope; anything else is "not found".
 *
 * Tickets, customers, sites, CIs and repair reports are read here only to check a reference is
 * in scope and to print its name; their modules stay their only writers.
 */
export type ModelRow = Selectable<PartModelsTable>;
export type WarehouseRow = Selectable<WarehousesTable>;
export type StockRow = Selectable<PartStockTable>;
export type ItemRow = Selectable<PartItemsTable>;
export type MovementRow = Selectable<PartMovementsTable>;

/** `column` is the provider's (null) or a customer in scope. */
export function visible(scope: CustomerScope, column: string) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`${sql.ref(column)} is null`;
  return sql<SqlBool>`(${sql.ref(column)} is null or ${sql.ref(column)} in (${sql.join(scope.ids)}))`;
}

/** Serialises slip numbering (PostgreSQL; SQLite has a single writer). */
const NUMBER_LOCK = 0x5977_0713;
export async function lockNumbers(trx: DbOrTx): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${NUMBER_LOCK})`.execute(trx);
}

export async function lastNumber(trx: DbOrTx, prefix: string): Promise<string | null> {
  const row = await trx.selectFrom('part_movements').select('number').where('number', 'like', `${prefix}%`).orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row?.number ?? null;
}

// ------------------------------------------------------------ models

export function findModel(db: DbOrTx, id: number) {
  return db.selectFrom('part_models').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listModels(db: DbOrTx, opts: { q?: string; includeDisabled?: boolean }) {
  let q = db.selectFrom('part_models').selectAll();
  if (!opts.includeDisabled) q = q.where('disabled', '=', 0);
  if (opts.q) {
    const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where(sql<SqlBool>`(lower(type) like ${like} escape '\\' or lower(coalesce(brand, '')) like ${like} escape '\\' or lower(model) like ${like} escape '\\')`);
  }
  return q.orderBy('type').orderBy('brand').orderBy('model').limit(1000).execute();
}

export async function modelsByIds(db: DbOrTx, ids: number[]): Promise<Map<number, ModelRow>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom('part_models').selectAll().where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [Number(r.id), r]));
}

// ------------------------------------------------------------ warehouses

export function findWarehouse(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('warehouses').selectAll().where('id', '=', id).where(visible(scope, 'warehouses.customer_id')).executeTakeFirst();
}

export function listWarehouses(db: DbOrTx, scope: CustomerScope, opts: { customerId?: number; includeDisabled?: boolean }) {
  let q = db.selectFrom('warehouses').selectAll().where(visible(scope, 'warehouses.customer_id'));
  if (opts.customerId !== undefined) q = q.where('customer_id', '=', opts.customerId);
  if (!opts.includeDisabled) q = q.where('disabled', '=', 0);
  return q.orderBy('kind').orderBy('name').limit(1000).execute();
}

export async function warehousesByIds(db: DbOrTx, ids: Array<number | null>): Promise<Map<number, WarehouseRow>> {
  const uniq = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom('warehouses').selectAll().where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [Number(r.id), r]));
}

// ------------------------------------------------------------ references (read only)

export function findTicket(db: DbOrTx, scope: CustomerScope, id: number) {
  let q = db.selectFrom('tickets').select(['id', 'number', 'title', 'customer_id', 'state']).where('id', '=', id);
  if (scope.kind !== 'all') q = scope.ids.length ? q.where('customer_id', 'in', scope.ids) : q.where(sql<SqlBool>`1 = 0`);
  return q.executeTakeFirst();
}

export function findCustomer(db: DbOrTx, scope: CustomerScope, id: number) {
  let q = db.selectFrom('customers').select(['id', 'name', 'time_zone']).where('id', '=', id);
  if (scope.kind !== 'all') q = scope.ids.length ? q.where('id', 'in', scope.ids) : q.where(sql<SqlBool>`1 = 0`);
  return q.executeTakeFirst();
}

export function findSite(db: DbOrTx, id: number) {
  return db.selectFrom('sites').select(['id', 'name', 'customer_id']).where('id', '=', id).executeTakeFirst();
}

export function findCi(db: DbOrTx, id: number) {
  return db.selectFrom('cis').select(['id', 'code', 'name', 'customer_id']).where('id', '=', id).executeTakeFirst();
}

export function findReport(db: DbOrTx, id: number) {
  return db.selectFrom('repair_reports').select(['id', 'ticket_id', 'number', 'customer_id']).where('id', '=', id).executeTakeFirst();
}

export async function namesOf(db: DbOrTx, table: 'customers' | 'sites', ids: Array<number | null>): Promise<Map<number, string>> {
  const uniq = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

export async function ticketNumbers(db: DbOrTx, ids: Array<number | null>): Promise<Map<number, string>> {
  const uniq = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom('tickets').select(['id', 'number']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [Number(r.id), r.number]));
}

export async function zoneOf(db: DbOrTx, customerId: number | null): Promise<string> {
  if (customerId === null) return 'Asia/Shanghai';
  const row = await db.selectFrom('customers').select('time_zone').where('id', '=', customerId).executeTakeFirst();
  return row?.time_zone ?? 'Asia/Shanghai';
}

/**
 * Whom a stock or stand-in alert tells: the parts managers (enabled provider users whose roles
 * grant parts.write and every customer, e.g. the administrator or a 备件管理员 role) and, for a
 * customer's store or machine, the project managers of the customer's contracts.
 */
export async function partsManagers(db: DbOrTx, customerId: number | null): Promise<number[]> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['user_roles.user_id', 'roles.permissions'])
    .where('users.disabled', '=', 0)
    .where('users.customer_id', 'is', null)
    .execute();
  const perms = new Map<number, Set<string>>();
  for (const r of rows) {
    const set = perms.get(Number(r.user_id)) ?? new Set<string>();
    for (const p of JSON.parse(r.permissions) as string[]) set.add(p);
    perms.set(Number(r.user_id), set);
  }
  const out = new Set<number>();
  for (const [uid, set] of perms) if (set.has('parts.write') && set.has('scope.all')) out.add(uid);
  if (customerId !== null) {
    const pms = await db.selectFrom('contracts').select('project_manager_id').where('customer_id', '=', customerId).where('project_manager_id', 'is not', null).execute();
    for (const p of pms) if (perms.get(Number(p.project_manager_id))?.has('parts.read')) out.add(Number(p.project_manager_id));
  }
  return [...out].sort((a, b) => a - b);
}

// ------------------------------------------------------------ stock

export function findStock(db: DbOrTx, warehouseId: number, modelId: number) {
  return db.selectFrom('part_stock').selectAll().where('warehouse_id', '=', warehouseId).where('model_id', '=', modelId).executeTakeFirst();
}

/** Takes `n` from the stock only if that many are there; false (nothing changed) otherwise. */
export async function takeStock(trx: DbOrTx, warehouseId: number, modelId: number, n: number, now: number): Promise<boolean> {
  const res = await trx
    .updateTable('part_stock')
    .set({ quantity: sql<number>`quantity - ${n}`, updated_at: now })
    .where('warehouse_id', '=', warehouseId)
    .where('model_id', '=', modelId)
    .where('quantity', '>=', n)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function putStock(trx: DbOrTx, warehouseId: number, modelId: number, n: number, now: number): Promise<void> {
  await trx
    .insertInto('part_stock')
    .values({ warehouse_id: warehouseId, model_id: modelId, quantity: n, min_quantity: 0, alerted_at: null, updated_at: now })
    .onConflict((oc) => oc.columns(['warehouse_id', 'model_id']).doUpdateSet({ quantity: sql<number>`part_stock.quantity + ${n}`, updated_at: now }))
    .execute();
}

export async function setMin(trx: DbOrTx, warehouseId: number, modelId: number, min: number, now: number): Promise<void> {
  await trx
    .insertInto('part_stock')
    .values({ warehouse_id: warehouseId, model_id: modelId, quantity: 0, min_quantity: min, alerted_at: null, updated_at: now })
    .onConflict((oc) => oc.columns(['warehouse_id', 'model_id']).doUpdateSet({ min_quantity: min, updated_at: now }))
    .execute();
}

/** Marks the shortage told; false when another change told it already. */
export async function markAlerted(trx: DbOrTx, warehouseId: number, modelId: number, now: number): Promise<boolean> {
  const res = await trx.updateTable('part_stock').set({ alerted_at: now }).where('warehouse_id', '=', warehouseId).where('model_id', '=', modelId).where('alerted_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function clearAlerted(trx: DbOrTx, warehouseId: number, modelId: number): Promise<void> {
  await trx.updateTable('part_stock').set({ alerted_at: null }).where('warehouse_id', '=', warehouseId).where('model_id', '=', modelId).execute();
}

export function listStock(db: DbOrTx, scope: CustomerScope, f: { warehouseId?: number; modelId?: number; customerId?: number; low?: boolean; q?: string }) {
  let q = db
    .selectFrom('part_stock')
    .innerJoin('warehouses', 'warehouses.id', 'part_stock.warehouse_id')
    .innerJoin('part_models', 'part_models.id', 'part_stock.model_id')
    .select([
      'part_stock.warehouse_id', 'part_stock.model_id', 'part_stock.quantity', 'part_stock.min_quantity', 'part_stock.alerted_at',
      'warehouses.name as warehouse_name', 'warehouses.customer_id',
      'part_models.type', 'part_models.brand', 'part_models.model', 'part_models.unit', 'part_models.serial_tracked', 'part_models.standin',
    ])
    .where(visible(scope, 'warehouses.customer_id'));
  if (f.warehouseId !== undefined) q = q.where('part_stock.warehouse_id', '=', f.warehouseId);
  if (f.modelId !== undefined) q = q.where('part_stock.model_id', '=', f.modelId);
  if (f.customerId !== undefined) q = q.where('warehouses.customer_id', '=', f.customerId);
  if (f.low) q = q.where(sql<SqlBool>`part_stock.quantity < part_stock.min_quantity`);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where(sql<SqlBool>`(lower(part_models.type) like ${like} escape '\\' or lower(coalesce(part_models.brand, '')) like ${like} escape '\\' or lower(part_models.model) like ${like} escape '\\')`);
  }
  return q.orderBy('warehouses.name').orderBy('part_models.type').orderBy('part_models.model').limit(2000).execute();
}

/** Faulty units per (warehouse, model). */
export async function faultyCounts(db: DbOrTx, warehouseIds: number[]): Promise<Map<string, number>> {
  if (!warehouseIds.length) return new Map();
  const rows = await db
    .selectFrom('part_items')
    .select(['warehouse_id', 'model_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('warehouse_id', 'in', [...new Set(warehouseIds)])
    .where('state', '=', 'faulty')
    .groupBy(['warehouse_id', 'model_id'])
    .execute();
  return new Map(rows.map((r) => [`${r.warehouse_id}:${r.model_id}`, Number(r.n)]));
}

// ------------------------------------------------------------ items

export function findItem(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('part_items').selectAll().where('id', '=', id).where(visible(scope, 'part_items.customer_id')).executeTakeFirst();
}

export function findItemBySerial(db: DbOrTx, modelId: number, serial: string) {
  return db.selectFrom('part_items').selectAll().where('model_id', '=', modelId).where('serial', '=', serial).executeTakeFirst();
}

export async function existingSerials(db: DbOrTx, modelId: number, serials: string[]): Promise<Set<string>> {
  if (!serials.length) return new Set();
  const rows = await db.selectFrom('part_items').select('serial').where('model_id', '=', modelId).where('serial', 'in', serials).execute();
  return new Set(rows.map((r) => r.serial));
}

export async function insertItem(trx: DbOrTx, v: { model_id: number; serial: string; warehouse_id: number | null; state: string; customer_id: number | null; ticket_id?: number | null; ci_id?: number | null }, now: number): Promise<number> {
  const row = await trx
    .insertInto('part_items')
    .values({ ticket_id: null, ci_id: null, due_back: null, reminded_on: null, version: 1, ...v, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Moves an item from the state (and warehouse) it was read in; false when it changed meanwhile. */
export async function moveItem(trx: DbOrTx, id: number, expect: { state: string; warehouseId: number | null }, set: Partial<Pick<ItemRow, 'state' | 'warehouse_id' | 'customer_id' | 'ticket_id' | 'ci_id' | 'due_back' | 'reminded_on'>>, now: number): Promise<boolean> {
  let q = trx.updateTable('part_items').set({ ...set, version: sql<number>`version + 1`, updated_at: now }).where('id', '=', id).where('state', '=', expect.state);
  q = expect.warehouseId === null ? q.where('warehouse_id', 'is', null) : q.where('warehouse_id', '=', expect.warehouseId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function listItems(db: DbOrTx, scope: CustomerScope, f: { warehouseId?: number; modelId?: number; customerId?: number; state?: string; standin?: boolean; overdueBefore?: string; q?: string; limit: number }) {
  let q = db
    .selectFrom('part_items')
    .innerJoin('part_models', 'part_models.id', 'part_items.model_id')
    .selectAll('part_items')
    .select(['part_models.standin'])
    .where(visible(scope, 'part_items.customer_id'));
  if (f.warehouseId !== undefined) q = q.where('part_items.warehouse_id', '=', f.warehouseId);
  if (f.modelId !== undefined) q = q.where('part_items.model_id', '=', f.modelId);
  if (f.customerId !== undefined) q = q.where('part_items.customer_id', '=', f.customerId);
  if (f.state !== undefined) q = q.where('part_items.state', '=', f.state);
  if (f.standin) q = q.where('part_models.standin', '=', 1);
  if (f.overdueBefore) q = q.where('part_items.state', '=', 'lent').where('part_items.due_back', '<', f.overdueBefore);
  if (f.q) q = q.where('part_items.serial', 'like', `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  return q.orderBy('part_items.due_back').orderBy('part_items.id').limit(f.limit).execute();
}

// ------------------------------------------------------------ movements

export async function insertMovement(trx: DbOrTx, v: Omit<MovementRow, 'id'>): Promise<number> {
  const row = await trx.insertInto('part_movements').values(v).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export function findMovement(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('part_movements').selectAll().where('id', '=', id).where(visible(scope, 'part_movements.customer_id')).executeTakeFirst();
}

export function movementsByNumber(db: DbOrTx, number: string) {
  return db.selectFrom('part_movements').selectAll().where('number', '=', number).orderBy('id').execute();
}

export function movementsOfTicket(db: DbOrTx, ticketId: number) {
  return db.selectFrom('part_movements').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

export function listMovements(
  db: DbOrTx,
  scope: CustomerScope,
  f: { customerId?: number; warehouseId?: number; modelId?: number; ticketId?: number; kind?: string; from?: number; to?: number; q?: string; after?: [number, number]; limit: number },
) {
  let q = db.selectFrom('part_movements').selectAll().where(visible(scope, 'part_movements.customer_id'));
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.warehouseId !== undefined) {
    const w = f.warehouseId;
    q = q.where((eb) => eb.or([eb('from_warehouse_id', '=', w), eb('to_warehouse_id', '=', w)]));
  }
  if (f.modelId !== undefined) q = q.where('model_id', '=', f.modelId);
  if (f.ticketId !== undefined) q = q.where('ticket_id', '=', f.ticketId);
  if (f.kind !== undefined) q = q.where('kind', '=', f.kind);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.q) q = q.where('number', 'like', `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  if (f.after) {
    const [at, id] = f.after;
    q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
  }
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export async function itemSerials(db: DbOrTx, ids: Array<number | null>): Promise<Map<number, string>> {
  const uniq = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom('part_items').select(['id', 'serial']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [Number(r.id), r.serial]));
}

/** The user who lent an item the last time (told with the parts managers when it is overdue). */
export async function lenderOf(db: DbOrTx, itemId: number): Promise<number | null> {
  const row = await db.selectFrom('part_movements').select('by_id').where('item_id', '=', itemId).where('kind', '=', 'lend').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.by_id == null ? null : Number(row.by_id);
}
