import { sql, type Selectable, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import type { CisTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';

/**
 * Who may see a CI: the one rule every module of the CMDB family (cmdb, assets, parts, repairs)
 * applies in its SQL. A CI belongs to one customer; a caller sees it when that customer is in
 * his scope (a customer's user: his own customer only). Outside the scope a CI is "not found".
 */
export type CiRow = Selectable<CisTable>;

/** `cis.customer_id` (or `column`) inside the scope, as a SQL condition. */
export function ciInScope(scope: CustomerScope, column = 'cis.customer_id') {
  if (scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  if (scope.ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(scope.ids)})`;
}

/** One CI inside the scope; `lock` takes its row lock on PostgreSQL for a read-check-write. */
export async function findCiInScope(db: DbOrTx, scope: CustomerScope, id: number, lock = false): Promise<CiRow | undefined> {
  let q = db.selectFrom('cis').selectAll().where('id', '=', id).where(ciInScope(scope));
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}
