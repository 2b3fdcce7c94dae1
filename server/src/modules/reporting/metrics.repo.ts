import { sql, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import { MEASURES, emptySums, type Measure, type PartialSums, type Sums } from '../../core/reporting/kpis.js';
import { addEncodedHist, encodeHist, type HistMetric } from '../../core/reporting/histogram.js';
import type { TicketFacts } from '../../core/reporting/contributions.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';

/**
 * The reporting module's reads of the other modules' records (tickets, SLA clocks, ratings,
 * repair reports, links, timeline) and of its own rollup tables. Nothing here applies a
 * customer scope: the metrics service resolves the caller's customers first and passes their
 * ids, which every query here is restricted to.
 */

/** Most ids in one `in (…)` list (both databases' parameter limits). */
const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Which tickets: these customers (null: all) and optionally one contract. */
export interface TicketFilter {
  customerIds: number[] | null;
  contractId?: number;
}

function ticketFilter(f: TicketFilter, column = 'tickets') {
  const parts = [];
  if (f.customerIds) parts.push(f.customerIds.length ? sql<SqlBool>`${sql.ref(`${column}.customer_id`)} in (${sql.join(f.customerIds)})` : sql<SqlBool>`1 = 0`);
  if (f.contractId !== undefined) parts.push(sql<SqlBool>`${sql.ref(`${column}.contract_id`)} = ${f.contractId}`);
  return parts.length ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : sql<SqlBool>`1 = 1`;
}

export interface CustomerInfo {
  id: number;
  name: string;
  tier: number;
  timeZone: string;
}

export async function customers(db: DbOrTx, ids: number[] | null): Promise<CustomerInfo[]> {
  let q = db.selectFrom('customers').select(['id', 'name', 'tier', 'time_zone']).orderBy('id');
  if (ids) {
    if (!ids.length) return [];
    q = q.where('id', 'in', ids);
  }
  return (await q.execute()).map((c) => ({ id: Number(c.id), name: c.name, tier: c.tier, timeZone: c.time_zone }));
}

export async function contractOf(db: DbOrTx, id: number): Promise<{ id: number; customerId: number } | undefined> {
  const r = await db.selectFrom('contracts').select(['id', 'customer_id']).where('id', '=', id).executeTakeFirst();
  return r && { id: Number(r.id), customerId: Number(r.customer_id) };
}

async function deskTeams(db: DbOrTx): Promise<Set<number>> {
  return new Set((await db.selectFrom('teams').select('id').where('kind', '=', 'desk').execute()).map((t) => Number(t.id)));
}

export type FactsWithExtras = TicketFacts & { siteId: number | null; service: string | null };

/** Everything a ticket's KPI contributions are computed from, for many tickets (any order in, id order out). */
export async function loadFacts(db: DbOrTx, ids: readonly number[]): Promise<FactsWithExtras[]> {
  if (!ids.length) return [];
  const desk = await deskTeams(db);
  const out: FactsWithExtras[] = [];
  for (const part of chunks([...ids].sort((a, b) => a - b))) {
    const [tickets, clocks, ratings, reports, dups, events] = await Promise.all([
      db
        .selectFrom('tickets')
        .innerJoin('customers', 'customers.id', 'tickets.customer_id')
        .select([
          'tickets.id',
          'tickets.customer_id',
          'tickets.contract_id',
          'customers.time_zone',
          'tickets.kind',
          'tickets.priority',
          'tickets.category',
          'tickets.channel',
          'tickets.service',
          'tickets.site_id',
          'tickets.team_id',
          'tickets.assignee_id',
          'tickets.state',
          'tickets.reported_at',
          'tickets.resolved_at',
          'tickets.closed_at',
          'tickets.cancelled_at',
        ])
        .where('tickets.id', 'in', part)
        .orderBy('tickets.id')
        .execute(),
      db.selectFrom('ticket_sla').select(['ticket_id', 'metric', 'state', 'met_at', 'breached_at', 'due_at', 'target_ms', 'remaining_ms']).where('ticket_id', 'in', part).execute(),
      db.selectFrom('ticket_ratings').select(['ticket_id', 'score', 'rated_at']).where('ticket_id', 'in', part).execute(),
      db.selectFrom('repair_reports').select(['ticket_id', 'finished_at', 'signed_at', 'state']).where('ticket_id', 'in', part).execute(),
      db.selectFrom('ticket_links').select('ticket_id').where('ticket_id', 'in', part).where('kind', '=', 'duplicates').execute(),
      db.selectFrom('ticket_events').select(['ticket_id', 'type', 'data']).where('ticket_id', 'in', part).where('type', 'in', ['assigned', 'escalated', 'state_changed']).execute(),
    ]);
    const group = <T extends { ticket_id: number }>(rows: T[]) => {
      const m = new Map<number, T[]>();
      for (const r of rows) {
        const id = Number(r.ticket_id);
        const list = m.get(id);
        if (list) list.push(r);
        else m.set(id, [r]);
      }
      return m;
    };
    const clocksOf = group(clocks);
    const ratingOf = new Map(ratings.map((r) => [Number(r.ticket_id), r]));
    const reportsOf = group(reports);
    const dupSet = new Set(dups.map((d) => Number(d.ticket_id)));
    const eventsOf = group(events);
    for (const t of tickets) {
      const id = Number(t.id);
      let reopened = false;
      let firstLine = t.team_id === null || desk.has(Number(t.team_id));
      for (const e of eventsOf.get(id) ?? []) {
        const d = JSON.parse(e.data) as { from?: string; to?: string; teamId?: number | null; kind?: string };
        if (e.type === 'state_changed' && (d.from === 'resolved' || d.from === 'closed') && d.to !== 'closed' && d.to !== 'cancelled') reopened = true;
        if (e.type === 'assigned' && d.teamId != null && !desk.has(Number(d.teamId))) firstLine = false;
        if (e.type === 'escalated' && d.kind === 'functional') firstLine = false;
      }
      const rating = ratingOf.get(id);
      out.push({
        id,
        customerId: Number(t.customer_id),
        contractId: Number(t.contract_id),
        timeZone: t.time_zone,
        kind: t.kind,
        priority: t.priority,
        category: t.category,
        channel: t.channel,
        service: t.service,
        siteId: t.site_id === null ? null : Number(t.site_id),
        teamId: t.team_id === null ? null : Number(t.team_id),
        assigneeId: t.assignee_id === null ? null : Number(t.assignee_id),
        state: t.state,
        reportedAt: Number(t.reported_at),
        resolvedAt: t.resolved_at === null ? null : Number(t.resolved_at),
        closedAt: t.closed_at === null ? null : Number(t.closed_at),
        cancelledAt: t.cancelled_at === null ? null : Number(t.cancelled_at),
        duplicate: dupSet.has(id),
        reopened,
        firstLine,
        clocks: (clocksOf.get(id) ?? []).map((c) => ({
          metric: c.metric,
          state: c.state,
          metAt: c.met_at === null ? null : Number(c.met_at),
          breachedAt: c.breached_at === null ? null : Number(c.breached_at),
          dueAt: c.due_at === null ? null : Number(c.due_at),
          targetMs: Number(c.target_ms),
          remainingMs: Number(c.remaining_ms),
        })),
        rating: rating ? { score: rating.score, ratedAt: Number(rating.rated_at) } : null,
        // A report signed counts from its signature; a draft has no signature even if a time was typed.
        repairReports: (reportsOf.get(id) ?? []).map((r) => ({ finishedAt: r.finished_at === null ? null : Number(r.finished_at), signedAt: r.state === 'signed' && r.signed_at !== null ? Number(r.signed_at) : null })),
      });
    }
  }
  return out;
}

/**
 * Tickets whose records were written at or after `since`: every KPI contribution dated at or
 * after an instant comes from a record written then or later (the ticket, its clocks, its
 * rating, its repair report), so these are all the tickets that can contribute to days from
 * `since` on. Ids ascending.
 */
export async function touchedSince(db: DbOrTx, since: number, f: TicketFilter, reportedBefore?: number): Promise<number[]> {
  const filter = ticketFilter(f);
  const before = reportedBefore === undefined ? sql<SqlBool>`1 = 1` : sql<SqlBool>`tickets.reported_at < ${reportedBefore}`;
  const [a, b, c, d] = await Promise.all([
    db.selectFrom('tickets').select('tickets.id as id').where('tickets.updated_at', '>=', since).where(filter).where(before).execute(),
    db.selectFrom('ticket_sla').innerJoin('tickets', 'tickets.id', 'ticket_sla.ticket_id').select('tickets.id as id').where('ticket_sla.computed_at', '>=', since).where(filter).where(before).execute(),
    db.selectFrom('ticket_ratings').innerJoin('tickets', 'tickets.id', 'ticket_ratings.ticket_id').select('tickets.id as id').where('ticket_ratings.rated_at', '>=', since).where(filter).where(before).execute(),
    db.selectFrom('repair_reports').innerJoin('tickets', 'tickets.id', 'repair_reports.ticket_id').select('tickets.id as id').where('repair_reports.updated_at', '>=', since).where(filter).where(before).execute(),
  ]);
  const ids = new Set<number>();
  for (const rows of [a, b, c, d]) for (const r of rows) ids.add(Number(r.id));
  return [...ids].sort((x, y) => x - y);
}

/**
 * Where a measure's day comes from when one indexed column gives it: the drill-down reads its
 * candidate tickets from that column's range instead of every ticket written since the period
 * began (at a million tickets a year's drill otherwise loads hundreds of thousands of tickets'
 * facts). Measures not listed (closures, cancellations, breaches, repair reports) fall back to
 * the records written since.
 */
type DrillSource = { kind: 'reported' | 'resolved' | 'rated' } | { kind: 'met'; metric: string };
const DRILL_SOURCE: Partial<Record<Measure, DrillSource>> = {
  opened: { kind: 'reported' },
  complaints: { kind: 'reported' },
  complaints_done: { kind: 'reported' },
  resolved: { kind: 'resolved' },
  resolved_reopened: { kind: 'resolved' },
  flr_num: { kind: 'resolved' },
  flr_den: { kind: 'resolved' },
  resp_met: { kind: 'met', metric: 'response' },
  resp_ms: { kind: 'met', metric: 'response' },
  resp_n: { kind: 'met', metric: 'response' },
  reso_met: { kind: 'met', metric: 'resolution' },
  reso_ms: { kind: 'met', metric: 'resolution' },
  reso_n: { kind: 'met', metric: 'resolution' },
  cmp_timely: { kind: 'met', metric: 'resolution' },
  onsite_met: { kind: 'met', metric: 'onsite' },
  diag_met: { kind: 'met', metric: 'diagnosis' },
  rating_n: { kind: 'rated' },
  rating_sum: { kind: 'rated' },
  rating_good: { kind: 'rated' },
};

/**
 * The next `limit` candidate tickets (ids ascending, above `after`) whose measures may fall in
 * [start, end): the union of each measure's source column range. Null when a measure has no
 * such source. `exhausted`: no source has more after these.
 */
export async function drillCandidates(db: DbOrTx, measures: readonly Measure[], f: TicketFilter, start: number, end: number, after: number, limit: number): Promise<{ ids: number[]; exhausted: boolean } | null> {
  const sources = new Map<string, DrillSource>();
  for (const m of measures) {
    const src = DRILL_SOURCE[m];
    if (!src) return null;
    sources.set(JSON.stringify(src), src);
  }
  const filter = ticketFilter(f);
  const lists = await Promise.all(
    [...sources.values()].map(async (src) => {
      let q;
      if (src.kind === 'reported' || src.kind === 'resolved') {
        const col = src.kind === 'reported' ? 'tickets.reported_at' : 'tickets.resolved_at';
        q = db.selectFrom('tickets').select('tickets.id as id').where(col, '>=', start).where(col, '<', end).where('tickets.id', '>', after).where(filter).orderBy('tickets.id');
      } else if (src.kind === 'met') {
        q = db.selectFrom('ticket_sla').innerJoin('tickets', 'tickets.id', 'ticket_sla.ticket_id').select('tickets.id as id').where('ticket_sla.metric', '=', src.metric).where('ticket_sla.met_at', '>=', start).where('ticket_sla.met_at', '<', end).where('tickets.id', '>', after).where(filter).orderBy('tickets.id');
      } else {
        q = db.selectFrom('ticket_ratings').innerJoin('tickets', 'tickets.id', 'ticket_ratings.ticket_id').select('tickets.id as id').where('ticket_ratings.rated_at', '>=', start).where('ticket_ratings.rated_at', '<', end).where('tickets.id', '>', after).where(filter).orderBy('tickets.id');
      }
      return (await q.limit(limit).execute()).map((r) => Number(r.id));
    }),
  );
  const ids = [...new Set(lists.flat())].sort((a, b) => a - b);
  // Past the lowest last id of a full list, that list may have ids not read yet: stop there.
  const full = lists.filter((l) => l.length === limit);
  const bound = full.length ? Math.min(...full.map((l) => l[l.length - 1])) : Infinity;
  return { ids: ids.filter((id) => id <= bound), exhausted: full.length === 0 };
}

/** Tickets with a new timeline entry after an event id (any kind of change, links included), and the highest id seen. */
export async function ticketsWithEventsAfter(db: DbOrTx, eventId: number): Promise<{ ids: number[]; maxId: number }> {
  const rows = await db.selectFrom('ticket_events').select(['ticket_id', 'id']).where('id', '>', eventId).execute();
  let maxId = eventId;
  const ids = new Set<number>();
  for (const r of rows) {
    ids.add(Number(r.ticket_id));
    if (Number(r.id) > maxId) maxId = Number(r.id);
  }
  return { ids: [...ids], maxId };
}

/**
 * The ends of every record the rollup's change detection reads (the highest timeline id, the
 * latest ticket, clock, rating and repair-report writes, customer edits; a link writes a
 * timeline entry): if none moved, nothing the rollup would pick up changed. Index ends only.
 */
export async function changeSignature(db: DbOrTx): Promise<unknown[]> {
  const max = async (q: Promise<{ m: unknown } | undefined>) => (await q)?.m ?? null;
  return Promise.all([
    max(db.selectFrom('ticket_events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst()),
    max(db.selectFrom('tickets').select((eb) => eb.fn.max('updated_at').as('m')).executeTakeFirst()),
    max(db.selectFrom('ticket_sla').select((eb) => eb.fn.max('computed_at').as('m')).executeTakeFirst()),
    max(db.selectFrom('ticket_ratings').select((eb) => eb.fn.max('rated_at').as('m')).executeTakeFirst()),
    max(db.selectFrom('repair_reports').select((eb) => eb.fn.max('updated_at').as('m')).executeTakeFirst()),
    max(db.selectFrom('customers').select((eb) => eb.fn.max('updated_at').as('m')).executeTakeFirst()),
  ]);
}

export async function maxEventId(db: DbOrTx): Promise<number> {
  const r = await db.selectFrom('ticket_events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return r?.m == null ? 0 : Number(r.m);
}

export async function ticketIdsAfter(db: DbOrTx, after: number, limit: number): Promise<number[]> {
  return (await db.selectFrom('tickets').select('id').where('id', '>', after).orderBy('id').limit(limit).execute()).map((r) => Number(r.id));
}

export async function customersChangedSince(db: DbOrTx, since: number): Promise<{ id: number; timeZone: string }[]> {
  return (await db.selectFrom('customers').select(['id', 'time_zone']).where('updated_at', '>=', since).execute()).map((c) => ({ id: Number(c.id), timeZone: c.time_zone }));
}

export async function ticketIdsOfCustomer(db: DbOrTx, customerId: number): Promise<number[]> {
  return (await db.selectFrom('tickets').select('id').where('customer_id', '=', customerId).execute()).map((r) => Number(r.id));
}

// ---------------------------------------------------------------- the rollup's own tables

export async function factsOf(db: DbOrTx, ids: readonly number[]): Promise<Map<number, { customerId: number; facts: string }>> {
  const out = new Map<number, { customerId: number; facts: string }>();
  for (const part of chunks(ids)) {
    for (const r of await db.selectFrom('kpi_facts').select(['ticket_id', 'customer_id', 'facts']).where('ticket_id', 'in', part).execute()) out.set(Number(r.ticket_id), { customerId: Number(r.customer_id), facts: r.facts });
  }
  return out;
}

export async function anyFactsZone(db: DbOrTx, customerId: number): Promise<string | null> {
  const r = await db.selectFrom('kpi_facts').select('facts').where('customer_id', '=', customerId).limit(1).executeTakeFirst();
  return r ? ((JSON.parse(r.facts) as { z?: string }).z ?? null) : null;
}

export async function saveFacts(db: DbOrTx, rows: { ticket_id: number; customer_id: number; facts: string }[]): Promise<void> {
  for (const part of chunks(rows, 1000)) {
    await db
      .insertInto('kpi_facts')
      .values(part)
      .onConflict((oc) => oc.column('ticket_id').doUpdateSet({ customer_id: sql<number>`excluded.customer_id`, facts: sql<string>`excluded.facts` }))
      .execute();
  }
}

export interface DailyDelta {
  dim: string;
  customer_id: number;
  day: string;
  contract_id: number;
  key: string;
  sums: PartialSums;
}

/**
 * Adds deltas to `kpi_daily` and to `kpi_monthly` (upserts that add), then drops the rows a
 * subtraction left all zero. Both tables get the same deltas, so a month's row is always the sum
 * of its days.
 */
export async function addDaily(db: DbOrTx, deltas: readonly DailyDelta[]): Promise<void> {
  const monthly = new Map<string, DailyDelta>();
  for (const d of deltas) {
    const month = d.day.slice(0, 7);
    const k = `${d.dim}\u0000${d.customer_id}\u0000${month}\u0000${d.contract_id}\u0000${d.key}`;
    let m = monthly.get(k);
    if (!m) monthly.set(k, (m = { ...d, day: month, sums: {} }));
    const into = m.sums as Record<string, number>;
    for (const x in d.sums) into[x] = (into[x] ?? 0) + ((d.sums as Record<string, number>)[x] ?? 0);
  }
  await addRows(db, 'kpi_daily', 'day', deltas);
  await addRows(db, 'kpi_monthly', 'month', [...monthly.values()].filter((d) => Object.values(d.sums).some((v) => v !== 0)));
}

const HIST_COLUMNS: Array<[HistMetric, 'resp_hist' | 'reso_hist']> = [
  ['resp', 'resp_hist'],
  ['reso', 'reso_hist'],
];

async function addRows(db: DbOrTx, table: 'kpi_daily' | 'kpi_monthly', dayColumn: 'day' | 'month', deltas: readonly DailyDelta[]): Promise<void> {
  const set: Record<string, unknown> = Object.fromEntries(MEASURES.map((m) => [m, sql<number>`${sql.ref(`${table}.${m}`)} + ${sql.ref(`excluded.${m}`)}`]));
  // A histogram delta is appended (readers add the entries up): no read of the row first.
  for (const [, col] of HIST_COLUMNS) set[col] = sql<string>`coalesce(${sql.ref(`${table}.${col}`)}, '') || coalesce(${sql.ref(`excluded.${col}`)}, '')`;
  // 500 rows × 36 values: within both databases' bound-parameter limits.
  for (const part of chunks(deltas, 500)) {
    const values = part.map((d) => ({
      dim: d.dim,
      customer_id: d.customer_id,
      [dayColumn]: d.day,
      contract_id: d.contract_id,
      key: d.key,
      ...Object.fromEntries(MEASURES.map((m) => [m, d.sums[m] ?? 0])),
      resp_hist: encodeHist(d.sums, 'resp'),
      reso_hist: encodeHist(d.sums, 'reso'),
    }));
    await db
      .insertInto(table)
      .values(values as never)
      .onConflict((oc) => oc.columns(['dim', 'customer_id', dayColumn, 'contract_id', 'key'] as never).doUpdateSet(set as never))
      .execute();
  }
  // Rows a subtraction may have brought to zero are removed, looked up by their whole key (the primary key).
  const allZero = sql.join(
    MEASURES.map((m) => sql`${sql.ref(m)} = 0`),
    sql` and `,
  );
  const lowered = deltas.filter((d) => Object.values(d.sums).some((v) => (v ?? 0) < 0));
  for (const part of chunks(lowered, 100)) {
    const keys = sql.join(
      part.map((d) => sql`(${sql.ref('dim')} = ${d.dim} and ${sql.ref('customer_id')} = ${d.customer_id} and ${sql.ref(dayColumn)} = ${d.day} and ${sql.ref('contract_id')} = ${d.contract_id} and ${sql.ref('key')} = ${d.key})`),
      sql` or `,
    );
    await db.deleteFrom(table).where(sql<SqlBool>`(${keys}) and ${allZero}`).execute();
  }
}

/** `month`: whole months by month (YYYY-MM), the edge days by day (the caller maps both to its month). */
export type RollupGroup = 'none' | 'day' | 'month' | 'customer' | 'key';

/**
 * Sums of the rollup over a day range, grouped by nothing, day, customer or the dimension's key.
 * Whole months inside the range are read from `kpi_monthly` (unless grouped by day), the days
 * before the first and after the last whole month from `kpi_daily`.
 */
export interface Wanted {
  /** The measures to add up (the others read as 0): summing every column of a year's rows costs several times one column. */
  measures: readonly Measure[];
  /** The duration histograms to read (the 90th percentiles). */
  hist: readonly HistMetric[];
}

export async function readDaily(db: DbOrTx, dim: string, f: TicketFilter, from: string, to: string, group: RollupGroup, wanted: Wanted = { measures: MEASURES, hist: [] }): Promise<{ g: string; sums: Sums }[]> {
  const readRange = (table: 'kpi_daily' | 'kpi_monthly', column: 'day' | 'month', dim: string, f: TicketFilter, from: string, to: string, group: RollupGroup) => readRows(db, table, column, dim, f, from, to, group, wanted);
  if (group === 'day') return readRange('kpi_daily', 'day', dim, f, from, to, group);
  const firstWhole = from.endsWith('-01') ? from.slice(0, 7) : nextMonth(from.slice(0, 7));
  const lastWhole = isLastDayOfMonth(to) ? to.slice(0, 7) : previousMonth(to.slice(0, 7));
  if (firstWhole > lastWhole) return readRange('kpi_daily', 'day', dim, f, from, to, group);
  const parts = [await readRange('kpi_monthly', 'month', dim, f, firstWhole, lastWhole, group)];
  const headEnd = `${firstWhole}-01`;
  if (from < headEnd) parts.push(await readRange('kpi_daily', 'day', dim, f, from, `${previousMonth(firstWhole)}-31`, group));
  if (!isLastDayOfMonth(to)) parts.push(await readRange('kpi_daily', 'day', dim, f, `${nextMonth(lastWhole)}-01`, to, group));
  return parts.flat();
}

function nextMonth(m: string): string {
  const y = Number(m.slice(0, 4));
  const mo = Number(m.slice(5, 7));
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

function previousMonth(m: string): string {
  const y = Number(m.slice(0, 4));
  const mo = Number(m.slice(5, 7));
  return mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, '0')}`;
}

function isLastDayOfMonth(d: string): boolean {
  const y = Number(d.slice(0, 4));
  const mo = Number(d.slice(5, 7));
  return Number(d.slice(8, 10)) === new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** The histogram columns concatenated over a group (their entries add up when parsed). */
function concatHist(db: DbOrTx, col: string) {
  return dialectOf(db as never) === 'postgres' ? sql<string | null>`string_agg(${sql.ref(col)}, '')` : sql<string | null>`group_concat(${sql.ref(col)}, '')`;
}

async function readRows(db: DbOrTx, table: 'kpi_daily' | 'kpi_monthly', column: 'day' | 'month', dim: string, f: TicketFilter, from: string, to: string, group: RollupGroup, wanted: Wanted): Promise<{ g: string; sums: Sums }[]> {
  const { measures, hist } = wanted;
  // At least one column: a grouped read still says which groups have rows.
  const summed = measures.length ? measures : (['opened'] as const);
  const sums = [...summed.map((m) => sql<number>`coalesce(sum(${sql.ref(m)}), 0)`.as(m)), ...HIST_COLUMNS.filter(([m]) => hist.includes(m)).map(([, col]) => concatHist(db, col).as(col))];
  const groupCol = group === 'day' || group === 'month' ? column : group === 'customer' ? 'customer_id' : group === 'key' ? 'key' : null;
  let q = db
    .selectFrom(table as 'kpi_daily')
    .select(sums as never)
    .where(sql<SqlBool>`${sql.ref('dim')} = ${dim} and ${sql.ref(column)} >= ${from} and ${sql.ref(column)} <= ${to}`)
    .where(ticketFilter(f, table));
  if (groupCol) q = q.select(sql<string>`${sql.ref(groupCol)}`.as('g') as never).groupBy(groupCol as never) as typeof q;
  const rows = (await q.execute()) as unknown as (Record<Measure, number | string> & { g?: string | number; resp_hist?: string | null; reso_hist?: string | null })[];
  return rows.map((r) => {
    const s = emptySums();
    for (const m of summed) s[m] = Number(r[m] ?? 0);
    for (const [metric, col] of HIST_COLUMNS) if (hist.includes(metric)) addEncodedHist(s as unknown as Record<string, number>, metric, r[col]);
    return { g: r.g === undefined || r.g === null ? '' : String(r.g), sums: s };
  });
}

export async function allMonthly(db: DbOrTx) {
  return db.selectFrom('kpi_monthly').selectAll().orderBy('dim').orderBy('customer_id').orderBy('month').orderBy('contract_id').orderBy('key').execute();
}

/** The whole rollup, for the correctness test (non-zero rows, in key order). */
export async function allDaily(db: DbOrTx) {
  return db.selectFrom('kpi_daily').selectAll().orderBy('dim').orderBy('customer_id').orderBy('day').orderBy('contract_id').orderBy('key').execute();
}

// ---------------------------------------------------------------- backlog

export interface OpenAtRow {
  id: number;
  customer_id: number;
  reported_at: number;
  resolved_at: number | null;
}

/**
 * Counted tickets that may be unresolved at some instant in [minEnd, maxEnd]: reported before
 * maxEnd and either open now or resolved at or after minEnd (two index range reads). The caller
 * decides per end instant. Cancelled and duplicate tickets are not counted.
 */
export async function backlogCandidates(db: DbOrTx, f: TicketFilter, minEnd: number, maxEnd: number): Promise<(OpenAtRow & { dims: Record<string, string | number | null> })[]> {
  const cols = ['tickets.id', 'tickets.customer_id', 'tickets.reported_at', 'tickets.resolved_at', 'tickets.priority', 'tickets.kind', 'tickets.category', 'tickets.channel', 'tickets.service', 'tickets.team_id', 'tickets.assignee_id', 'tickets.site_id'] as const;
  const base = () => db.selectFrom('tickets').select(cols).where(ticketFilter(f)).where('tickets.reported_at', '<', maxEnd).where(NOT_DUPLICATE);
  const [open, resolvedLater] = await Promise.all([
    base().where('tickets.state', 'in', [...OPEN_STATES]).execute(),
    base().where('tickets.resolved_at', '>=', minEnd).execute(),
  ]);
  const seen = new Set<number>();
  const out: (OpenAtRow & { dims: Record<string, string | number | null> })[] = [];
  for (const r of [...open, ...resolvedLater]) {
    const id = Number(r.id);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      id,
      customer_id: Number(r.customer_id),
      reported_at: Number(r.reported_at),
      resolved_at: r.resolved_at === null ? null : Number(r.resolved_at),
      dims: { priority: r.priority, kind: r.kind, category: r.category, channel: r.channel, service: r.service, team: r.team_id, assignee: r.assignee_id, site: r.site_id },
    });
  }
  return out;
}

const NOT_DUPLICATE = sql<SqlBool>`not exists (select 1 from ticket_links l where l.ticket_id = tickets.id and l.kind = 'duplicates')`;

// ---------------------------------------------------------------- labels and drill rows

export async function namesOf(db: DbOrTx, table: 'teams' | 'sites', ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/**
 * Names of priority level codes from the contracts' priority matrices (a code is per contract:
 * P1 … P4 in one, urgent/general/consulting in another). The first contract naming a code wins;
 * codes no matrix names are left out (their rows show the code).
 */
export async function priorityNames(db: DbOrTx, codes: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!codes.length) return out;
  const wanted = new Set(codes);
  const rows = await db.selectFrom('contracts').select('sla_policy').where('sla_policy', 'is not', null).orderBy('id').execute();
  for (const r of rows) {
    const levels = (JSON.parse(r.sla_policy!) as { matrix?: { levels?: Array<{ code: string; name: string }> } } | null)?.matrix?.levels ?? [];
    for (const l of levels) if (wanted.has(l.code) && !out.has(l.code) && l.name) out.set(l.code, l.name);
  }
  return out;
}

export async function userNames(db: DbOrTx, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.display_name]));
}

export async function drillRows(db: DbOrTx, ids: number[]) {
  if (!ids.length) return [];
  return db
    .selectFrom('tickets')
    .innerJoin('customers', 'customers.id', 'tickets.customer_id')
    .select(['tickets.id', 'tickets.number', 'tickets.title', 'customers.name as customer_name', 'tickets.priority', 'tickets.state', 'tickets.reported_at', 'tickets.resolved_at', 'tickets.sla_status'])
    .where('tickets.id', 'in', ids)
    .orderBy('tickets.id')
    .execute();
}
