import { sql, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { Direct } from '../../core/reporting/kpis.js';
import { addDays, dayStart, localDayOf } from '../../core/reporting/periods.js';
import { returnedByTarget } from '../../core/repairs/target.js';
import type { CustomerInfo, TicketFilter } from './metrics.repo.js';

/**
 * The CMDB family's KPIs (`direct` in core/reporting/kpis.ts, docs/KPIS.md): spare parts and
 * vendor repairs, read from their own tables (modules/parts, modules/repairs own them; the
 * reporting module only reads) for the period, attributed to local days in the customer's zone.
 *
 * No rollup rows: a provider sends a few thousand devices a year and issues a few thousand
 * requisition slips, so a query per period over the indexed columns (repair_orders by customer,
 * part_movements by customer and time) answers in milliseconds; the ticket rollup exists because
 * tickets number in the millions.
 *
 * Scope: the customers' ids; a contract filter keeps the records whose ticket is on that contract
 * and those with no ticket (they belong to the customer, not to one of its contracts).
 */

/** One record's contribution: counted on a local day of its customer. */
export interface DirectRecord {
  customerId: number;
  day: string;
  num: number;
  den: number;
  ticketId: number | null;
}

/** A stand-in lent: counted at any instant after `lentAt` and before its return, once its due-back date has passed. */
export interface StandinOut {
  customerId: number;
  itemId: number;
  lentAt: number;
  returnedAt: number | null;
  dueBack: string;
  ticketId: number | null;
}

const num = (v: number | string | bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** `table.customer_id` in the filter's customers and, with a contract, the record's ticket on it (or no ticket). */
export function recordScope(table: 'repair_orders' | 'part_movements' | 'part_items', f: TicketFilter) {
  const parts = [];
  if (f.customerIds) parts.push(f.customerIds.length ? sql<SqlBool>`${sql.ref(`${table}.customer_id`)} in (${sql.join(f.customerIds)})` : sql<SqlBool>`1 = 0`);
  if (f.contractId !== undefined) {
    const ticket = sql.ref(`${table}.ticket_id`);
    parts.push(sql<SqlBool>`(${ticket} is null or exists (select 1 from tickets sc where sc.id = ${ticket} and sc.contract_id = ${f.contractId}))`);
  }
  return parts.length ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : sql<SqlBool>`1 = 1`;
}

/** The instants the local dates from…to cover for every customer: [since, before). */
export function instantRange(customers: CustomerInfo[], from: string, to: string): { since: number; before: number } {
  return {
    since: Math.min(...customers.map((c) => dayStart(from, c.timeZone))),
    before: Math.max(...customers.map((c) => dayStart(addDays(to, 1), c.timeZone))),
  };
}

/** The contributions of one `direct` KPI's records in from…to (local dates of each customer). */
export async function directRecords(db: DbOrTx, kind: Exclude<Direct, 'standins_overdue'>, f: TicketFilter, customers: CustomerInfo[], from: string, to: string, now: number): Promise<DirectRecord[]> {
  if (!customers.length) return [];
  const zone = new Map(customers.map((c) => [c.id, c.timeZone]));
  const { since, before } = instantRange(customers, from, to);
  const out: DirectRecord[] = [];
  const push = (customerId: number, ms: number | null, day: string | null, n: number, d: number, ticketId: number | null) => {
    const tz = zone.get(customerId);
    if (!tz) return;
    const local = day ?? localDayOf(ms!, tz);
    if (local >= from && local <= to) out.push({ customerId, day: local, num: n, den: d, ticketId });
  };

  if (kind === 'requisitions') {
    // A slip is all the requisition movements of one number (one line each part): counted once, on its day.
    const rows = await db
      .selectFrom('part_movements')
      .select(['number', 'customer_id', 'ticket_id', (eb) => eb.fn.min('at').as('at')])
      .where('kind', '=', 'requisition')
      .where('at', '>=', since)
      .where('at', '<', before)
      .where(recordScope('part_movements', f))
      .groupBy(['number', 'customer_id', 'ticket_id'])
      .execute();
    const seen = new Set<string>();
    for (const r of rows) {
      if (r.customer_id === null || seen.has(r.number)) continue;
      seen.add(r.number);
      push(Number(r.customer_id), Number(r.at), null, 1, 1, num(r.ticket_id));
    }
    return out;
  }

  if (kind === 'vendor_turnaround') {
    const rows = await db
      .selectFrom('repair_orders')
      .select(['customer_id', 'ticket_id', 'sent_at', 'returned_at'])
      .where('state', 'in', ['returned', 'accepted'])
      .where('sent_at', 'is not', null)
      .where('returned_at', '>=', since)
      .where('returned_at', '<', before)
      .where(recordScope('repair_orders', f))
      .execute();
    for (const r of rows) push(Number(r.customer_id), Number(r.returned_at), null, Math.max(0, Number(r.returned_at) - Number(r.sent_at)), 1, num(r.ticket_id));
    return out;
  }

  if (kind === 'vendor_returns') {
    const rows = await db
      .selectFrom('repair_orders')
      .select(['customer_id', 'ticket_id', 'state', 'returned_at', 'target_return', 'time_zone'])
      .where('state', 'not in', ['draft', 'cancelled'])
      .where('sent_at', 'is not', null)
      .where('target_return', '>=', from)
      .where('target_return', '<=', to)
      .where(recordScope('repair_orders', f))
      .execute();
    for (const r of rows) {
      const customerId = Number(r.customer_id);
      const tz = r.time_zone ?? zone.get(customerId) ?? 'Asia/Shanghai';
      const target = r.target_return!;
      // Back means back with the customer: an order sent back after a failed test is away again.
      const back = r.state === 'returned' || r.state === 'accepted' ? num(r.returned_at) : null;
      if (back !== null) push(customerId, null, target, returnedByTarget(back, tz, target) ? 1 : 0, 1, num(r.ticket_id));
      else if (localDayOf(now, tz) > target) push(customerId, null, target, 0, 1, num(r.ticket_id));
    }
    return out;
  }

  // vendor_reports: one entry per due instant of the period — met by a report written by it, missed otherwise.
  const reports = await db
    .selectFrom('repair_progress')
    .innerJoin('repair_orders', 'repair_orders.id', 'repair_progress.order_id')
    .select(['repair_orders.id as order_id', 'repair_orders.customer_id', 'repair_orders.ticket_id', 'repair_progress.due_at', 'repair_progress.late'])
    .where('repair_progress.due_at', '>=', since)
    .where('repair_progress.due_at', '<', before)
    .where(recordScope('repair_orders', f))
    .execute();
  // The scheduler notes an overdue due instant in the order's history at (or just after) that instant.
  const overdue = await db
    .selectFrom('repair_events')
    .innerJoin('repair_orders', 'repair_orders.id', 'repair_events.order_id')
    .select(['repair_orders.id as order_id', 'repair_orders.customer_id', 'repair_orders.ticket_id', 'repair_events.data', 'repair_events.at'])
    .where('repair_events.type', '=', 'overdue')
    .where('repair_events.at', '>=', since)
    .where('repair_events.at', '<', before + 7 * 86_400_000)
    .where(recordScope('repair_orders', f))
    .execute();
  const missed = new Set<string>();
  for (const e of overdue) {
    let dueAt = Number(e.at);
    try {
      const d = JSON.parse(e.data) as { dueAt?: string };
      if (d.dueAt) dueAt = Date.parse(d.dueAt);
    } catch {
      // the event's own time
    }
    if (dueAt < since || dueAt >= before) continue;
    const key = `${e.order_id}:${dueAt}`;
    if (missed.has(key)) continue;
    missed.add(key);
    push(Number(e.customer_id), dueAt, null, 0, 1, num(e.ticket_id));
  }
  for (const r of reports) {
    const dueAt = Number(r.due_at);
    const late = Number(r.late) === 1;
    if (late) {
      const key = `${r.order_id}:${dueAt}`;
      if (missed.has(key)) continue;
      missed.add(key);
    }
    push(Number(r.customer_id), dueAt, null, late ? 0 : 1, 1, num(r.ticket_id));
  }
  return out;
}

/**
 * Stand-ins lent before `before` and not back by `since`: each lend movement with its return
 * (the item's next lend_return), the due-back date of a stand-in still out from the item, of one
 * returned from the return's audit entry (the parts module records `dueBack` there).
 */
export async function standinsOut(db: DbOrTx, f: TicketFilter, since: number, before: number): Promise<StandinOut[]> {
  const lends = await db
    .selectFrom('part_movements')
    .select(['id', 'number', 'item_id', 'customer_id', 'ticket_id', 'at'])
    .where('kind', '=', 'lend')
    .where('item_id', 'is not', null)
    .where('at', '<', before)
    .where(recordScope('part_movements', f))
    .orderBy('at')
    .execute();
  if (!lends.length) return [];
  const itemIds = [...new Set(lends.map((l) => Number(l.item_id)))];
  const [returns, items] = await Promise.all([
    db.selectFrom('part_movements').select(['number', 'item_id', 'at']).where('kind', '=', 'lend_return').where('item_id', 'in', itemIds).orderBy('at').execute(),
    db.selectFrom('part_items').select(['id', 'state', 'due_back']).where('id', 'in', itemIds).execute(),
  ]);
  const itemOf = new Map(items.map((i) => [Number(i.id), i]));
  const out: StandinOut[] = [];
  const dueOfReturn = new Map<string, string>();
  const returnNumbers = returns.map((r) => r.number);
  if (returnNumbers.length) {
    const audits = await db.selectFrom('audit_log').select(['entity_id', 'after']).where('entity', '=', 'part_movements').where('action', '=', 'lend_return').where('entity_id', 'in', returnNumbers).execute();
    for (const a of audits) {
      try {
        const due = (JSON.parse(String(a.after)) as { dueBack?: string | null }).dueBack;
        if (due) dueOfReturn.set(String(a.entity_id), due);
      } catch {
        // unreadable: the stand-in is not counted as overdue
      }
    }
  }
  for (const l of lends) {
    const itemId = Number(l.item_id);
    const lentAt = Number(l.at);
    const back = returns.find((r) => Number(r.item_id) === itemId && Number(r.at) >= lentAt);
    const returnedAt = back ? Number(back.at) : null;
    if (returnedAt !== null && returnedAt < since) continue;
    const item = itemOf.get(itemId);
    const dueBack = back ? dueOfReturn.get(back.number) : item?.state === 'lent' ? item.due_back : null;
    if (!dueBack || l.customer_id === null) continue;
    out.push({ customerId: Number(l.customer_id), itemId, lentAt, returnedAt, dueBack, ticketId: num(l.ticket_id) });
  }
  return out;
}

/** Whether a stand-in is out and overdue at `end` (a local midnight of its customer): lent before, not back by then, due back before that local date. */
export function overdueAt(s: StandinOut, end: number, endDate: string): boolean {
  return s.lentAt < end && (s.returnedAt === null || s.returnedAt >= end) && s.dueBack < endDate;
}
