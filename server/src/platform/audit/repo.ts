import type { DbOrTx } from '../../db/index.js';
import type { CustomerScope } from '../auth/actor.js';

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actorId?: number;
  action?: string;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** Only rows with an id below this one (the keyset cursor; newest first). */
  beforeId?: number;
}

/**
 * Audit log search, newest first. An actor limited to some customers sees only the rows of
 * those customers: rows about no customer (logins, roles, provider staff) are the provider's.
 */
export function searchAudit(db: DbOrTx, scope: CustomerScope, f: AuditFilter, limit: number) {
  let q = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.actor_id',
      'audit_log.actor_name',
      'audit_log.ip',
      'audit_log.action',
      'audit_log.entity',
      'audit_log.entity_id',
      'audit_log.customer_id',
      'audit_log.before',
      'audit_log.after',
      // The actor's name as people know it today (the row keeps the login name it was written with).
      'users.display_name as actor_display_name',
    ]);
  if (scope.kind === 'customers') {
    if (!scope.ids.length) return Promise.resolve([]);
    q = q.where('audit_log.customer_id', 'in', scope.ids);
  }
  if (f.entity !== undefined) q = q.where('audit_log.entity', '=', f.entity);
  if (f.entityId !== undefined) q = q.where('audit_log.entity_id', '=', f.entityId);
  if (f.actorId !== undefined) q = q.where('audit_log.actor_id', '=', f.actorId);
  if (f.action !== undefined) q = q.where('audit_log.action', '=', f.action);
  if (f.from !== undefined) q = q.where('audit_log.at', '>=', f.from);
  if (f.to !== undefined) q = q.where('audit_log.at', '<', f.to);
  if (f.beforeId !== undefined) q = q.where('audit_log.id', '<', f.beforeId);
  return q.orderBy('audit_log.id', 'desc').limit(limit).execute();
}

/** Entities whose rows people name by a number rather than the row id. */
const NUMBERED = { tickets: 'tickets', repair_reports: 'repair_reports' } as const;

/**
 * The numbers people know records by (a ticket's 工单号, a report's number) for the audit rows of a
 * page: one query per numbered entity present, whatever the page's size. Keyed `entity:id`.
 */
export async function entityNumbers(db: DbOrTx, rows: ReadonlyArray<{ entity: string; entity_id: string | null }>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [entity, table] of Object.entries(NUMBERED)) {
    const ids = [...new Set(rows.filter((r) => r.entity === entity && r.entity_id !== null && /^\d{1,15}$/.test(r.entity_id)).map((r) => Number(r.entity_id)))];
    if (!ids.length) continue;
    const found = await db.selectFrom(table).select(['id', 'number']).where('id', 'in', ids).execute();
    for (const f of found) out.set(`${entity}:${Number(f.id)}`, f.number);
  }
  return out;
}
