import { sql, type Insertable, type Kysely, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { ContactsTable, ContractsTable, CustomersTable, DB, SitesTable, TeamsTable } from '../../db/schema.js';
import { ilike } from '../../db/dialect.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import type { PageQuery } from '../../platform/http/zod.js';
import { contactKeys, queryKind } from './contact-keys.js';
import { CONTACT_SEARCH_LIMIT } from './schema.js';

/**
 * Queries of the organisation tables. Every read of customer data takes the caller's scope and
 * applies it in SQL: a row outside the scope is simply not found.
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `column in (scope ids)`; nothing matches an empty scope, everything matches `all`. */
function inScope(column: string, scope: CustomerScope) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(scope.ids)})`;
}

const versionPlusOne = sql<number>`version + 1`;

// ---------------------------------------------------------------- what the versioned tables share
// Customers, sites, contacts, contracts and teams carry the same id, version and timestamps, are
// inserted at version 1 and updated only at the version the caller read: written once here, so
// the row mappers and writes below differ only in their own columns.

/** A nullable reference column as the API gives it: a number, whatever type the driver returned. */
function idOrNull(v: number | string | bigint | null): number | null {
  return v === null ? null : Number(v);
}

/** What every record of these tables carries: its id, the version an edit must name, its timestamps. */
export interface VersionedRecord {
  id: number;
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** The version and timestamps of a versioned row, as the API names them (after its own fields, where the API has them). */
function stamps(r: { version: number; created_at: number; updated_at: number }) {
  return { version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}

type Versioned = 'customers' | 'sites' | 'contacts' | 'contracts';
type NewRow<T extends Versioned> = Omit<Insertable<DB[T]>, 'created_at' | 'updated_at' | 'version'>;

// The table is a parameter, which Kysely's builders cannot type through a union of tables: the
// signatures below carry the types, the body runs on an untyped handle.
function untyped(db: DbOrTx): Kysely<any> {
  return db as unknown as Kysely<any>;
}

/** Inserts a row at version 1, created and updated now; the row as stored. */
async function insertVersioned<T extends Versioned>(db: DbOrTx, table: T, values: NewRow<T>, now: number): Promise<Selectable<DB[T]>> {
  const row = await untyped(db).insertInto(table as string).values({ ...values, created_at: now, updated_at: now, version: 1 }).returningAll().executeTakeFirstOrThrow();
  return row as Selectable<DB[T]>;
}

/** Applies `set` if the row is still at `version` (a new version, updated now); undefined when it is not (stale). */
async function updateVersioned<T extends Versioned>(db: DbOrTx, table: T, id: number, version: number, set: Updateable<DB[T]>, now: number): Promise<Selectable<DB[T]> | undefined> {
  const row = await untyped(db)
    .updateTable(table as string)
    .set({ ...set, updated_at: now, version: versionPlusOne })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  return row as Selectable<DB[T]> | undefined;
}

type OfCustomer = 'sites' | 'contacts' | 'contracts';

/** A customer's rows of one table in id order (each table's customer index), `q` matching any of `searchColumns`. */
async function pageOfCustomer<T extends OfCustomer, R extends { id: number }>(
  db: DbOrTx,
  table: T,
  scope: CustomerScope,
  customerId: number,
  query: PageQuery,
  searchColumns: string[],
  map: (r: Selectable<DB[T]>) => R,
): Promise<Page<R>> {
  const after = decodeCursor(query.cursor, ['number']) as [number] | null;
  let q = untyped(db).selectFrom(table as string).selectAll().where('customer_id', '=', customerId).where(inScope(`${table}.customer_id`, scope));
  if (query.q) q = q.where((eb) => eb.or(searchColumns.map((c) => ilike(c, query.q!))));
  if (after) q = q.where('id', '>', after[0]);
  const rows = (await q.orderBy('id').limit(query.limit + 1).execute()) as Selectable<DB[T]>[];
  return pageOf(rows.map(map), query.limit, (r) => [r.id]);
}

/** One row of a customer's table by id, if its customer is in the scope. */
async function findOfCustomer<T extends OfCustomer>(db: DbOrTx, table: T, scope: CustomerScope, id: number): Promise<Selectable<DB[T]> | undefined> {
  const row = await untyped(db).selectFrom(table as string).selectAll().where('id', '=', id).where(inScope(`${table}.customer_id`, scope)).executeTakeFirst();
  return row as Selectable<DB[T]> | undefined;
}

/** The columns of the fields given, for a partial update: undefined leaves a column as it is, null clears it. */
function givenColumns<V extends object>(v: V, columns: { [K in keyof V]?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns) as Array<[keyof V, string]>) if (v[field] !== undefined) out[column] = v[field];
  return out;
}

// ---------------------------------------------------------------- customers

export interface CustomerValues {
  code: string;
  name: string;
  tier: number;
  timeZone: string;
  address: string | null;
  notes: string | null;
}

export interface Customer extends VersionedRecord, CustomerValues {
  archivedAt: number | null;
}

function toCustomer(r: Selectable<CustomersTable>): Customer {
  return {
    id: Number(r.id),
    code: r.code,
    name: r.name,
    tier: r.tier,
    timeZone: r.time_zone,
    address: r.address,
    notes: r.notes,
    archivedAt: r.archived_at,
    ...stamps(r),
  };
}

/** Ordered by name (the customers_name index), then id. */
export async function listCustomers(db: DbOrTx, scope: CustomerScope, query: PageQuery & { archived: boolean }): Promise<Page<Customer>> {
  const after = decodeCursor(query.cursor, ['string', 'number']) as [string, number] | null;
  let q = db.selectFrom('customers').selectAll().where(inScope('customers.id', scope));
  if (!query.archived) q = q.where('archived_at', 'is', null);
  if (query.q) q = q.where((eb) => eb.or([ilike('code', query.q!), ilike('name', query.q!)]));
  if (after) q = q.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after[0], after[1])));
  const rows = await q.orderBy('name').orderBy('id').limit(query.limit + 1).execute();
  return pageOf(rows.map(toCustomer), query.limit, (c) => [c.name, c.id]);
}

export async function findCustomer(db: DbOrTx, scope: CustomerScope, id: number): Promise<Customer | null> {
  const row = await db.selectFrom('customers').selectAll().where('id', '=', id).where(inScope('customers.id', scope)).executeTakeFirst();
  return row ? toCustomer(row) : null;
}

/** Of the given ids, those that exist within the scope. */
export async function customerIdsInScope(db: DbOrTx, scope: CustomerScope, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('customers').select('id').where('id', 'in', ids).where(inScope('customers.id', scope)).execute();
  return new Set(rows.map((r) => Number(r.id)));
}

export async function insertCustomer(db: DbOrTx, v: CustomerValues, now: number): Promise<Customer> {
  return toCustomer(await insertVersioned(db, 'customers', { code: v.code, name: v.name, tier: v.tier, time_zone: v.timeZone, address: v.address, notes: v.notes, archived_at: null }, now));
}

/** Applies the change if the row is still at `version`; undefined when it is not (stale). */
export async function updateCustomer(db: DbOrTx, id: number, version: number, v: Partial<CustomerValues> & { archivedAt?: number | null }, now: number): Promise<Customer | undefined> {
  const set = givenColumns(v, { code: 'code', name: 'name', tier: 'tier', timeZone: 'time_zone', address: 'address', notes: 'notes', archivedAt: 'archived_at' });
  const row = await updateVersioned(db, 'customers', id, version, set, now);
  return row ? toCustomer(row) : undefined;
}

/** What keeps a customer from being deleted: its contracts and its staff's user accounts. */
export async function customerDependents(db: DbOrTx, id: number): Promise<{ contracts: number; users: number }> {
  const [contracts, users] = await Promise.all([
    db.selectFrom('contracts').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  return { contracts: Number(contracts.n), users: Number(users.n) };
}

export async function deleteCustomer(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('customers').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- sites

export interface Site extends VersionedRecord {
  customerId: number;
  name: string;
  kind: 'site' | 'department';
  address: string | null;
  parentId: number | null;
}

function toSite(r: Selectable<SitesTable>): Site {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    name: r.name,
    kind: r.kind as Site['kind'],
    address: r.address,
    parentId: idOrNull(r.parent_id),
    ...stamps(r),
  };
}

/** A customer's sites in id order (the sites_customer index). */
export async function listSites(db: DbOrTx, scope: CustomerScope, customerId: number, query: PageQuery): Promise<Page<Site>> {
  return pageOfCustomer(db, 'sites', scope, customerId, query, ['name', 'address'], toSite);
}

export async function findSite(db: DbOrTx, scope: CustomerScope, id: number): Promise<Site | null> {
  const row = await findOfCustomer(db, 'sites', scope, id);
  return row ? toSite(row) : null;
}

/** A site only if it belongs to this customer (references across customers are refused). */
export async function findSiteOfCustomer(db: DbOrTx, customerId: number, id: number): Promise<Site | null> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
  return row ? toSite(row) : null;
}

/** The parent chain of a site, nearest first, bounded so damaged data cannot loop forever. */
export async function ancestorIds(db: DbOrTx, siteId: number, maxDepth = 100): Promise<number[]> {
  const rows = await db
    .withRecursive('up(id, parent_id, depth)', (qb) =>
      qb
        .selectFrom('sites')
        .select(['id', 'parent_id', sql<number>`0`.as('depth')])
        .where('id', '=', siteId)
        .unionAll((qb2) =>
          qb2
            .selectFrom('sites')
            .innerJoin('up', 'up.parent_id', 'sites.id')
            .select(['sites.id', 'sites.parent_id', sql<number>`up.depth + 1`.as('depth')])
            .where('up.depth', '<', maxDepth),
        ),
    )
    .selectFrom('up')
    .select(['id', 'depth'])
    .orderBy('depth')
    .execute();
  return rows.slice(1).map((r) => Number(r.id));
}

/** Site ids by name, for matching the 服务地点 column of an import. */
export async function siteIdsByName(db: DbOrTx, customerId: number): Promise<Map<string, number[]>> {
  const rows = await db.selectFrom('sites').select(['id', 'name']).where('customer_id', '=', customerId).execute();
  const out = new Map<string, number[]>();
  for (const r of rows) out.set(r.name, [...(out.get(r.name) ?? []), Number(r.id)]);
  return out;
}

export interface SiteValues {
  name: string;
  kind: string;
  address: string | null;
  parentId: number | null;
}

export async function insertSite(db: DbOrTx, customerId: number, v: SiteValues, now: number): Promise<Site> {
  return toSite(await insertVersioned(db, 'sites', { customer_id: customerId, name: v.name, kind: v.kind, address: v.address, parent_id: v.parentId }, now));
}

export async function updateSite(db: DbOrTx, id: number, version: number, v: Partial<SiteValues>, now: number): Promise<Site | undefined> {
  const row = await updateVersioned(db, 'sites', id, version, givenColumns(v, { name: 'name', kind: 'kind', address: 'address', parentId: 'parent_id' }), now);
  return row ? toSite(row) : undefined;
}

/**
 * Deletes a site. Its child sites move up to its parent and its contacts lose the site (with
 * new versions, so an edit based on the old state is refused), rather than leaving the
 * database's SET NULL to change rows behind the versions' back.
 */
export async function deleteSite(db: DbOrTx, site: Site, now: number): Promise<{ children: number; contacts: number }> {
  const children = await db.updateTable('sites').set({ parent_id: site.parentId, updated_at: now, version: versionPlusOne }).where('parent_id', '=', site.id).executeTakeFirst();
  const contacts = await db.updateTable('contacts').set({ site_id: null, updated_at: now, version: versionPlusOne }).where('site_id', '=', site.id).executeTakeFirst();
  await db.deleteFrom('sites').where('id', '=', site.id).execute();
  return { children: Number(children.numUpdatedRows), contacts: Number(contacts.numUpdatedRows) };
}

// ---------------------------------------------------------------- contacts

/** A contact as stored: what is written (ContactValues, below), every field given, with its customer. */
export interface Contact extends VersionedRecord, Required<ContactValues> {
  customerId: number;
}

function toContact(r: Selectable<ContactsTable>): Contact {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    siteId: idOrNull(r.site_id),
    name: r.name,
    phone: r.phone,
    mobile: r.mobile,
    email: r.email,
    title: r.title,
    isVip: r.is_vip === 1,
    notes: r.notes,
    emailNotify: r.email_notify !== 0,
    locale: r.locale,
    ...stamps(r),
  };
}

/**
 * The digits of a phone number without a +86 / 0086 country prefix: how the desk searches,
 * whatever the spacing and punctuation the number was typed with.
 */
export function phoneKey(phone: string | null): string | null {
  if (!phone) return null;
  let digits = phone.replace(/\D/g, '');
  if (phone.trimStart().startsWith('+86')) digits = digits.slice(2);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  return digits || null;
}

/**
 * The half-open range [lo, hi) holding every digit string that starts with `prefix`, so a
 * prefix search is an index range scan on both databases whatever their collation
 * (LIKE 'x%' uses an index on neither by default). hi is null for a prefix of only 9s.
 */
function digitPrefixRange(prefix: string): { lo: string; hi: string | null } {
  const head = prefix.replace(/9+$/, '');
  if (!head) return { lo: prefix, hi: null };
  return { lo: prefix, hi: head.slice(0, -1) + String(Number(head.slice(-1)) + 1) };
}

export async function listContacts(db: DbOrTx, scope: CustomerScope, customerId: number, query: PageQuery): Promise<Page<Contact>> {
  return pageOfCustomer(db, 'contacts', scope, customerId, query, ['name', 'phone', 'mobile', 'email'], toContact);
}

export async function findContact(db: DbOrTx, scope: CustomerScope, id: number): Promise<Contact | null> {
  const row = await findOfCustomer(db, 'contacts', scope, id);
  return row ? toContact(row) : null;
}

/** Which of the caller lookup's keys found the contact. */
export type ContactMatch = 'name' | 'pinyin' | 'initials' | 'phone' | 'tail' | 'local' | 'site';
export type ContactHit = Contact & { customerName: string; siteName: string | null; matched: ContactMatch };

/** `col` starts with `prefix` (digits or lower-case letters): an index range scan on both databases. */
function prefixRange(col: string, prefix: string) {
  const { lo, hi } = prefixBounds(prefix);
  return hi === null ? sql<SqlBool>`${sql.ref(col)} >= ${lo}` : sql<SqlBool>`(${sql.ref(col)} >= ${lo} and ${sql.ref(col)} < ${hi})`;
}

/** digitPrefixRange for lower-case letters too: [prefix, the prefix without trailing z's and its last letter + 1). */
function prefixBounds(prefix: string): { lo: string; hi: string | null } {
  if (/^\d+$/.test(prefix)) return digitPrefixRange(prefix);
  const head = prefix.replace(/z+$/, '');
  if (!head) return { lo: prefix, hi: null };
  return { lo: prefix, hi: head.slice(0, -1) + String.fromCharCode(head.charCodeAt(head.length - 1) + 1) };
}

/**
 * The desk's "who is calling" lookup across the caller's active customers (docs/TICKETS.md,
 * "Finding the caller"), each kind of query on indexed keys:
 * - digits: the beginning of the phone or mobile number, a landline's number without its area
 *   code (phone_local), and with exactly four digits also the last four (phone_tail, mobile_tail);
 * - letters: the beginning of the name's pinyin or of its initials (xulihua, xuli, xlh);
 * - other text: the name, the title, or the name of the contact's site or department (contains).
 * VIPs first; `matched` says which key found each contact.
 */
export async function searchContacts(db: DbOrTx, scope: CustomerScope, text: string): Promise<ContactHit[]> {
  const { query, key, letters } = contactSearchQuery(db, scope, text);
  const rows = await query.execute();
  const lower = text.toLowerCase();
  const matchOf = (r: (typeof rows)[number]): ContactMatch => {
    if (key) {
      if (r.phone_key?.startsWith(key) || r.mobile_key?.startsWith(key)) return 'phone';
      return r.phone_local?.startsWith(key) ? 'local' : 'tail';
    }
    if (letters) return r.name_pinyin?.startsWith(letters) ? 'pinyin' : 'initials';
    return r.name.toLowerCase().includes(lower) || r.title?.toLowerCase().includes(lower) ? 'name' : 'site';
  };
  return rows.map((r) => ({ ...toContact(r), customerName: r.customer_name, siteName: r.site_name, matched: matchOf(r) }));
}

/** The lookup's query (tests EXPLAIN it on both databases), with the phone key or the letters it searches. */
export function contactSearchQuery(db: DbOrTx, scope: CustomerScope, text: string) {
  let q = db
    .selectFrom('contacts')
    .innerJoin('customers', 'customers.id', 'contacts.customer_id')
    .leftJoin('sites', 'sites.id', 'contacts.site_id')
    .selectAll('contacts')
    .select(['customers.name as customer_name', 'sites.name as site_name'])
    .where('customers.archived_at', 'is', null)
    .where(inScope('contacts.customer_id', scope));
  const kind = queryKind(text);
  const key = kind === 'digits' ? phoneKey(text) : null;
  const letters = kind === 'letters' ? text.toLowerCase().replace(/[^a-z]/g, '') : '';
  if (key) {
    const keys = [prefixRange('contacts.phone_key', key), prefixRange('contacts.mobile_key', key), prefixRange('contacts.phone_local', key)];
    if (key.length === 4) keys.push(sql<SqlBool>`${sql.ref('contacts.phone_tail')} = ${key}`, sql<SqlBool>`${sql.ref('contacts.mobile_tail')} = ${key}`);
    q = q.where((eb) => eb.or(keys));
  } else if (letters) {
    q = q.where((eb) => eb.or([prefixRange('contacts.name_pinyin', letters), prefixRange('contacts.name_initials', letters)]));
  } else {
    q = q.where((eb) => eb.or([ilike('contacts.name', text), ilike('contacts.title', text), ilike('sites.name', text)]));
  }
  return { query: q.orderBy('contacts.is_vip', 'desc').orderBy('contacts.name').orderBy('contacts.id').limit(CONTACT_SEARCH_LIMIT), key, letters };
}

export interface ContactValues {
  name: string;
  siteId: number | null;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  title: string | null;
  isVip: boolean;
  notes: string | null;
  /** Absent (an import): on. */
  emailNotify?: boolean;
  locale?: string | null;
}

function contactColumns(v: ContactValues) {
  const keys = { phone_key: phoneKey(v.phone), mobile_key: phoneKey(v.mobile) };
  return {
    site_id: v.siteId,
    name: v.name,
    phone: v.phone,
    mobile: v.mobile,
    ...keys,
    ...contactKeys(v.name, keys.phone_key, keys.mobile_key),
    email: v.email,
    title: v.title,
    is_vip: v.isVip ? 1 : 0,
    notes: v.notes,
    email_notify: v.emailNotify === false ? 0 : 1,
    locale: v.locale ?? null,
  };
}

export async function insertContact(db: DbOrTx, customerId: number, v: ContactValues, now: number): Promise<Contact> {
  return toContact(await insertVersioned(db, 'contacts', { customer_id: customerId, ...contactColumns(v) }, now));
}

/** Bulk insert for imports, in chunks that stay under both drivers' bound-parameter limits. */
export async function insertContacts(db: DbOrTx, customerId: number, values: ContactValues[], now: number): Promise<void> {
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500).map((v) => ({ customer_id: customerId, ...contactColumns(v), created_at: now, updated_at: now, version: 1 }));
    await db.insertInto('contacts').values(chunk).execute();
  }
}

export async function updateContact(db: DbOrTx, id: number, version: number, v: ContactValues, now: number): Promise<Contact | undefined> {
  const row = await updateVersioned(db, 'contacts', id, version, contactColumns(v), now);
  return row ? toContact(row) : undefined;
}

export async function deleteContact(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('contacts').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- contracts

export interface ContractValues {
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  services: string[];
  serviceHours: string;
  calendarId: string;
  projectManagerId: number | null;
  slaPolicy: Record<string, unknown> | null;
  notes: string | null;
}

export interface Contract extends VersionedRecord, ContractValues {
  customerId: number;
}

function toContract(r: Selectable<ContractsTable>): Contract {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    code: r.code,
    name: r.name,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    services: JSON.parse(r.services) as string[],
    serviceHours: r.service_hours,
    calendarId: r.calendar_id,
    projectManagerId: idOrNull(r.project_manager_id),
    slaPolicy: r.sla_policy === null ? null : (JSON.parse(r.sla_policy) as Record<string, unknown>),
    notes: r.notes,
    ...stamps(r),
  };
}

export async function listContracts(db: DbOrTx, scope: CustomerScope, customerId: number, query: PageQuery): Promise<Page<Contract>> {
  return pageOfCustomer(db, 'contracts', scope, customerId, query, ['code', 'name'], toContract);
}

/** The customer's contract in force on a local date (the latest started; ties: the newest). One row, by the customer's index. */
export async function contractInForce(db: DbOrTx, customerId: number, localDate: string): Promise<Contract | null> {
  const row = await db
    .selectFrom('contracts')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('starts_on', '<=', localDate)
    .where('ends_on', '>=', localDate)
    .orderBy('starts_on', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toContract(row) : null;
}

export async function findContract(db: DbOrTx, scope: CustomerScope, id: number): Promise<Contract | null> {
  const row = await findOfCustomer(db, 'contracts', scope, id);
  return row ? toContract(row) : null;
}

function contractColumns(v: ContractValues) {
  return {
    code: v.code,
    name: v.name,
    starts_on: v.startsOn,
    ends_on: v.endsOn,
    services: JSON.stringify(v.services),
    service_hours: v.serviceHours,
    calendar_id: v.calendarId,
    project_manager_id: v.projectManagerId,
    sla_policy: v.slaPolicy === null ? null : JSON.stringify(v.slaPolicy),
    notes: v.notes,
  };
}

export async function insertContract(db: DbOrTx, customerId: number, v: ContractValues, now: number): Promise<Contract> {
  return toContract(await insertVersioned(db, 'contracts', { customer_id: customerId, ...contractColumns(v) }, now));
}

export async function updateContract(db: DbOrTx, id: number, version: number, v: ContractValues, now: number): Promise<Contract | undefined> {
  const row = await updateVersioned(db, 'contracts', id, version, contractColumns(v), now);
  return row ? toContract(row) : undefined;
}

export async function deleteContract(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('contracts').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- users (read only)

/** Of the given user ids, those of provider-side users (no customer): team members, project managers. */
export async function providerUserIds(db: DbOrTx, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).where('customer_id', 'is', null).execute();
  return new Set(rows.map((r) => Number(r.id)));
}

// ---------------------------------------------------------------- teams

export interface Team extends VersionedRecord {
  name: string;
  kind: string;
  description: string | null;
  assignment: string;
  /** The team's service hours (a calendar id; null: 7×24): the desk's OLA clocks count on its desk team's (REQ T11). */
  calendarId: string | null;
  memberIds: number[];
  /** Every customer the team serves; callers filter to the viewer's scope before showing. */
  customerIds: number[];
}

async function withLinks(db: DbOrTx, rows: Selectable<TeamsTable>[]): Promise<Team[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [members, customers] = await Promise.all([
    db.selectFrom('team_members').select(['team_id', 'user_id']).where('team_id', 'in', ids).orderBy('user_id').execute(),
    db.selectFrom('team_customers').select(['team_id', 'customer_id']).where('team_id', 'in', ids).orderBy('customer_id').execute(),
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    kind: r.kind,
    description: r.description,
    assignment: r.assignment,
    calendarId: r.calendar_id ?? null,
    memberIds: members.filter((m) => Number(m.team_id) === Number(r.id)).map((m) => Number(m.user_id)),
    customerIds: customers.filter((c) => Number(c.team_id) === Number(r.id)).map((c) => Number(c.customer_id)),
    ...stamps(r),
  }));
}

/** Teams by name (unique), then id. */
export async function listTeams(db: DbOrTx, query: PageQuery): Promise<Page<Team>> {
  const after = decodeCursor(query.cursor, ['string', 'number']) as [string, number] | null;
  let q = db.selectFrom('teams').selectAll();
  if (query.q) q = q.where(ilike('name', query.q));
  if (after) q = q.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after[0], after[1])));
  const rows = await q.orderBy('name').orderBy('id').limit(query.limit + 1).execute();
  const page = pageOf(rows, query.limit, (t) => [t.name, Number(t.id)]);
  return { items: await withLinks(db, page.items), nextCursor: page.nextCursor };
}

export async function findTeam(db: DbOrTx, id: number): Promise<Team | null> {
  const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withLinks(db, [row]))[0] : null;
}

export interface TeamValues {
  name: string;
  kind: string;
  description: string | null;
  assignment: string;
  calendarId?: string | null;
}

export async function insertTeam(db: DbOrTx, v: TeamValues, now: number): Promise<number> {
  const row = await db
    .insertInto('teams')
    .values({ name: v.name, kind: v.kind, description: v.description, assignment: v.assignment, calendar_id: v.calendarId ?? null, created_at: now, updated_at: now, version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateTeam(db: DbOrTx, id: number, version: number, v: TeamValues, now: number): Promise<boolean> {
  const res = await db
    .updateTable('teams')
    .set({ name: v.name, kind: v.kind, description: v.description, assignment: v.assignment, calendar_id: v.calendarId ?? null, updated_at: now, version: versionPlusOne })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Replaces the member set; team leads (is_lead) who stay members keep their flag. */
export async function setTeamMembers(db: DbOrTx, teamId: number, userIds: number[]): Promise<void> {
  let del = db.deleteFrom('team_members').where('team_id', '=', teamId);
  if (userIds.length) del = del.where('user_id', 'not in', userIds);
  await del.execute();
  const existing = new Set((await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute()).map((r) => Number(r.user_id)));
  const added = userIds.filter((u) => !existing.has(u));
  if (added.length) await db.insertInto('team_members').values(added.map((u) => ({ team_id: teamId, user_id: u, is_lead: 0 }))).execute();
}

export async function setTeamCustomers(db: DbOrTx, teamId: number, customerIds: number[]): Promise<void> {
  await db.deleteFrom('team_customers').where('team_id', '=', teamId).execute();
  for (let i = 0; i < customerIds.length; i += 1000) {
    await db.insertInto('team_customers').values(customerIds.slice(i, i + 1000).map((c) => ({ team_id: teamId, customer_id: c }))).execute();
  }
}

export async function deleteTeam(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('teams').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- directory (batch lookups for other modules)

export interface DirectoryIds {
  customers?: number[];
  contacts?: number[];
  sites?: number[];
  contracts?: number[];
  teams?: number[];
  users?: number[];
}

export interface DirectoryUser {
  displayName: string;
  customerId: number | null;
  disabled: boolean;
}

export interface Directory {
  customers: Map<number, string>;
  contacts: Map<number, string>;
  sites: Map<number, string>;
  contracts: Map<number, string>;
  teams: Map<number, string>;
  users: Map<number, DirectoryUser>;
}

function distinct(ids: number[] | undefined): number[] {
  return ids ? [...new Set(ids)] : [];
}

/** Names of many records at once: one query per kind asked for, none for an empty list. */
export async function directory(db: DbOrTx, ids: DirectoryIds): Promise<Directory> {
  const names = async (table: 'customers' | 'contacts' | 'sites' | 'contracts' | 'teams', list: number[] | undefined) => {
    const want = distinct(list);
    if (!want.length) return new Map<number, string>();
    const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', want).execute();
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  };
  const users = async () => {
    const want = distinct(ids.users);
    if (!want.length) return new Map<number, DirectoryUser>();
    const rows = await db.selectFrom('users').select(['id', 'display_name', 'customer_id', 'disabled']).where('id', 'in', want).execute();
    return new Map(rows.map((r) => [Number(r.id), { displayName: r.display_name, customerId: r.customer_id === null ? null : Number(r.customer_id), disabled: r.disabled === 1 }]));
  };
  const [customers, contacts, sites, contracts, teams, usersById] = await Promise.all([
    names('customers', ids.customers),
    names('contacts', ids.contacts),
    names('sites', ids.sites),
    names('contracts', ids.contracts),
    names('teams', ids.teams),
    users(),
  ]);
  return { customers, contacts, sites, contracts, teams, users: usersById };
}

export async function teamIdsOfUser(db: DbOrTx, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).orderBy('team_id').execute();
  return rows.map((r) => Number(r.team_id));
}

/** Teams of a kind serving a customer, oldest first. */
export async function teamIdsServing(db: DbOrTx, customerId: number, kind: string): Promise<number[]> {
  const rows = await db
    .selectFrom('team_customers')
    .innerJoin('teams', 'teams.id', 'team_customers.team_id')
    .select('teams.id')
    .where('team_customers.customer_id', '=', customerId)
    .where('teams.kind', '=', kind)
    .orderBy('teams.id')
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Members of the given teams, or of every team of a kind (e.g. all service desk teams). */
export async function teamMemberIds(db: DbOrTx, filter: { teamIds?: number[]; kind?: string; leadsOnly?: boolean }): Promise<number[]> {
  let q = db.selectFrom('team_members').innerJoin('teams', 'teams.id', 'team_members.team_id').select('team_members.user_id').distinct();
  if (filter.teamIds) {
    if (!filter.teamIds.length) return [];
    q = q.where('team_members.team_id', 'in', filter.teamIds);
  }
  if (filter.kind) q = q.where('teams.kind', '=', filter.kind);
  if (filter.leadsOnly) q = q.where('team_members.is_lead', '=', 1);
  const rows = await q.orderBy('team_members.user_id').execute();
  return rows.map((r) => Number(r.user_id));
}
