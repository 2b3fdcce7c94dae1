import { sql, type Insertable, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { RepairReportsTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';

/**
 * Queries of `repair_reports`. Every read takes the caller's customer scope and applies it in
 * SQL (a report outside it is not found), like the tickets it belongs to.
 */
export type ReportRow = Selectable<RepairReportsTable>;
export type NewReport = Omit<Insertable<RepairReportsTable>, 'id'>;

function inScope(scope: CustomerScope) {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref('repair_reports.customer_id')} in (${sql.join(scope.ids)})`;
}

/** The ticket's current report (the latest); `lock` takes the row lock on PostgreSQL for a command's read-check-write. */
export async function findCurrent(db: DbOrTx, scope: CustomerScope, ticketId: number, lock = false): Promise<ReportRow | undefined> {
  let q = db.selectFrom('repair_reports').selectAll().where('ticket_id', '=', ticketId).where(inScope(scope)).orderBy('seq', 'desc').limit(1);
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertReport(trx: DbOrTx, values: NewReport): Promise<number> {
  const row = await trx.insertInto('repair_reports').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Applies the change to a draft still at `version` (bumping it); false when the report was
 * changed or signed since. A signed report matches nothing here: it can never be updated.
 */
export async function updateDraft(trx: DbOrTx, id: number, version: number, changes: Updateable<RepairReportsTable>): Promise<boolean> {
  const res = await trx
    .updateTable('repair_reports')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('state', '=', 'draft')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Minutes of work logged on the ticket (its worklogs' `minutes`, summed). */
export async function workloggedMinutes(db: DbOrTx, ticketId: number): Promise<number> {
  const rows = await db.selectFrom('ticket_events').select('data').where('ticket_id', '=', ticketId).where('type', '=', 'worklog').execute();
  let total = 0;
  for (const r of rows) {
    const minutes = Number((JSON.parse(r.data) as { minutes?: unknown }).minutes);
    if (Number.isFinite(minutes) && minutes > 0) total += minutes;
  }
  return total;
}
