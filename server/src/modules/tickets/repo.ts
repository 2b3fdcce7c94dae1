import { sql, type Insertable, type RawBuilder, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { DispatchRulesTable, FilesTable, TicketEventsTable, TicketRatingsTable, TicketSlaTable, TicketsTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import { OLA_ENTRY_TYPES } from './events.js';

/**
 * Queries of the tickets tables (tickets, ticket_events, ticket_sla, ticket_counters,
 * ticket_links, files, dispatch_rules, team_rotation, ticket_ratings). Every read of a ticket takes the caller's customer scope and applies it
 * in SQL: a ticket outside the scope is simply not found. The SLA job reads without a scope
 * through `findTicketForJob`, named so it cannot be mistaken for a user's read.
 */

export type TicketRow = Selectable<TicketsTable>;
export type EventRow = Selectable<TicketEventsTable>;
/** A stored clock; the two-stage columns (0020) may be left out by writers that know no usual target (null). */
type GoalColumns = 'goal_target_ms' | 'goal_due_at' | 'goal_state' | 'goal_missed_at';
export type SlaRow = Omit<Selectable<TicketSlaTable>, GoalColumns> & Partial<Pick<Selectable<TicketSlaTable>, GoalColumns>>;
export type FileRow = Selectable<FilesTable>;
export type NewTicket = Omit<Insertable<TicketsTable>, 'id'>;
export type NewEvent = Omit<Insertable<TicketEventsTable>, 'id'>;

function inScope(scope: CustomerScope) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref('tickets.customer_id')} in (${sql.join(scope.ids)})`;
}

const isPostgres = (db: DbOrTx) => dialectOf(db) === 'postgres';

// ---------------------------------------------------------------- numbers

/**
 * Issues the next sequence number of a kind and year inside the caller's transaction. The
 * upsert locks the counter row until commit on PostgreSQL (SQLite has one writer), so
 * concurrent creates get distinct, gapless numbers; a rolled-back create gives its number back.
 */
/** The contact a customer user's account is linked to (modules/accounts keeps the link). */
export async function linkedContactOf(db: DbOrTx, userId: number): Promise<number | null> {
  const row = await db.selectFrom('users').select('contact_id').where('id', '=', userId).executeTakeFirst();
  return row?.contact_id == null ? null : Number(row.contact_id);
}

export async function nextSequence(trx: DbOrTx, kind: string, year: number): Promise<number> {
  const row = await trx
    .insertInto('ticket_counters')
    .values({ kind, year, next: 2 })
    .onConflict((oc) => oc.columns(['kind', 'year']).doUpdateSet({ next: sql<number>`${sql.ref('ticket_counters.next')} + 1` }))
    .returning('next')
    .executeTakeFirstOrThrow();
  return Number(row.next) - 1;
}

// ---------------------------------------------------------------- tickets

export async function insertTicket(trx: DbOrTx, values: NewTicket): Promise<number> {
  const row = await trx.insertInto('tickets').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A ticket in the scope; `lock` takes the row lock on PostgreSQL for a command's read-check-write. */
export async function findTicket(db: DbOrTx, scope: CustomerScope, id: number, lock = false): Promise<TicketRow | undefined> {
  let q = db.selectFrom('tickets').selectAll().where('id', '=', id).where(inScope(scope));
  if (lock && isPostgres(db)) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** For background jobs, which act on behalf of the system (no customer scope). */
export async function findTicketForJob(db: DbOrTx, id: number, lock = false): Promise<TicketRow | undefined> {
  let q = db.selectFrom('tickets').selectAll().where('id', '=', id);
  if (lock && isPostgres(db)) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findTickets(db: DbOrTx, scope: CustomerScope, ids: number[], lock = false): Promise<TicketRow[]> {
  if (!ids.length) return [];
  let q = db.selectFrom('tickets').selectAll().where('id', 'in', ids).where(inScope(scope)).orderBy('id');
  if (lock && isPostgres(db)) q = q.forUpdate();
  return q.execute();
}

/** Applies the change if the row is still at `version` (bumping it); false when it is not. */
export async function updateTicket(trx: DbOrTx, id: number, version: number, changes: Updateable<TicketsTable>): Promise<boolean> {
  const res = await trx
    .updateTable('tickets')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function setSlaSummary(trx: DbOrTx, id: number, slaDueAt: number | null, slaStatus: string): Promise<void> {
  await trx.updateTable('tickets').set({ sla_due_at: slaDueAt, sla_status: slaStatus }).where('id', '=', id).execute();
}

// ---------------------------------------------------------------- lists

export interface ListFilter {
  scope: CustomerScope;
  customerId?: number;
  states?: string[];
  kind?: string;
  priority?: string;
  teamId?: number;
  /** team=mine: the caller's teams (an empty list matches nothing). */
  teamIds?: number[];
  assigneeId?: number;
  unassigned?: boolean;
  /** Only tickets with a clock due at or before this instant (breaching soon, or breached). */
  dueBefore?: number;
  /** contract=mine: tickets on contracts this user is the project manager of. */
  projectManagerId?: number;
  /** reporter=me: tickets this user logged or whose contact is his linked contact. */
  reporter?: { userId: number; contactId: number | null };
  slaStatus?: string;
  ratingAtMost?: number;
  number?: { exact: string } | { prefix: string };
  /** Full-text filter (q): the ids search matches (modules/search), or null when the text holds no word (nothing matches). */
  fullText?: RawBuilder<number> | null;
  reportedFrom?: number;
  reportedTo?: number;
  sort: 'sla' | '-reported';
  limit: number;
  cursor?: string;
}

function filtered(db: DbOrTx, f: ListFilter) {
  let q = db.selectFrom('tickets').selectAll().where(inScope(f.scope));
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.priority) q = q.where('priority', '=', f.priority);
  if (f.teamId !== undefined) q = q.where('team_id', '=', f.teamId);
  if (f.teamIds) q = f.teamIds.length ? q.where('team_id', 'in', f.teamIds) : q.where(sql<SqlBool>`1 = 0`);
  if (f.assigneeId !== undefined) q = q.where('assignee_id', '=', f.assigneeId);
  if (f.unassigned) q = q.where('assignee_id', 'is', null);
  if (f.dueBefore !== undefined) q = q.where('sla_due_at', '<=', f.dueBefore);
  if (f.projectManagerId !== undefined) q = q.where('contract_id', 'in', (eb) => eb.selectFrom('contracts').select('contracts.id').where('contracts.project_manager_id', '=', f.projectManagerId!));
  if (f.reporter) {
    const { userId, contactId } = f.reporter;
    q = q.where((eb) => (contactId === null ? eb('created_by', '=', userId) : eb.or([eb('created_by', '=', userId), eb('contact_id', '=', contactId)])));
  }
  if (f.slaStatus) q = q.where('sla_status', '=', f.slaStatus);
  if (f.ratingAtMost !== undefined) q = q.where((eb) => eb.exists(eb.selectFrom('ticket_ratings').select('ticket_ratings.ticket_id').whereRef('ticket_ratings.ticket_id', '=', 'tickets.id').where('ticket_ratings.score', '<=', f.ratingAtMost!)));
  if (f.reportedFrom !== undefined) q = q.where('reported_at', '>=', f.reportedFrom);
  if (f.reportedTo !== undefined) q = q.where('reported_at', '<', f.reportedTo);
  if (f.number && 'exact' in f.number) q = q.where('number', '=', f.number.exact);
  else if (f.number) {
    // Index-backed prefix search: GLOB on SQLite's binary index, LIKE on text_pattern_ops (PostgreSQL).
    // The prefix is validated to [A-Z0-9-], so it holds no wildcard of either.
    const prefix = f.number.prefix;
    q = isPostgres(db) ? q.where(sql<SqlBool>`number like ${`${prefix}%`}`) : q.where(sql<SqlBool>`number glob ${`${prefix}*`}`);
  }
  if (f.fullText !== undefined) q = q.where(f.fullText === null ? sql<SqlBool>`1 = 0` : sql<SqlBool>`tickets.id in ${f.fullText}`);
  return q;
}

/**
 * One page of tickets. `sla`: due instant ascending, tickets without a counting clock last (by
 * id); read as two index-ordered runs so both dialects order NULLs the same way. `-reported`:
 * newest first. Cursors carry the last row's sort key.
 */
export async function listTickets(db: DbOrTx, f: ListFilter): Promise<{ items: TicketRow[]; nextCursor: string | null }> {
  const want = f.limit + 1;
  let rows: TicketRow[];
  if (f.sort === '-reported') {
    const after = decodeCursor(f.cursor, ['number', 'number']) as [number, number] | null;
    let q = filtered(db, f);
    if (after) q = q.where((eb) => eb(eb.refTuple('reported_at', 'id'), '<', eb.tuple(after[0], after[1])));
    rows = await q.orderBy('reported_at', 'desc').orderBy('id', 'desc').limit(want).execute();
  } else {
    // Cursor: [0, due, id] inside the run with a due instant, [1, 0, id] inside the run without.
    const after = decodeCursor(f.cursor, ['number', 'number', 'number']) as [number, number, number] | null;
    rows = [];
    if (!after || after[0] === 0) {
      let q = filtered(db, f).where('sla_due_at', 'is not', null);
      if (after) q = q.where((eb) => eb(eb.refTuple('sla_due_at', 'id'), '>', eb.tuple(after[1], after[2])));
      rows = await q.orderBy('sla_due_at').orderBy('id').limit(want).execute();
    }
    if (rows.length < want && f.dueBefore === undefined) {
      let q = filtered(db, f).where('sla_due_at', 'is', null);
      if (after && after[0] === 1) q = q.where('id', '>', after[2]);
      rows.push(...(await q.orderBy('id').limit(want - rows.length).execute()));
    }
  }
  if (rows.length <= f.limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, f.limit);
  const last = items[items.length - 1];
  const key = f.sort === '-reported' ? [last.reported_at, Number(last.id)] : last.sla_due_at === null ? [1, 0, Number(last.id)] : [0, last.sla_due_at, Number(last.id)];
  return { items, nextCursor: encodeCursor(key) };
}

// ---------------------------------------------------------------- events

export async function insertEvents(trx: DbOrTx, events: NewEvent[]): Promise<number[]> {
  if (!events.length) return [];
  const rows = await trx.insertInto('ticket_events').values(events).returning('id').execute();
  return rows.map((r) => Number(r.id));
}

/** A ticket's timeline in order; `publicOnly` for a customer's staff. */
export function listEvents(db: DbOrTx, ticketId: number, publicOnly = false): Promise<EventRow[]> {
  let q = db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId);
  if (publicOnly) q = q.where('visibility', '=', 'public');
  return q.orderBy('id').execute();
}

/** The timeline entries the SLA clocks are computed from (sla.ts: slaEventsOf). */
const SLA_ENTRY_TYPES = ['created', 'state_changed', 'assigned', 'priority_changed', 'reply', 'visit', 'diagnosed'];

/** The events the SLA clocks are computed from (see sla.ts: slaEventsOf). */
export function listSlaRelevantEvents(db: DbOrTx, ticketId: number): Promise<Pick<EventRow, 'id' | 'at' | 'type' | 'visibility' | 'data'>[]> {
  return db
    .selectFrom('ticket_events')
    .select(['id', 'at', 'type', 'visibility', 'data'])
    .where('ticket_id', '=', ticketId)
    .where('type', 'in', SLA_ENTRY_TYPES)
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------- SLA clocks

export function slaRows(db: DbOrTx, ticketId: number): Promise<SlaRow[]> {
  return db.selectFrom('ticket_sla').selectAll().where('ticket_id', '=', ticketId).execute();
}

/** Replaces a ticket's clocks (a metric may disappear when the priority changes). */
export async function replaceSlaRows(trx: DbOrTx, ticketId: number, rows: SlaRow[], hadRows = true): Promise<void> {
  if (hadRows) await trx.deleteFrom('ticket_sla').where('ticket_id', '=', ticketId).execute();
  if (rows.length) await trx.insertInto('ticket_sla').values(rows).execute();
}

// ---------------------------------------------------------------- the SLA job's batches

/** Most ids in one `in (…)` list, and rows in one multi-row statement (both databases' parameter limits). */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Tickets by id for a background job (no customer scope), in id order; `lock` takes their row locks on PostgreSQL. */
export async function findTicketsForJob(db: DbOrTx, ids: readonly number[], lock = false): Promise<TicketRow[]> {
  const out: TicketRow[] = [];
  for (const part of chunks([...ids].sort((a, b) => a - b))) {
    let q = db.selectFrom('tickets').selectAll().where('id', 'in', part).orderBy('id');
    if (lock && isPostgres(db)) q = q.forUpdate();
    out.push(...(await q.execute()));
  }
  return out;
}

/** `listSlaRelevantEvents` of many tickets in one query per 500, grouped by ticket. */
export async function listSlaRelevantEventsOf(db: DbOrTx, ids: readonly number[]): Promise<Map<number, Pick<EventRow, 'id' | 'at' | 'type' | 'visibility' | 'data'>[]>> {
  const out = new Map<number, Pick<EventRow, 'id' | 'at' | 'type' | 'visibility' | 'data'>[]>();
  for (const part of chunks(ids)) {
    const rows = await db
      .selectFrom('ticket_events')
      .select(['ticket_id', 'id', 'at', 'type', 'visibility', 'data'])
      .where('ticket_id', 'in', part)
      .where('type', 'in', SLA_ENTRY_TYPES)
      .orderBy('ticket_id')
      .orderBy('id')
      .execute();
    for (const { ticket_id, ...e } of rows) {
      const id = Number(ticket_id);
      const list = out.get(id);
      if (list) list.push(e);
      else out.set(id, [e]);
    }
  }
  return out;
}

/** `slaRows` of many tickets, grouped by ticket. */
export async function slaRowsOf(db: DbOrTx, ids: readonly number[]): Promise<Map<number, SlaRow[]>> {
  const out = new Map<number, SlaRow[]>();
  for (const part of chunks(ids)) {
    for (const r of await db.selectFrom('ticket_sla').selectAll().where('ticket_id', 'in', part).execute()) {
      const id = Number(r.ticket_id);
      const list = out.get(id);
      if (list) list.push(r);
      else out.set(id, [r]);
    }
  }
  return out;
}

/** `replaceSlaRows` of many tickets: the clocks of `replaced` deleted, then `rows` (of any of the tickets) inserted. */
export async function replaceSlaRowsOf(trx: DbOrTx, replaced: readonly number[], rows: readonly SlaRow[]): Promise<void> {
  for (const part of chunks(replaced)) await trx.deleteFrom('ticket_sla').where('ticket_id', 'in', part).execute();
  for (const part of chunks(rows, 200)) await trx.insertInto('ticket_sla').values(part).execute();
}

export interface SlaSummary {
  id: number;
  dueAt: number | null;
  status: string;
}

/** `setSlaSummary` of many tickets in one statement per 200 (a CASE on the id). */
export async function setSlaSummaries(trx: DbOrTx, summaries: readonly SlaSummary[]): Promise<void> {
  for (const part of chunks(summaries, 200)) {
    if (part.length === 1) {
      await setSlaSummary(trx, part[0].id, part[0].dueAt, part[0].status);
      continue;
    }
    const due = sql.join(part.map((s) => sql`when ${s.id} then cast(${s.dueAt} as bigint)`), sql` `);
    const status = sql.join(part.map((s) => sql`when ${s.id} then ${s.status}`), sql` `);
    await trx
      .updateTable('tickets')
      .set({ sla_due_at: sql<number | null>`case ${sql.ref('id')} ${due} end`, sla_status: sql<string>`case ${sql.ref('id')} ${status} end` })
      .where(
        'id',
        'in',
        part.map((s) => s.id),
      )
      .execute();
  }
}

// ---------------------------------------------------------------- links

export interface LinkRow {
  otherId: number;
  kind: string;
  number: string;
  title: string;
  state: string;
}

/** Links of a ticket to the tickets within the scope (a link to a ticket the viewer cannot see is not shown). */
export async function listLinks(db: DbOrTx, scope: CustomerScope, ticketId: number): Promise<LinkRow[]> {
  const rows = await db
    .selectFrom('ticket_links')
    .innerJoin('tickets', 'tickets.id', 'ticket_links.other_id')
    .select(['ticket_links.other_id', 'ticket_links.kind', 'tickets.number', 'tickets.title', 'tickets.state'])
    .where('ticket_links.ticket_id', '=', ticketId)
    .where(inScope(scope))
    .orderBy('ticket_links.other_id')
    .execute();
  return rows.map((r) => ({ otherId: Number(r.other_id), kind: r.kind, number: r.number, title: r.title, state: r.state }));
}

export async function findLink(db: DbOrTx, ticketId: number, otherId: number): Promise<{ kind: string } | undefined> {
  return db.selectFrom('ticket_links').select('kind').where('ticket_id', '=', ticketId).where('other_id', '=', otherId).executeTakeFirst();
}

export async function insertLinkPair(trx: DbOrTx, a: number, b: number, kind: string, inverse: string, now: number): Promise<void> {
  await trx
    .insertInto('ticket_links')
    .values([
      { ticket_id: a, other_id: b, kind, created_at: now },
      { ticket_id: b, other_id: a, kind: inverse, created_at: now },
    ])
    .execute();
}

export async function deleteLinkPair(trx: DbOrTx, a: number, b: number): Promise<void> {
  await trx
    .deleteFrom('ticket_links')
    .where((eb) => eb.or([eb.and([eb('ticket_id', '=', a), eb('other_id', '=', b)]), eb.and([eb('ticket_id', '=', b), eb('other_id', '=', a)])]))
    .execute();
}

// ---------------------------------------------------------------- files

export async function insertFile(trx: DbOrTx, values: Omit<Insertable<FilesTable>, 'id'>): Promise<number> {
  const row = await trx.insertInto('files').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function setFileEvent(trx: DbOrTx, fileId: number, eventId: number): Promise<void> {
  await trx.updateTable('files').set({ event_id: eventId }).where('id', '=', fileId).execute();
}

/** A ticket's attachments; for a customer's staff only those of public timeline entries. */
export function listFiles(db: DbOrTx, ticketId: number, publicOnly: boolean): Promise<FileRow[]> {
  let q = db.selectFrom('files').selectAll('files').where('files.ticket_id', '=', ticketId);
  if (publicOnly) q = q.innerJoin('ticket_events', 'ticket_events.id', 'files.event_id').where('ticket_events.visibility', '=', 'public');
  return q.orderBy('files.id').execute();
}

export async function findFile(db: DbOrTx, ticketId: number, fileId: number, publicOnly: boolean): Promise<FileRow | undefined> {
  let q = db.selectFrom('files').selectAll('files').where('files.id', '=', fileId).where('files.ticket_id', '=', ticketId);
  if (publicOnly) q = q.innerJoin('ticket_events', 'ticket_events.id', 'files.event_id').where('ticket_events.visibility', '=', 'public');
  return q.executeTakeFirst();
}

// ---------------------------------------------------------------- OLA

/** The entries the desk's OLA clocks are computed from, and the breaches the OLA job fired (see ola.ts). */
export function listOlaRelevantEvents(db: DbOrTx, ticketId: number): Promise<Pick<EventRow, 'at' | 'type' | 'visibility' | 'data'>[]> {
  return db
    .selectFrom('ticket_events')
    .select(['at', 'type', 'visibility', 'data'])
    .where('ticket_id', '=', ticketId)
    .where('type', 'in', [...OLA_ENTRY_TYPES])
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------- automatic assignment

/**
 * The team's rotation (the member given a ticket last), read under a row lock on PostgreSQL that
 * lasts until the assigning transaction commits: two concurrent assignments to one team take
 * turns instead of both picking the same member. The row is created on first use.
 */
export async function lockRotation(trx: DbOrTx, teamId: number, now: number): Promise<number | null> {
  await trx.insertInto('team_rotation').values({ team_id: teamId, last_user_id: null, updated_at: now }).onConflict((oc) => oc.column('team_id').doNothing()).execute();
  let q = trx.selectFrom('team_rotation').select('last_user_id').where('team_id', '=', teamId);
  if (isPostgres(trx)) q = q.forUpdate();
  const row = await q.executeTakeFirstOrThrow();
  return row.last_user_id === null ? null : Number(row.last_user_id);
}

export async function setRotation(trx: DbOrTx, teamId: number, userId: number, now: number): Promise<void> {
  await trx.updateTable('team_rotation').set({ last_user_id: userId, updated_at: now }).where('team_id', '=', teamId).execute();
}

/** Open tickets per assignee (served by the `(assignee_id, state, sla_due_at)` index). */
export async function openLoads(db: DbOrTx, userIds: number[], openStates: readonly string[]): Promise<Map<number, number>> {
  if (!userIds.length) return new Map();
  const rows = await db
    .selectFrom('tickets')
    .select((eb) => ['assignee_id', eb.fn.countAll<number>().as('n')])
    .where('assignee_id', 'in', userIds)
    .where('state', 'in', [...openStates])
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.assignee_id), Number(r.n)]));
}

// ---------------------------------------------------------------- dispatch rules

export type DispatchRuleRow = Selectable<DispatchRulesTable>;
export type NewDispatchRule = Omit<Insertable<DispatchRulesTable>, 'id'>;

/** Rules the caller may see: those for every customer, and those of customers in his scope. */
function ruleInScope(scope: CustomerScope) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`${sql.ref('dispatch_rules.customer_id')} is null`;
  return sql<SqlBool>`(${sql.ref('dispatch_rules.customer_id')} is null or ${sql.ref('dispatch_rules.customer_id')} in (${sql.join(scope.ids)}))`;
}

export async function listRules(db: DbOrTx, scope: CustomerScope, page: { limit: number; cursor?: string }): Promise<{ items: DispatchRuleRow[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, ['number', 'number']) as [number, number] | null;
  let q = db.selectFrom('dispatch_rules').selectAll().where(ruleInScope(scope));
  if (after) q = q.where((eb) => eb(eb.refTuple('position', 'id'), '>', eb.tuple(after[0], after[1])));
  const rows = await q.orderBy('position').orderBy('id').limit(page.limit + 1).execute();
  if (rows.length <= page.limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: encodeCursor([last.position, Number(last.id)]) };
}

export function findRule(db: DbOrTx, scope: CustomerScope, id: number): Promise<DispatchRuleRow | undefined> {
  return db.selectFrom('dispatch_rules').selectAll().where('id', '=', id).where(ruleInScope(scope)).executeTakeFirst();
}

/** Every rule in order (ids and positions), for reordering. */
export function ruleOrder(db: DbOrTx): Promise<Array<{ id: number; position: number; customer_id: number | null }>> {
  return db.selectFrom('dispatch_rules').select(['id', 'position', 'customer_id']).orderBy('position').orderBy('id').execute();
}

/**
 * The enabled rules whose criteria the ticket meets, in order. A criterion left null matches
 * anything; the caller takes the first whose team can take the ticket.
 */
export function matchingRules(db: DbOrTx, t: { customerId: number; kind: string; service: string | null; category: string | null; priority: string }): Promise<DispatchRuleRow[]> {
  const eqOrNull = (column: 'customer_id' | 'kind' | 'service' | 'category' | 'priority', value: string | number | null) =>
    value === null ? sql<SqlBool>`${sql.ref(column)} is null` : sql<SqlBool>`(${sql.ref(column)} is null or ${sql.ref(column)} = ${value})`;
  return db
    .selectFrom('dispatch_rules')
    .selectAll()
    .where('enabled', '=', 1)
    .where(eqOrNull('customer_id', t.customerId))
    .where(eqOrNull('kind', t.kind))
    .where(eqOrNull('service', t.service))
    .where(eqOrNull('category', t.category))
    .where(eqOrNull('priority', t.priority))
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function insertRule(trx: DbOrTx, values: NewDispatchRule): Promise<number> {
  const row = await trx.insertInto('dispatch_rules').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateRule(trx: DbOrTx, id: number, version: number, changes: Updateable<DispatchRulesTable>): Promise<boolean> {
  const res = await trx
    .updateTable('dispatch_rules')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Moves a rule to a position (bumping its version when it moves). */
export async function setRulePosition(trx: DbOrTx, id: number, position: number, now: number): Promise<void> {
  await trx
    .updateTable('dispatch_rules')
    .set({ position, updated_at: now, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('position', '<>', position)
    .execute();
}

export async function deleteRule(trx: DbOrTx, id: number): Promise<void> {
  await trx.deleteFrom('dispatch_rules').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- satisfaction

export type RatingRow = Selectable<TicketRatingsTable>;

export function findRating(db: DbOrTx, ticketId: number): Promise<RatingRow | undefined> {
  return db.selectFrom('ticket_ratings').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

export async function insertRating(trx: DbOrTx, values: RatingRow): Promise<void> {
  await trx.insertInto('ticket_ratings').values(values).execute();
}

/** The complaint already lodged about a ticket, if any (its `complaint` link). */
export function findComplaintLink(db: DbOrTx, ticketId: number): Promise<{ other_id: number } | undefined> {
  return db.selectFrom('ticket_links').select('other_id').where('ticket_id', '=', ticketId).where('kind', '=', 'complaint').executeTakeFirst();
}
