import { sql, type Selectable, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../../db/index.js';
import type { EvidenceExportsTable, TicketsTable } from '../../../db/schema.js';
import type { CustomerScope } from '../../../platform/auth/actor.js';

/**
 * Reads of the evidence pack and the rows of `evidence_exports`. Every read that starts from a
 * caller's request takes his customer scope in SQL (a customer outside it is simply not found);
 * the pack's own reads run after that check, for the one customer, in keyset batches (a period
 * of a busy customer is never one query's result in memory).
 */
export type ExportRow = Selectable<EvidenceExportsTable>;
export type TicketRow = Selectable<TicketsTable>;

function customerInScope(scope: CustomerScope, column: string) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(scope.ids)})`;
}

export function findCustomer(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('customers').select(['id', 'code', 'name', 'time_zone', 'tier']).where('id', '=', id).where(customerInScope(scope, 'customers.id')).executeTakeFirst();
}

export function contractsOf(db: DbOrTx, customerId: number) {
  return db.selectFrom('contracts').select(['id', 'code', 'name', 'starts_on', 'ends_on']).where('customer_id', '=', customerId).orderBy('id').execute();
}

/** The ticket columns the index and the summaries need (not descriptions: those go in the PDFs only). */
export interface TicketSummaryRow {
  id: number;
  number: string;
  kind: string;
  title: string;
  priority: string;
  state: string;
  channel: string;
  contract_id: number;
  team_id: number | null;
  assignee_id: number | null;
  reported_at: number;
  responded_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  cancelled_at: number | null;
}

/** Tickets reported in [start, end), `(reported_at, id)` after the cursor (index tickets_customer_reported). */
export async function ticketsReported(db: DbOrTx, customerId: number, start: number, end: number, after: { at: number; id: number } | null, limit: number): Promise<TicketSummaryRow[]> {
  let q = db
    .selectFrom('tickets')
    .select(['id', 'number', 'kind', 'title', 'priority', 'state', 'channel', 'contract_id', 'team_id', 'assignee_id', 'reported_at', 'responded_at', 'resolved_at', 'closed_at', 'cancelled_at'])
    .where('customer_id', '=', customerId)
    .where('reported_at', '>=', start)
    .where('reported_at', '<', end);
  if (after) q = q.where(sql<SqlBool>`(${sql.ref('reported_at')}, ${sql.ref('id')}) > (${after.at}, ${after.id})`);
  const rows = await q.orderBy('reported_at').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function ticketsByIds(db: DbOrTx, ids: number[]): Promise<TicketRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('tickets').selectAll().where('id', 'in', ids).execute();
}

export async function eventsOf(db: DbOrTx, ticketIds: number[]) {
  if (!ticketIds.length) return [];
  return db.selectFrom('ticket_events').selectAll().where('ticket_id', 'in', ticketIds).orderBy('ticket_id').orderBy('at').orderBy('id').execute();
}

export async function slaOf(db: DbOrTx, ticketIds: number[]) {
  if (!ticketIds.length) return [];
  return db
    .selectFrom('ticket_sla')
    .select(['ticket_id', 'metric', 'priority', 'target_ms', 'state', 'due_at', 'met_at', 'breached_at', 'goal_target_ms', 'goal_state', 'goal_due_at', 'goal_missed_at'])
    .where('ticket_id', 'in', ticketIds)
    .orderBy('ticket_id')
    .orderBy('metric')
    .execute();
}

export async function ratingsOfTickets(db: DbOrTx, ticketIds: number[]) {
  if (!ticketIds.length) return [];
  return db.selectFrom('ticket_ratings').select(['ticket_id', 'score', 'comment', 'rated_at']).where('ticket_id', 'in', ticketIds).execute();
}

/** Ratings given in [start, end) for the customer's tickets (index ticket_ratings_customer). */
export function ratingsGiven(db: DbOrTx, customerId: number, start: number, end: number) {
  return db
    .selectFrom('ticket_ratings')
    .innerJoin('tickets', 'tickets.id', 'ticket_ratings.ticket_id')
    .leftJoin('users', 'users.id', 'ticket_ratings.rated_by')
    .leftJoin('contacts', 'contacts.id', 'ticket_ratings.rated_by_contact_id')
    .select(['tickets.number', 'tickets.title', 'tickets.kind', 'ticket_ratings.score', 'ticket_ratings.comment', 'ticket_ratings.rated_at', 'users.display_name as user_name', 'contacts.name as contact_name'])
    .where('ticket_ratings.customer_id', '=', customerId)
    .where('ticket_ratings.rated_at', '>=', start)
    .where('ticket_ratings.rated_at', '<', end)
    .orderBy('ticket_ratings.rated_at')
    .orderBy('tickets.number')
    .execute();
}

/** The signed repair reports of these tickets, with where their stored files are. */
export async function signedRepairReports(db: DbOrTx, ticketIds: number[]) {
  if (!ticketIds.length) return [];
  return db
    .selectFrom('repair_reports')
    .select(['id', 'ticket_id', 'number', 'signer_name', 'signed_at', 'signed_via', 'pdf_blob_id', 'pdf_sha256', 'pdf_size', 'scan_blob_id', 'scan_name', 'scan_mime', 'scan_sha256'])
    .where('ticket_id', 'in', ticketIds)
    .where('state', '=', 'signed')
    .orderBy('number')
    .execute();
}

/**
 * The customer's service reports about the period (their own period overlapping it) that were
 * issued — issued or signed now — each with its latest issued version's PDF as stored at the issue,
 * and the PDF drawn again with the customer's sign-off once it was signed off (0029).
 */
export function issuedServiceReports(db: DbOrTx, customerId: number, from: string, to: string) {
  return db
    .selectFrom('service_reports as r')
    .innerJoin('service_report_versions as v', 'v.report_id', 'r.id')
    .select(['r.id', 'r.number', 'r.type', 'r.period', 'r.period_from', 'r.period_to', 'r.state', 'r.signed_at', 'r.signer_name', 'v.seq', 'v.issued_at', 'v.pdf_blob_id', 'v.pdf_sha256'])
    .select(['v.answered_state', 'v.answered_pdf_blob_id', 'v.answered_pdf_sha256'])
    .where('r.customer_id', '=', customerId)
    .where('r.state', 'in', ['issued', 'signed'])
    .where('r.period_from', '<=', to)
    .where('r.period_to', '>=', from)
    .where('v.pdf_blob_id', 'is not', null)
    .where((eb) =>
      eb(
        'v.seq',
        '=',
        eb.selectFrom('service_report_versions as v2').select((e2) => e2.fn.max('v2.seq').as('m')).whereRef('v2.report_id', '=', 'r.id').where('v2.issued_at', 'is not', null).where('v2.pdf_blob_id', 'is not', null),
      ),
    )
    .orderBy('r.number')
    .execute();
}

/**
 * The knowledge base's saves in the period (R12, "updated weekly"): every version written of an
 * article about this customer or about no customer (通用), oldest first, with the title as that
 * version had it. Articles about other customers are theirs and stay out of this pack.
 */
export function knowledgeVersions(db: DbOrTx, customerId: number, start: number, end: number) {
  return db
    .selectFrom('kb_article_versions as v')
    .innerJoin('kb_articles as a', 'a.id', 'v.article_id')
    .select(['v.id', 'v.article_id', 'v.version', 'v.change', 'v.author_name', 'v.created_at', 'v.content', 'a.kind', 'a.title', 'a.customer_id'])
    .where('v.created_at', '>=', start)
    .where('v.created_at', '<', end)
    .where((eb) => eb.or([eb('a.customer_id', '=', customerId), eb('a.customer_id', 'is', null)]))
    .orderBy('v.created_at')
    .orderBy('v.id')
    .execute();
}

export async function userNames(db: DbOrTx, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.display_name]));
}

export async function teamNames(db: DbOrTx): Promise<Map<number, string>> {
  const rows = await db.selectFrom('teams').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

export async function contactNames(db: DbOrTx, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('contacts').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

export async function siteNames(db: DbOrTx, customerId: number): Promise<Map<number, string>> {
  const rows = await db.selectFrom('sites').select(['id', 'name']).where('customer_id', '=', customerId).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** The customer's audit rows of [start, end), `(at, id)` after the cursor (index audit_customer_at). */
export function auditRows(db: DbOrTx, customerId: number, start: number, end: number, after: { at: number; id: number } | null, limit: number) {
  let q = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_name', 'ip', 'action', 'entity', 'entity_id', 'before', 'after', 'hash'])
    .where('customer_id', '=', customerId)
    .where('at', '>=', start)
    .where('at', '<', end);
  if (after) q = q.where(sql<SqlBool>`(${sql.ref('at')}, ${sql.ref('id')}) > (${after.at}, ${after.id})`);
  return q.orderBy('at').orderBy('id').limit(limit).execute();
}

/** The last audit row written before `end` and how many rows the chain has up to it: the part of the chain the pack vouches for. */
export async function chainUpTo(db: DbOrTx, end: number): Promise<{ lastId: number; lastHash: string; rows: number } | null> {
  const last = await db.selectFrom('audit_log').select(['id', 'hash']).where('at', '<', end).orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!last) return null;
  const count = await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '<=', last.id).executeTakeFirstOrThrow();
  return { lastId: Number(last.id), lastHash: last.hash, rows: Number(count.n) };
}

// ------------------------------------------------------------ evidence_exports

export async function insertExport(db: DbOrTx, row: { customer_id: number; from_date: string; to_date: string; requested_by: number | null; requested_at: number }): Promise<number> {
  const r = await db
    .insertInto('evidence_exports')
    .values({ ...row, state: 'queued' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** One export within the caller's scope. */
export function findExport(db: DbOrTx, scope: CustomerScope, id: number) {
  return db.selectFrom('evidence_exports').selectAll().where('id', '=', id).where(customerInScope(scope, 'evidence_exports.customer_id')).executeTakeFirst();
}

/** For the job (the request that queued it was checked). */
export function exportById(db: DbOrTx, id: number) {
  return db.selectFrom('evidence_exports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The latest exports in scope, newest first, `beforeId` the keyset cursor. */
export function listExports(db: DbOrTx, scope: CustomerScope, f: { id?: number; customerId?: number; beforeId?: number }, limit: number) {
  let q = db
    .selectFrom('evidence_exports')
    .innerJoin('customers', 'customers.id', 'evidence_exports.customer_id')
    .leftJoin('users', 'users.id', 'evidence_exports.requested_by')
    .selectAll('evidence_exports')
    .select(['customers.name as customer_name', 'users.display_name as requested_by_name'])
    .where(customerInScope(scope, 'evidence_exports.customer_id'));
  if (f.id !== undefined) q = q.where('evidence_exports.id', '=', f.id);
  if (f.customerId !== undefined) q = q.where('evidence_exports.customer_id', '=', f.customerId);
  if (f.beforeId !== undefined) q = q.where('evidence_exports.id', '<', f.beforeId);
  return q.orderBy('evidence_exports.id', 'desc').limit(limit).execute();
}

export async function updateExport(db: DbOrTx, id: number, set: Partial<Omit<ExportRow, 'id'>>): Promise<void> {
  await db.updateTable('evidence_exports').set(set).where('id', '=', id).execute();
}

/** Asks a queued or running export to stop; false when it had finished already. */
export async function requestCancel(db: DbOrTx, id: number): Promise<boolean> {
  const r = await db.updateTable('evidence_exports').set({ cancel_requested: 1 }).where('id', '=', id).where('state', 'in', ['queued', 'running']).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function cancelRequested(db: DbOrTx, id: number): Promise<boolean> {
  const r = await db.selectFrom('evidence_exports').select('cancel_requested').where('id', '=', id).executeTakeFirst();
  return !r || r.cancel_requested === 1;
}
