import { sql, type Insertable, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { ServiceReportPlansTable, ServiceReportsTable, ServiceReportVersionsTable } from '../../db/schema.js';
import type { Actor, CustomerScope } from '../../platform/auth/actor.js';

/**
 * Queries of the service-report tables. Every read for a caller applies his customer scope in
 * SQL, and a customer's own staff see only reports that were issued to them (never a draft).
 */
export type ReportRow = Selectable<ServiceReportsTable>;
export type VersionRow = Selectable<ServiceReportVersionsTable>;
export type PlanRow = Selectable<ServiceReportPlansTable>;
export type NewReport = Omit<Insertable<ServiceReportsTable>, 'id'>;
export type NewVersion = Omit<Insertable<ServiceReportVersionsTable>, 'id'>;

/** States a customer's staff may see: the report was issued to them. */
export const CUSTOMER_VISIBLE = ['issued', 'signed', 'returned'] as const;

function scopeSql(scope: CustomerScope, column: string) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(scope.ids)})`;
}

/** The caller's visibility of `service_reports` rows: his customers, and for customer staff only issued ones. */
export function visibleTo(actor: Pick<Actor, 'scope' | 'customerId'>) {
  const inScope = scopeSql(actor.scope, 'service_reports.customer_id');
  if (actor.customerId === null) return inScope;
  return sql<SqlBool>`${inScope} and ${sql.ref('service_reports.state')} in (${sql.join([...CUSTOMER_VISIBLE])})`;
}

export async function findReport(db: DbOrTx, actor: Pick<Actor, 'scope' | 'customerId'>, id: number, lock = false): Promise<ReportRow | undefined> {
  let q = db.selectFrom('service_reports').selectAll().where('id', '=', id).where(visibleTo(actor));
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findByPeriod(db: DbOrTx, contractId: number, type: string, period: string): Promise<ReportRow | undefined> {
  return db.selectFrom('service_reports').selectAll().where('contract_id', '=', contractId).where('type', '=', type).where('period', '=', period).executeTakeFirst();
}

export async function insertReport(db: DbOrTx, values: NewReport): Promise<number> {
  const row = await db.insertInto('service_reports').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Applies a change to a report still at `version` and in one of `states` (bumping the version);
 * false when it changed meanwhile, so a stale edit writes nothing.
 */
export async function updateReport(db: DbOrTx, id: number, version: number, states: readonly string[], set: Updateable<ServiceReportsTable>): Promise<boolean> {
  const res = await db
    .updateTable('service_reports')
    .set({ ...set, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('state', 'in', [...states])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertVersion(db: DbOrTx, values: NewVersion): Promise<number> {
  const row = await db.insertInto('service_report_versions').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findVersion(db: DbOrTx, reportId: number, seq: number): Promise<VersionRow | undefined> {
  return db.selectFrom('service_report_versions').selectAll().where('report_id', '=', reportId).where('seq', '=', seq).executeTakeFirst();
}

export async function updateVersion(db: DbOrTx, id: number, set: Updateable<ServiceReportVersionsTable>): Promise<void> {
  await db.updateTable('service_report_versions').set(set).where('id', '=', id).execute();
}

/** A report's versions, newest first, without their (large) figures. */
export async function listVersions(db: DbOrTx, reportId: number) {
  return db
    .selectFrom('service_report_versions')
    .select(['id', 'seq', 'generated_at', 'generated_by', 'note', 'issued_at', 'issued_by', 'pdf_sha256', 'pdf_size', 'docx_sha256', 'docx_size', 'xlsx_sha256', 'xlsx_size', 'created_at', 'created_by'])
    .select(['answered_state', 'answered_at', 'answered_pdf_sha256', 'answered_pdf_size', 'answered_docx_sha256', 'answered_docx_size', 'answered_xlsx_sha256', 'answered_xlsx_size'])
    .where('report_id', '=', reportId)
    .orderBy('seq', 'desc')
    .execute();
}

/** The latest issued version of a report (what its customer sees). */
export async function latestIssuedVersion(db: DbOrTx, reportId: number): Promise<VersionRow | undefined> {
  return db.selectFrom('service_report_versions').selectAll().where('report_id', '=', reportId).where('issued_at', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

/** Reports visible to the caller, newest first (keyset on id), with the customer's name. */
export async function listReports(db: DbOrTx, actor: Pick<Actor, 'scope' | 'customerId'>, q: { customerId?: number; contractId?: number; type?: string; state?: string; beforeId?: number; limit: number }) {
  let query = db.selectFrom('service_reports').innerJoin('customers', 'customers.id', 'service_reports.customer_id').selectAll('service_reports').select('customers.name as customer_name').where(visibleTo(actor));
  if (q.customerId !== undefined) query = query.where('service_reports.customer_id', '=', q.customerId);
  if (q.contractId !== undefined) query = query.where('service_reports.contract_id', '=', q.contractId);
  if (q.type !== undefined) query = query.where('service_reports.type', '=', q.type);
  if (q.state !== undefined) query = query.where('service_reports.state', '=', q.state);
  if (q.beforeId !== undefined) query = query.where('service_reports.id', '<', q.beforeId);
  return query.orderBy('service_reports.id', 'desc').limit(q.limit + 1).execute();
}

// ------------------------------------------------------------ plans

export async function findPlan(db: DbOrTx, contractId: number): Promise<PlanRow | undefined> {
  return db.selectFrom('service_report_plans').selectAll().where('contract_id', '=', contractId).executeTakeFirst();
}

export async function plansOf(db: DbOrTx, contractIds: number[]): Promise<Map<number, PlanRow>> {
  if (!contractIds.length) return new Map();
  const rows = await db.selectFrom('service_report_plans').selectAll().where('contract_id', 'in', contractIds).execute();
  return new Map(rows.map((r) => [Number(r.contract_id), r]));
}

// ------------------------------------------------------------ contracts (read model)

export interface ContractInfo {
  id: number;
  code: string;
  name: string;
  customerId: number;
  customerCode: string;
  customerName: string;
  timeZone: string;
  tier: number;
  startsOn: string;
  endsOn: string;
  calendarId: string;
  projectManagerId: number | null;
}

function contractQuery(db: DbOrTx) {
  return db
    .selectFrom('contracts')
    .innerJoin('customers', 'customers.id', 'contracts.customer_id')
    .select([
      'contracts.id',
      'contracts.code',
      'contracts.name',
      'contracts.customer_id',
      'customers.code as customer_code',
      'customers.name as customer_name',
      'customers.time_zone',
      'customers.tier',
      'contracts.starts_on',
      'contracts.ends_on',
      'contracts.calendar_id',
      'contracts.project_manager_id',
    ]);
}

type ContractRaw = Awaited<ReturnType<ReturnType<typeof contractQuery>['execute']>>[number];

function contractInfo(r: ContractRaw): ContractInfo {
  return {
    id: Number(r.id),
    code: r.code,
    name: r.name,
    customerId: Number(r.customer_id),
    customerCode: r.customer_code,
    customerName: r.customer_name,
    timeZone: r.time_zone,
    tier: Number(r.tier),
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    calendarId: r.calendar_id,
    projectManagerId: r.project_manager_id === null ? null : Number(r.project_manager_id),
  };
}

/** How many contracts of a customer run during [from, to] (the report number names the contract when several do). */
export async function contractsOfCustomerDuring(db: DbOrTx, customerId: number, from: string, to: string): Promise<number> {
  const row = await db
    .selectFrom('contracts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId)
    .where('starts_on', '<=', to)
    .where('ends_on', '>=', from)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A contract in the caller's scope (customers' own staff included: they read their reports' contract). */
export async function findContract(db: DbOrTx, scope: CustomerScope, id: number): Promise<ContractInfo | null> {
  const r = await contractQuery(db).where('contracts.id', '=', id).where(scopeSql(scope, 'contracts.customer_id')).executeTakeFirst();
  return r ? contractInfo(r) : null;
}

/**
 * Contracts in scope running during [from, to] (local dates), of live customers, by id; at most
 * `limit` (the board and the generator page through them with `afterId`).
 */
export async function contractsRunning(db: DbOrTx, scope: CustomerScope, opts: { from: string; to: string; customerId?: number; afterId?: number; limit: number }): Promise<ContractInfo[]> {
  let q = contractQuery(db)
    .where(scopeSql(scope, 'contracts.customer_id'))
    .where('customers.archived_at', 'is', null)
    .where('contracts.starts_on', '<=', opts.to)
    .where('contracts.ends_on', '>=', opts.from);
  if (opts.customerId !== undefined) q = q.where('contracts.customer_id', '=', opts.customerId);
  if (opts.afterId !== undefined) q = q.where('contracts.id', '>', opts.afterId);
  const rows = await q.orderBy('contracts.id').limit(opts.limit).execute();
  return rows.map(contractInfo);
}

/** Reports of these contracts whose due day lies in [from, to] (the board joins them with the plans). */
export async function reportsDueBetween(db: DbOrTx, actor: Pick<Actor, 'scope' | 'customerId'>, contractIds: number[], from: string, to: string): Promise<ReportRow[]> {
  if (!contractIds.length) return [];
  return db
    .selectFrom('service_reports')
    .selectAll()
    .where('contract_id', 'in', contractIds)
    .where('due_on', '>=', from)
    .where('due_on', '<=', to)
    .where(visibleTo(actor))
    .execute();
}

// ------------------------------------------------------------ people

/** Display names of users, for the views. */
export async function userNames(db: DbOrTx, ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null).map(Number))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [Number(r.id), r.display_name]));
}

/** Enabled users of a customer holding a permission through one of their roles: who signs off a report. */
export async function customerUsersWith(db: DbOrTx, customerId: number, permission: string): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select(['users.id', 'roles.permissions'])
    .where('users.customer_id', '=', customerId)
    .where('users.disabled', '=', 0)
    .execute();
  // A customer has a handful of users: the roles' JSON lists are read here rather than in SQL (portable).
  return [...new Set(rows.filter((r) => (JSON.parse(r.permissions) as string[]).includes(permission)).map((r) => Number(r.id)))];
}

/** Whether a reminder was already recorded; records it when not (true: this caller sends it). */
export async function claimReminder(db: DbOrTx, key: string, contractId: number, now: number): Promise<boolean> {
  const row = await db
    .insertInto('service_report_reminders')
    .values({ reminder_key: key, contract_id: contractId, sent_at: now })
    .onConflict((oc) => oc.column('reminder_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The on-time issue rate of reports due in [from, to] (local due days): issued (the first time)
 * before the end of the due day ÷ reports due by `now`, issued or not (a report not yet due and
 * not yet issued does not count). Reports never generated are not counted: the generation job
 * creates every owed draft when its period closes. null when none is due (shown as "—").
 */
export async function onTimeIssueRate(db: DbOrTx, q: { customerIds: number[]; from: string; to: string; contractId?: number }, now: number): Promise<{ value: number | null; numerator: number; denominator: number }> {
  if (!q.customerIds.length) return { value: null, numerator: 0, denominator: 0 };
  let query = db.selectFrom('service_reports').select(['due_at', 'first_issued_at']).where('customer_id', 'in', q.customerIds).where('due_on', '>=', q.from).where('due_on', '<=', q.to);
  if (q.contractId !== undefined) query = query.where('contract_id', '=', q.contractId);
  let numerator = 0;
  let denominator = 0;
  for (const r of await query.execute()) {
    const issued = r.first_issued_at === null ? null : Number(r.first_issued_at);
    if (issued === null && now < Number(r.due_at)) continue;
    denominator++;
    if (issued !== null && issued < Number(r.due_at)) numerator++;
  }
  return { value: denominator ? (numerator / denominator) * 100 : null, numerator, denominator };
}
