import { sql, type Insertable, type Kysely, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { CiRelationsTable, CisTable, CiTypesTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import { chunks } from '../../core/cmdb/impact.js';
import { prefixRange } from '../../core/cmdb/rules.js';
import { ciInScope, type CiRow } from './scope.js';

/**
 * Queries of the CMDB's own tables (ci_types, cis, ci_addresses, ci_relations, ci_history,
 * ticket_cis). Who may see a CI is `ciInScope` (scope.ts), applied in SQL on every read.
 * Every query here is driven by an index of migration 0030 (docs/CMDB.md, "Performance").
 */
export type { CiRow };
export type TypeRow = Selectable<CiTypesTable>;
export type RelationRow = Selectable<CiRelationsTable>;

// ---------------------------------------------------------------- types

export async function listTypes(db: DbOrTx): Promise<TypeRow[]> {
  return db.selectFrom('ci_types').selectAll().orderBy('id').execute();
}

export async function findType(db: DbOrTx, id: number): Promise<TypeRow | undefined> {
  return db.selectFrom('ci_types').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertType(trx: DbOrTx, values: Omit<Insertable<CiTypesTable>, 'id'>): Promise<number> {
  const row = await trx.insertInto('ci_types').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateType(trx: DbOrTx, id: number, version: number, changes: Updateable<CiTypesTable>): Promise<boolean> {
  const res = await trx.updateTable('ci_types').set({ ...changes, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** CIs of a type, in id order after `afterId` (a type change checks them in batches). */
export async function cisOfType(db: DbOrTx, typeId: number, afterId: number, limit: number): Promise<Array<Pick<CiRow, 'id' | 'code' | 'attributes'>>> {
  return db.selectFrom('cis').select(['id', 'code', 'attributes']).where('type_id', '=', typeId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

// ---------------------------------------------------------------- CIs

export async function findCi(db: DbOrTx, scope: CustomerScope, id: number, lock = false): Promise<CiRow | undefined> {
  let q = db.selectFrom('cis').selectAll().where('id', '=', id).where(ciInScope(scope));
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function cisByIds(db: DbOrTx, scope: CustomerScope, ids: number[]): Promise<CiRow[]> {
  const out: CiRow[] = [];
  for (const part of chunks([...new Set(ids)])) out.push(...(await db.selectFrom('cis').selectAll().where('id', 'in', part).where(ciInScope(scope)).execute()));
  return out;
}

export async function insertCi(trx: DbOrTx, values: Omit<Insertable<CisTable>, 'id'>): Promise<number> {
  const row = await trx.insertInto('cis').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Applies the change to the CI still at `version`; false when someone changed it meanwhile. */
export async function updateCi(trx: DbOrTx, id: number, version: number, changes: Updateable<CisTable>): Promise<boolean> {
  const res = await trx.updateTable('cis').set({ ...changes, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function ciByCode(db: DbOrTx, code: string): Promise<Pick<CiRow, 'id' | 'code'> | undefined> {
  return db.selectFrom('cis').select(['id', 'code']).where('code', '=', code).executeTakeFirst();
}

export async function ciBySerial(db: DbOrTx, serial: string): Promise<Pick<CiRow, 'id' | 'code'> | undefined> {
  return db.selectFrom('cis').select(['id', 'code']).where('serial', '=', serial).executeTakeFirst();
}

/** The CIs using any of these codes / serials (an import's duplicates), chunked. */
export async function existingKeys(db: DbOrTx, column: 'code' | 'serial', values: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(values)])) {
    const rows = await db.selectFrom('cis').select(['code', 'serial']).where(column, 'in', part).execute();
    for (const r of rows) out.set(column === 'code' ? r.code : r.serial!, r.code);
  }
  return out;
}

/** Replaces a CI's addresses with `ips`. */
export async function setAddresses(trx: DbOrTx, ciId: number, customerId: number, ips: string[]): Promise<void> {
  await trx.deleteFrom('ci_addresses').where('ci_id', '=', ciId).execute();
  if (ips.length) await trx.insertInto('ci_addresses').values(ips.map((ip) => ({ ci_id: ciId, customer_id: customerId, ip }))).execute();
}

export async function addressesOf(db: DbOrTx, ciId: number): Promise<string[]> {
  return (await db.selectFrom('ci_addresses').select('ip').where('ci_id', '=', ciId).orderBy('ip').execute()).map((r) => r.ip);
}

export interface ListFilter {
  customerId?: number;
  siteId?: number;
  typeId?: number;
  status?: string;
  criticality?: number;
  ids?: number[];
  /** Keyset: ids below this (newest first). */
  beforeId?: number;
  limit: number;
}

export async function listCis(db: DbOrTx, scope: CustomerScope, f: ListFilter): Promise<CiRow[]> {
  let q = db.selectFrom('cis').selectAll().where(ciInScope(scope));
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.siteId !== undefined) q = q.where('site_id', '=', f.siteId);
  if (f.typeId !== undefined) q = q.where('type_id', '=', f.typeId);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.criticality !== undefined) q = q.where('criticality', '=', f.criticality);
  if (f.ids) q = f.ids.length ? q.where('id', 'in', f.ids) : q.where(sql<SqlBool>`1 = 0`);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

const range = (col: string, prefix: string) => {
  const { lo, hi } = prefixRange(prefix);
  return hi === null ? sql<SqlBool>`${sql.ref(col)} >= ${lo}` : sql<SqlBool>`${sql.ref(col)} >= ${lo} and ${sql.ref(col)} < ${hi}`;
};

/** Ids of CIs whose code starts with `prefix` (upper case), in scope: a range of cis_code. */
export async function idsByCodePrefix(db: DbOrTx, scope: CustomerScope, prefix: string, limit: number, customerId?: number): Promise<number[]> {
  let q = db.selectFrom('cis').select('id').where(range('cis.code', prefix)).where(ciInScope(scope));
  if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
  return (await q.orderBy('code').limit(limit).execute()).map((r) => Number(r.id));
}

/** CIs with an address starting with `prefix` (or equal to it): a range of ci_addresses_ip. */
export async function idsByIpPrefix(db: DbOrTx, scope: CustomerScope, prefix: string, limit: number, customerId?: number): Promise<Array<{ id: number; ip: string }>> {
  let q = db.selectFrom('ci_addresses').select(['ci_id', 'ip']).where(range('ci_addresses.ip', prefix)).where(ciInScope(scope, 'ci_addresses.customer_id'));
  if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
  return (await q.orderBy('ip').limit(limit).execute()).map((r) => ({ id: Number(r.ci_id), ip: r.ip }));
}

export async function idsBySerial(db: DbOrTx, scope: CustomerScope, serial: string, customerId?: number): Promise<number[]> {
  let q = db.selectFrom('cis').select('id').where('serial', '=', serial).where(ciInScope(scope));
  if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
  return (await q.limit(5).execute()).map((r) => Number(r.id));
}

export async function idsByHostname(db: DbOrTx, scope: CustomerScope, hostname: string, customerId?: number): Promise<number[]> {
  let q = db.selectFrom('cis').select('id').where(range('cis.hostname', hostname)).where(ciInScope(scope));
  if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
  return (await q.limit(20).execute()).map((r) => Number(r.id));
}

/** One customer's CIs whose name contains `text` (the customer's part of cis_customer_name). */
export async function idsByNameOfCustomer(db: DbOrTx, customerId: number, text: string, limit: number): Promise<number[]> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const rows = await db
    .selectFrom('cis')
    .select('id')
    .where('customer_id', '=', customerId)
    .where(sql<SqlBool>`lower(${sql.ref('cis.name')}) like ${pattern} escape '\\'`)
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.id));
}

// ---------------------------------------------------------------- names

export async function namesOf(db: DbOrTx, table: 'customers' | 'sites', ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))];
  const out = new Map<number, string>();
  for (const part of chunks(wanted)) for (const r of await db.selectFrom(table).select(['id', 'name']).where('id', 'in', part).execute()) out.set(Number(r.id), r.name);
  return out;
}

export async function siteOf(db: DbOrTx, siteId: number): Promise<{ id: number; customer_id: number; name: string } | undefined> {
  const r = await db.selectFrom('sites').select(['id', 'customer_id', 'name']).where('id', '=', siteId).executeTakeFirst();
  return r ? { id: Number(r.id), customer_id: Number(r.customer_id), name: r.name } : undefined;
}

export async function userOf(db: DbOrTx, userId: number): Promise<{ id: number; customer_id: number | null; display_name: string } | undefined> {
  const r = await db.selectFrom('users').select(['id', 'customer_id', 'display_name']).where('id', '=', userId).executeTakeFirst();
  return r ? { id: Number(r.id), customer_id: r.customer_id === null ? null : Number(r.customer_id), display_name: r.display_name } : undefined;
}

// ---------------------------------------------------------------- history

export async function insertHistory(trx: DbOrTx, rows: Array<{ ci_id: number; at: number; actor_id: number | null; actor_name: string; action: string; changes: string }>): Promise<void> {
  for (const part of chunks(rows, 200)) await trx.insertInto('ci_history').values(part).execute();
}

export async function historyOf(db: DbOrTx, ciId: number, beforeId: number | undefined, limit: number) {
  let q = db.selectFrom('ci_history').selectAll().where('ci_id', '=', ciId);
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

// ---------------------------------------------------------------- references (delete)

/** What still names a CI, by table (0 omitted): a CI any of these name is retired, not deleted. */
export async function referencesOf(db: DbOrTx, ciId: number): Promise<Record<string, number>> {
  const any = db as unknown as Kysely<any>;
  const count = async (table: string, column: string) => Number((await any.selectFrom(table).select(sql<number>`count(*)`.as('n')).where(column, '=', ciId).executeTakeFirst())?.n ?? 0);
  const [tickets, out, inc, assets, campaigns, movements, parts, repairs] = await Promise.all([
    count('ticket_cis', 'ci_id'),
    count('ci_relations', 'source_id'),
    count('ci_relations', 'target_id'),
    count('ci_assets', 'ci_id'),
    count('asset_campaign_items', 'ci_id'),
    count('part_movements', 'ci_id'),
    count('part_items', 'ci_id'),
    count('repair_orders', 'ci_id'),
  ]);
  const all: Record<string, number> = { tickets, relations: out + inc, assets, campaigns, movements, parts, repairs };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v > 0));
}

// ---------------------------------------------------------------- relations

export async function findRelation(db: DbOrTx, scope: CustomerScope, id: number): Promise<RelationRow | undefined> {
  return db.selectFrom('ci_relations').selectAll().where('id', '=', id).where(ciInScope(scope, 'ci_relations.customer_id')).executeTakeFirst();
}

export async function relationExists(db: DbOrTx, source: number, target: number, type: string): Promise<boolean> {
  return !!(await db.selectFrom('ci_relations').select('id').where('source_id', '=', source).where('target_id', '=', target).where('type', '=', type).executeTakeFirst());
}

export async function insertRelation(trx: DbOrTx, values: Omit<Insertable<CiRelationsTable>, 'id'>): Promise<number> {
  const row = await trx.insertInto('ci_relations').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function relationsOf(db: DbOrTx, ciId: number): Promise<{ outgoing: RelationRow[]; incoming: RelationRow[] }> {
  const [outgoing, incoming] = await Promise.all([
    db.selectFrom('ci_relations').selectAll().where('source_id', '=', ciId).orderBy('id').limit(1000).execute(),
    db.selectFrom('ci_relations').selectAll().where('target_id', '=', ciId).orderBy('id').limit(1000).execute(),
  ]);
  return { outgoing, incoming };
}

/** Targets of `types` edges leaving these CIs (one level of a cycle check). */
export async function targetsOf(db: DbOrTx, ids: number[], types: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('ci_relations').select('target_id').where('source_id', 'in', part).where('type', 'in', [...types]).execute();
    for (const r of rows) out.push(Number(r.target_id));
  }
  return out;
}

// ---------------------------------------------------------------- tickets

export async function ticketCiIds(db: DbOrTx, ticketId: number): Promise<number[]> {
  return (await db.selectFrom('ticket_cis').select('ci_id').where('ticket_id', '=', ticketId).orderBy('created_at').execute()).map((r) => Number(r.ci_id));
}

export async function linkTicketCis(trx: DbOrTx, ticketId: number, ciIds: number[], userId: number | null, now: number): Promise<number[]> {
  const have = new Set(await ticketCiIds(trx, ticketId));
  const add = [...new Set(ciIds)].filter((id) => !have.has(id));
  if (add.length) await trx.insertInto('ticket_cis').values(add.map((ci_id) => ({ ticket_id: ticketId, ci_id, created_at: now, created_by: userId }))).execute();
  return add;
}
